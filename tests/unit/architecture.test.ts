// The README's architecture, checked: dependencies between the server's rooms point one way, and
// the libraries that touch the outside world each have one room. A new import against the grain
// fails here with the file and the import that broke the rule.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../server');

/** Each room, and the rooms it may import from (besides itself). Lower rooms never import higher ones. */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  base: ['protocol'], // config.ts, errors.ts, log.ts, host-name.ts
  sandbox: ['base', 'protocol'],
  terminal: ['base', 'protocol'],
  db: ['base', 'protocol'],
  sessions: ['base', 'protocol', 'sandbox', 'terminal'],
  labs: ['base', 'protocol', 'sandbox', 'db', 'sessions'],
  inspect: ['base', 'protocol', 'sandbox', 'sessions'],
  workshops: ['base', 'protocol', 'db', 'sessions', 'labs'],
  http: ['base', 'protocol', 'sessions', 'terminal', 'labs', 'inspect', 'workshops'],
  top: ['base', 'protocol', 'sandbox', 'terminal', 'db', 'sessions', 'labs', 'inspect', 'workshops', 'http'], // app, main, cli, doctor
};

const TOP_FILES = new Set(['app.ts', 'main.ts', 'cli.ts', 'doctor.ts']);

function roomOf(rel: string): string {
  const [first, ...rest] = rel.split('/');
  if (rest.length === 0) return TOP_FILES.has(first) ? 'top' : 'base';
  return first;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const files = walk(ROOT).map((f) => ({ file: f, rel: path.relative(ROOT, f) }));

describe('architecture: the rooms of server/ and the way their dependencies point', () => {
  it('finds every room it has rules for, and no room without rules', () => {
    const rooms = new Set(files.map((f) => roomOf(f.rel)));
    expect([...rooms].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('each import goes down, never up or sideways (the file and import that break a rule are named)', () => {
    const broken: string[] = [];
    for (const { file, rel } of files) {
      const from = roomOf(rel);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        if (target.startsWith('..')) {
          broken.push(`${rel} imports ${spec}, outside server/`);
          continue;
        }
        const to = roomOf(target.replace(/\.js$/, '.ts'));
        if (to !== from && !ALLOWED[from].includes(to)) broken.push(`${rel} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('protocol/ compiles on both sides: no node module, no import outside itself', () => {
    const bad = files.filter((f) => roomOf(f.rel) === 'protocol').flatMap((f) => importsOf(f.file).filter((s) => !s.startsWith('./')).map((s) => `${f.rel}: ${s}`));
    expect(bad).toEqual([]);
  });

  it.each([
    ['fastify', (rel: string) => rel.startsWith('http/') || rel.endsWith('/plugin.ts') || rel === 'app.ts'],
    ['fastify-plugin', (rel: string) => rel.endsWith('/plugin.ts') || rel === 'app.ts'],
    ['@lydell/node-pty', (rel: string) => rel.startsWith('terminal/')],
    ['execa', (rel: string) => rel === 'sandbox/exec.ts'],
    ['node:child_process', (rel: string) => rel === 'sandbox/runtime.ts' || rel === 'sandbox/exec.ts'],
  ])('%s is imported only in its room', (lib, allowed) => {
    const users = files.filter((f) => importsOf(f.file).some((s) => s === lib || s.startsWith(`${lib}/`))).map((f) => f.rel);
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((rel) => !allowed(rel))).toEqual([]);
  });
});

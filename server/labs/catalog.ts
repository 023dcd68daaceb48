// The lab catalog, loaded and validated at boot. A broken lab stops the start with the file, the
// field, what was expected and what was found. Labs whose `requires` the host cannot meet are
// listed as unavailable with the reason, not hidden.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { IsoplayError } from '../errors.js';
import { LANG_TAG, LabSchema, PathsSchema, TranslationSchema, type LabManifest } from './schema.js';
import { parseBlocks } from './markdown.js';
import { PROJECT_TOOLS_DIR } from '../sandbox/rootfs/etc-files.js';

export interface HostCapabilities {
  cgroupMode: 'v1' | 'v2' | null;
  kvm?: boolean;
  /** Why `isoplay-vm` cannot run here, or undefined when it can (see vmUnavailable). */
  vmMissing?: string;
}

/** Why a VM cannot boot in a sandbox on this host, or undefined when it can. */
export function vmUnavailable(toolsDir = PROJECT_TOOLS_DIR, vmLabs = true): string | undefined {
  if (!vmLabs) return 'labs that boot a VM are turned off on this server (--vm-labs off)';
  if (!fs.existsSync('/usr/bin/qemu-system-x86_64')) return 'needs qemu-system-x86 on the host (apt-get install qemu-system-x86)';
  for (const f of ['vm/vmlinuz', 'vm/initramfs.cpio.gz', 'bin/isoplay-vm']) {
    if (!fs.existsSync(path.join(toolsDir, f))) return `needs the VM image: run scripts/build-vm.sh (${f} is missing)`;
  }
  return undefined;
}

export interface LoadedStep {
  title: string;
  markdown: string;
  checkScript: string;
  solveScript: string;
  terminal: string;
  hints: string[];
  predict?: LabManifest['steps'][number]['predict'];
  solveTimeoutSec?: number;
  checkKind: 'kernel' | 'file';
  /** Reason id → default message (lab.yaml `failures`). */
  failures: Record<string, string>;
  /** Which cgroup version's files this step was loaded from, when it has one per version. */
  variant?: 'v1' | 'v2';
}

/** How long a step's solve may run: its own solveTimeoutSec, and never less than three check timeouts. */
export function solveTimeoutMs(step: { solveTimeoutSec?: number }, checkTimeoutMs: number): number {
  return Math.max(checkTimeoutMs * 3, (step.solveTimeoutSec ?? 0) * 1000);
}

export interface Lab {
  id: string;
  dir: string;
  manifest: LabManifest;
  steps: LoadedStep[];
  setupScript?: string;
  cleanupScript?: string;
  available: boolean;
  reason?: string;
  /** The host's cgroup version, which every check and solve gets as ISOPLAY_CGROUP_MODE. */
  cgroupMode: 'v1' | 'v2' | null;
  /** Translations by language tag (labs/<id>/i18n/<tag>.yaml), step texts already read. */
  translations: Map<string, LoadedTranslation>;
}

export interface LoadedTranslation {
  title?: string;
  summary?: string;
  steps: { title?: string; markdown?: string; hints?: string[]; predict?: { question?: string; options?: string[]; explain?: string }; failures?: Record<string, string> }[];
}

/** Reads and checks labs/<id>/i18n/*.yaml against the lab it translates (errors name the file and field). */
function loadTranslations(dir: string, steps: LoadedStep[], terminals: Set<string>, mode: 'v1' | 'v2'): Map<string, LoadedTranslation> {
  const out = new Map<string, LoadedTranslation>();
  const i18n = path.join(dir, 'i18n');
  if (!fs.existsSync(i18n)) return out;
  for (const name of fs.readdirSync(i18n).sort()) {
    const file = path.join(i18n, name);
    const lang = name.replace(/\.yaml$/, '');
    if (!name.endsWith('.yaml') || !LANG_TAG.test(lang)) throw invalid(file, `expected a file named like pt-BR.yaml, found "${name}"`);
    const t = readYaml(file, TranslationSchema);
    if (t.steps.length > steps.length) throw invalid(file, `steps: expected at most ${steps.length} (the lab's steps), found ${t.steps.length}`);
    out.set(lang, {
      title: t.title,
      summary: t.summary,
      steps: t.steps.map((ts, i) => {
        const en = steps[i];
        const field = `steps[${i}]`;
        for (const id of Object.keys(ts.failures ?? {})) if (!(id in en.failures)) throw invalid(file, `${field}.failures.${id}: expected one of the lab's reason ids (${Object.keys(en.failures).join(', ') || 'none'})`);
        // A step whose text differs by cgroup version is translated per version too ({ v1, v2 });
        // both files are validated, the host's version is served.
        let markdown: string | undefined;
        const files: [string, string][] = !ts.text ? [] : typeof ts.text === 'string' ? [[ts.text, 'text']] : [[ts.text.v1, 'text.v1'], [ts.text.v2, 'text.v2']];
        for (const [rel, name] of files) {
          const text = readRequired(dir, rel, `${field}.${name}`, file);
          const { blocks, errors } = parseBlocks(text);
          if (errors.length) throw invalid(path.join(dir, rel), errors[0]);
          const bad = blocks.find((b) => b.kind === 'exec' && b.terminal && !terminals.has(b.terminal));
          if (bad) throw invalid(path.join(dir, rel), `line ${bad.line}: exec block names terminal "${bad.terminal}"`);
          if (name === 'text' || name === `text.${mode}`) markdown = text;
        }
        const sameLength = (a: unknown[] | undefined, b: unknown[] | undefined) => (a && b && a.length === b.length ? a : undefined);
        return {
          title: ts.title,
          markdown,
          hints: sameLength(ts.hints, en.hints) as string[] | undefined,
          predict: ts.predict && en.predict ? { question: ts.predict.question, options: sameLength(ts.predict.options, en.predict.options) as string[] | undefined, explain: ts.predict.explain } : undefined,
          failures: ts.failures,
        };
      }),
    });
  }
  return out;
}

/** The environment of a lab's check or solve for step `index` (0-based). */
export function stepEnv(lab: Lab, index: number): Record<string, string> {
  return { ISOPLAY_STEP: String(index + 1), ISOPLAY_CGROUP_MODE: lab.cgroupMode ?? 'none' };
}

export interface LabPath {
  id: string;
  title: string;
  labs: string[];
}

export interface LabCatalog {
  labs: Map<string, Lab>;
  /** Suggested paths (labs/paths.yaml), every lab id checked at load. */
  paths: LabPath[];
  get(id: string): Lab | undefined;
}

/** Reads labs/paths.yaml, if there is one: each path's labs must exist in the catalogue. */
function loadPaths(labsDir: string, labs: Map<string, Lab>): LabPath[] {
  const file = path.join(labsDir, 'paths.yaml');
  if (!fs.existsSync(file)) return [];
  const paths = readYaml(file, PathsSchema);
  paths.forEach((p, i) =>
    p.labs.forEach((id, j) => {
      if (!labs.has(id)) throw invalid(file, `[${i}].labs[${j}]: expected a lab of this catalogue, found "${id}"`);
    }),
  );
  return paths;
}

function invalid(file: string, detail: string): IsoplayError {
  return new IsoplayError('ISOPLAY_ERR_LAB_INVALID', { file, detail });
}

/**
 * A YAML file checked against its schema: an error names the file and the field (and, with
 * `found`, what the field held; a bad record key is reported as the key, with the key's rule).
 */
function readYaml<S extends z.ZodType>(file: string, schema: S, opts: { found?: boolean } = {}): z.infer<S> {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalid(file, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)';
  if (!opts.found) throw invalid(file, `${field}: ${issue.message}`);
  const badKey = issue.code === 'invalid_key';
  const message = badKey ? ((issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message) : issue.message;
  const found = badKey ? issue.path.at(-1) : issue.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k as string] : undefined), raw);
  throw invalid(file, `${field}: ${message}, found ${found === undefined ? 'nothing' : JSON.stringify(found)}`);
}

function readRequired(dir: string, rel: string, field: string, labFile: string): string {
  const full = path.join(dir, rel);
  if (!fs.existsSync(full)) throw invalid(labFile, `${field}: expected an existing file, found "${rel}" (missing)`);
  return fs.readFileSync(full, 'utf8');
}

export function loadLab(dir: string, facts: HostCapabilities): Lab {
  const labFile = path.join(dir, 'lab.yaml');
  if (!fs.existsSync(labFile)) throw invalid(labFile, 'missing lab.yaml');
  const m = readYaml(labFile, LabSchema, { found: true });
  if (m.id !== path.basename(dir)) throw invalid(labFile, `id: expected "${path.basename(dir)}" (the folder's name), found "${m.id}"`);
  const terminals = new Set(m.terminals.map((t) => t.name));
  // Shell functions the lab's checks share (checks/lib.sh), put before each of its check scripts.
  const libFile = path.join(dir, 'checks', 'lib.sh');
  const checkLib = fs.existsSync(libFile) ? `${fs.readFileSync(libFile, 'utf8').trimEnd()}\n# end of checks/lib.sh\n` : '';
  const steps = m.steps.map((s, i) => {
    const field = `steps[${i}]`;
    if (s.terminal && !terminals.has(s.terminal)) throw invalid(labFile, `${field}.terminal: expected one of ${[...terminals].join(', ')}, found "${s.terminal}"`);
    if (s.predict && s.predict.answer >= s.predict.options.length) {
      throw invalid(labFile, `${field}.predict.answer: expected an index below ${s.predict.options.length}, found ${s.predict.answer}`);
    }
    // A per-version file is read and validated for both versions whatever this host runs, so a
    // broken v2 text fails at load on a v1 host too; the host's version is the one served.
    const mode = facts.cgroupMode ?? 'v2';
    const perMode = typeof s.text !== 'string' || typeof s.check !== 'string' || typeof s.solve !== 'string';
    const pick = (f: string | { v1: string; v2: string }, name: string): string => {
      if (typeof f === 'string') return readRequired(dir, f, `${field}.${name}`, labFile);
      const both = { v1: readRequired(dir, f.v1, `${field}.${name}.v1`, labFile), v2: readRequired(dir, f.v2, `${field}.${name}.v2`, labFile) };
      return both[mode];
    };
    const textFiles: [string, string][] = typeof s.text === 'string' ? [[s.text, 'text']] : [[s.text.v1, 'text.v1'], [s.text.v2, 'text.v2']];
    for (const [rel, name] of textFiles) {
      const { blocks, errors } = parseBlocks(readRequired(dir, rel, `${field}.${name}`, labFile));
      if (errors.length) throw invalid(path.join(dir, rel), errors[0]);
      for (const b of blocks) {
        if (b.kind === 'exec' && b.terminal && !terminals.has(b.terminal)) {
          throw invalid(path.join(dir, rel), `line ${b.line}: exec block names terminal "${b.terminal}", expected one of ${[...terminals].join(', ')}`);
        }
      }
    }
    return {
      title: s.title,
      markdown: pick(s.text, 'text'),
      checkScript: checkLib + pick(s.check, 'check'),
      solveScript: pick(s.solve, 'solve'),
      failures: s.failures,
      checkKind: s.checkKind,
      ...(perMode ? { variant: mode } : {}),
      terminal: s.terminal ?? m.terminals[0].name,
      hints: s.hints,
      predict: s.predict,
      solveTimeoutSec: s.solveTimeoutSec,
    };
  });
  const opt = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
  let reason: string | undefined;
  if (m.requires.cgroup !== 'any' && facts.cgroupMode !== m.requires.cgroup) {
    reason = `needs cgroup ${m.requires.cgroup}; this host uses ${facts.cgroupMode ?? 'no cgroups (host mode)'}`;
  } else if (m.requires.kvm && !facts.kvm) {
    reason = 'needs hardware KVM, which this host lacks';
  } else if (m.requires.vm && facts.vmMissing) {
    reason = facts.vmMissing;
  } else if (facts.cgroupMode === null) {
    reason = 'needs sandbox mode (the server runs in host mode)';
  }
  return { id: m.id, dir, manifest: m, steps, setupScript: opt('setup.sh'), cleanupScript: opt('cleanup.sh'), available: !reason, reason, cgroupMode: facts.cgroupMode,
    translations: loadTranslations(dir, steps, terminals, facts.cgroupMode ?? 'v2') };
}

const LEVELS = ['beginner', 'intermediate', 'advanced'];

export async function loadCatalog(labsDir: string, facts: HostCapabilities): Promise<LabCatalog> {
  const loaded: Lab[] = [];
  if (fs.existsSync(labsDir)) {
    for (const name of fs.readdirSync(labsDir).sort()) {
      const dir = path.join(labsDir, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      loaded.push(loadLab(dir, facts));
    }
  }
  // A learner who has never typed unshare sees the first lab first: by `order`, level, then id.
  loaded.sort((a, b) => a.manifest.order - b.manifest.order || LEVELS.indexOf(a.manifest.level) - LEVELS.indexOf(b.manifest.level) || a.id.localeCompare(b.id));
  const labs = new Map(loaded.map((l) => [l.id, l]));
  return { labs, paths: loadPaths(labsDir, labs), get: (id) => labs.get(id) };
}

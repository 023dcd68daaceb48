// Starts a real server (buildApp + listen on 127.0.0.1, random port) with a temp data dir.
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type AppDeps, type IsoplayApp } from '../../server/app.js';
import { loadConfig, PROJECT_ROOT, type Config } from '../../server/config.js';
import { SLOW_HOST_ENV } from './slow-host.js';

export interface TestServer {
  app: IsoplayApp;
  config: Config;
  base: string;
  ws: string;
  close(): Promise<void>;
}

/**
 * A test server's config. Session-creation limits are far above what any test file makes and
 * never-attached sessions live as long as detached ones, so only the tests about those limits
 * (tests/integration/attacks/web-edge.test.ts) meet them, with values of their own.
 */
/** Every test server's instructor key (creating a workshop needs it): createWorkshop() sends it. */
export const TEST_INSTRUCTOR_KEY = 'test-instructor-key-0123456789';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-test-'));
  return loadConfig([], SLOW_HOST_ENV, {
    dataDir,
    logLevel: 'silent',
    poolSize: 0,
    maxSessions: 20,
    port: 0,
    sessionRateMax: 100_000,
    workshopSessionRateMax: 100_000,
    maxSessionsPerClient: 100_000,
    unattachedGraceMs: 10 * 60_000,
    // Two more processes per sandbox, and ~60 ms: only the tests about the sandbox's internet turn it on.
    world: false,
    instructorKey: TEST_INSTRUCTOR_KEY,
    ...overrides,
  });
}

export async function startServer(overrides: Partial<Config> = {}, deps: AppDeps = {}): Promise<TestServer> {
  const config = testConfig(overrides);
  const app = await buildApp(config, deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  return {
    app,
    config,
    base: `http://127.0.0.1:${addr.port}`,
    ws: `ws://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export async function createSession(base: string, body: Record<string, unknown> = {}) {
  const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json();
  if (r.status !== 201) throw new Error(`POST /api/sessions: ${r.status} ${JSON.stringify(json)}`);
  return json as { id: string; token: string; learner: string; terminals: { name: string }[]; lab?: string };
}

/** POST /api/workshops with the test server's instructor key; the raw response (its status is the test's to check). */
export async function postWorkshop(srv: { base: string }, body: Record<string, unknown>, key: string | null = TEST_INSTRUCTOR_KEY): Promise<Response> {
  // null: no Authorization header at all
  return fetch(`${srv.base}/api/workshops`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== null ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** Creates a workshop with the instructor key; throws unless 201. */
export async function createWorkshop(srv: { base: string }, body: Record<string, unknown>) {
  const r = await postWorkshop(srv, body);
  const json = await r.json();
  if (r.status !== 201) throw new Error(`POST /api/workshops: ${r.status} ${JSON.stringify(json)}`);
  return json as { id: string; title: string; joinCode: string; instructorKey: string };
}

/**
 * The real server (server/main.ts, with its start-up reaper and instance claim) as a child
 * process on `port` with `dataDir`; resolves once it listens. `args` adds flags.
 */
export function startMainServer(dataDir: string, port: number, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server/main.ts'), '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('is running at')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

// What the benchmarks share: the server as a process of its own, and session create/delete.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { LoopReading } from './server-child.js';

export const BENCH_EDGE_ARGS = ['--session-rate-max', '1000000', '--max-sessions-per-client', '1000000', '--unattached-grace-ms', '600000'];

/**
 * The server as a separate process (bench/server-child.ts: buildApp and listen, without main's
 * start-up reaper), on a free port, with a temp data dir; `loop('reset' | 'read')` gives its longest
 * event-loop block and CPU (over IPC).
 */
export async function childServer(args: string[] = []): Promise<{
  base: string;
  ws: string;
  pid: number;
  dataDir: string;
  loop(cmd: 'reset' | 'read'): Promise<LoopReading>;
  stop(): Promise<void>;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-bench-'));
  // ISOPLAY_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const nodeArgs = process.env.ISOPLAY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(import.meta.dirname, 'server-child.ts'), '--port', '0', '--pool-size', '0', '--data-dir', dataDir,
    '--log-level', 'warn', ...BENCH_EDGE_ARGS, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`bench server exited ${c}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    dataDir,
    loop: (cmd) => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as LoopReading));
      child.send(`loop:${cmd}`);
    }),
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export async function post(base: string): Promise<{ id: string; token: string }> {
  const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (r.status !== 201) throw new Error(`POST ${r.status} ${await r.text()}`);
  return r.json() as Promise<{ id: string; token: string }>;
}

export async function del(base: string, s: { id: string; token: string }): Promise<void> {
  await fetch(`${base}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
}


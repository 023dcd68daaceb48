// isoplay-spawner: the small process that starts every host command for the server (exec.ts).
//
// Why it exists: starting a child from Node (libuv's uv_spawn) is synchronous. It forks the calling
// process and then blocks until the child has exec'd, so on a busy 2-core host a spawn from the
// server's 250 MiB process held the event loop that serves every terminal for tens of milliseconds
// (the load benchmark's profile: bench/RESULTS.md). Here the fork is of a small process and the wait
// blocks this process's loop, never the server's.
//
// Plain JavaScript on purpose: it starts with `node` alone (no TypeScript loader), so it stays small
// and starts fast. The commands themselves are run by execa, exactly as exec.ts ran them before.
// Protocol (Node's IPC channel, advanced serialization: Uint8Array input travels as bytes):
//   server -> here: { id, file, args, options }  (options: execa's, as exec.ts builds them)
//   here -> server: { id, exitCode, signal, stdout, stderr, timedOut, failed, code, message }
// and for a process that lives on (a sandbox's monitor, exec.ts's spawnLong):
//   server -> here: { op: 'start', id, file, args, input } | { op: 'kill', id, signal }
//   here -> server: { id, kind: 'spawn', pid } | { id, kind: 'stdout' | 'stderr', data }
//                   | { id, kind: 'exit', code, signal } | { id, kind: 'error', message }
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { replyOf } from './execa-reply.mjs';

process.title = 'isoplay-spawner';
const running = new Set();

async function run({ id, file, args, options }) {
  const sub = execa(file, args, { ...options, reject: false });
  running.add(sub);
  try {
    process.send?.(replyOf(await sub, id));
  } catch (e) {
    process.send?.({ id, stdout: '', stderr: '', timedOut: false, failed: true, code: e?.code ?? 'ERR', message: String(e?.message ?? e) });
  } finally {
    running.delete(sub);
  }
}

const long = new Map();

function start({ id, file, args, input }) {
  const send = (m) => process.send?.({ id, ...m });
  let child;
  try {
    child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    send({ kind: 'error', message: String(e?.message ?? e) });
    return;
  }
  child.on('error', (e) => send({ kind: 'error', message: e.message }));
  if (child.pid === undefined) return; // the 'error' above says why
  long.set(id, child);
  send({ kind: 'spawn', pid: child.pid });
  child.stdin.on('error', () => undefined);
  child.stdin.end(input === undefined ? undefined : Buffer.from(input));
  child.stdout.on('data', (data) => send({ kind: 'stdout', data }));
  child.stderr.on('data', (data) => send({ kind: 'stderr', data }));
  child.on('exit', (code, signal) => {
    long.delete(id);
    send({ kind: 'exit', code, signal });
  });
}

process.on('message', (req) => {
  if (!req || typeof req.id !== 'number') return;
  if (req.op === 'kill') {
    try { long.get(req.id)?.kill(req.signal ?? 'SIGTERM'); } catch { /* gone */ }
  } else if (typeof req.file === 'string' && Array.isArray(req.args)) {
    if (req.op === 'start') start(req);
    else void run(req);
  }
});
// The server is gone (it exited or was killed): no command of ours outlives it (a monitor dies with
// this process anyway: its PR_SET_PDEATHSIG names its parent, which is this process).
process.on('disconnect', () => {
  for (const sub of running) sub.kill('SIGKILL');
  for (const child of long.values()) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
  process.exit(0);
});

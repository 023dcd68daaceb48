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
import { execa } from 'execa';

process.title = 'isoplay-spawner';
const running = new Set();

async function run({ id, file, args, options }) {
  const sub = execa(file, args, { ...options, reject: false });
  running.add(sub);
  try {
    const r = await sub;
    process.send?.({
      id,
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      timedOut: Boolean(r.timedOut),
      failed: Boolean(r.failed),
      code: r.code,
      message: r.originalMessage ?? r.shortMessage,
    });
  } catch (e) {
    process.send?.({ id, stdout: '', stderr: '', timedOut: false, failed: true, code: e?.code ?? 'ERR', message: String(e?.message ?? e) });
  } finally {
    running.delete(sub);
  }
}

process.on('message', (req) => {
  if (req && typeof req.id === 'number' && typeof req.file === 'string' && Array.isArray(req.args)) void run(req);
});
// The server is gone (it exited or was killed): no command of ours outlives it.
process.on('disconnect', () => {
  for (const sub of running) sub.kill('SIGKILL');
  process.exit(0);
});

// Runs a lab's scripts against a learner's sandbox from the server: a check enters the sandbox's
// namespaces as its root and judges kernel state (processes' namespaces, cgroup files, links),
// never the terminal's text. Exit 0 passes, exit 1 fails; a timeout, a signal or any other exit
// code is a check error (our bug, never the learner's failure).
import type { Sandbox } from '../sandbox/spec.js';

export type CheckOutcome =
  | { status: 'passed'; message: string }
  | { status: 'failed'; message: string }
  | { status: 'error'; message: string };

export async function runScript(sandbox: Sandbox, script: string, timeoutMs: number, env: Record<string, string> = {}) {
  return sandbox.run(['/bin/bash', '-s'], { input: script, timeoutMs, env: { ISOPLAY_QUIET: '1', ...env } });
}

export async function runCheck(sandbox: Sandbox, script: string, timeoutMs: number, env: Record<string, string> = {}): Promise<CheckOutcome> {
  const r = await runScript(sandbox, script, timeoutMs, env);
  const message = r.stdout.trim() || r.stderr.trim().split('\n').slice(-3).join('\n');
  if (r.spawnError) return { status: 'error', message: `the check could not be started: ${r.spawnError}` };
  if (r.timedOut) return { status: 'error', message: `the check did not finish within ${timeoutMs} ms` };
  if (r.signal) return { status: 'error', message: `the check was killed by ${r.signal}` };
  if (r.exitCode === 0) return { status: 'passed', message: message || 'Done!' };
  if (r.exitCode === 1) return { status: 'failed', message: message || 'Not yet.' };
  return { status: 'error', message: `the check broke (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'no output'}` };
}

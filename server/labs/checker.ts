// Runs a lab's scripts against a learner's sandbox from the server. A kernel check (the default)
// runs the host's own binaries as host root in the host's mount namespace, having joined only the
// sandbox's UTS, IPC, network and cgroup namespaces, and reads the host's view of the sandbox's
// /proc entries and cgroup files: nothing the learner mounts or writes inside can fake it. A file
// check (`checkKind: file`, for the learner's own files) runs as the sandbox's root inside it.
// Solves always run inside, as the learner would. Checks judge state, never the terminal's text. Exit 0 passes, exit 1 fails; a timeout, a signal or any other exit
// code is a check error (our bug, never the learner's failure).
//
// Every check starts with a prelude that gives it `pass [message]` and `fail <reason-id> [message]`:
// the reason id is stable across learners (the message may carry PIDs and inodes), so a room's
// failures can be counted; the lab declares each id with a default message (`failures:` in lab.yaml).
import type { RunView, Sandbox } from '../sandbox/spec.js';
import { EXIT_HELPER, EXIT_STALE } from '../sandbox/runtime.js';
import { checkRuns } from '../metrics.js';

export type CheckOutcome =
  | { status: 'passed'; message: string }
  | { status: 'failed'; message: string; reason?: string }
  | { status: 'error'; message: string };

/** The marker line `fail` prints before its message. */
const REASON_LINE = /^isoplay-reason:([a-z0-9][a-z0-9-]{0,39})$/;

/**
 * Defined in every check. `session_pids` lists the host pids of the sandbox's processes (a kernel
 * check's own processes are in the session's cgroup too, but not in its pid namespace, so they are
 * left out); `inner_pid PID` is a process's pid as the sandbox sees it; `ns_depth PID` how many pid
 * namespaces it lives in below the host (1: the sandbox's, 2: one the learner made, ...).
 */
export const CHECK_PRELUDE = [
  `pass() { [ $# -gt 0 ] && printf '%s\\n' "$*"; exit 0; }`,
  `fail() { printf 'isoplay-reason:%s\\n' "$1"; shift; [ $# -gt 0 ] && printf '%s\\n' "$*"; exit 1; }`,
  `ns_depth() { awk '/^NSpid:/ {print NF-2}' "/proc/$1/status" 2>/dev/null; }`,
  `inner_pid() { awk '/^NSpid:/ {print $3}' "/proc/$1/status" 2>/dev/null; }`,
  // Few processes on purpose: a check may run where every fork is slow (the pure-v2 test VM).
  `session_pids() { local p; p=$(cat $(find "$ISOPLAY_CGROUP" -name cgroup.procs 2>/dev/null) 2>/dev/null | sort -un); [ -n "$p" ] || return 0; printf '/proc/%s/status\\n' $p | xargs awk '/^NSpid:/ && NF > 2 { split(FILENAME, a, "/"); print a[3] }' 2>/dev/null | sort -n; true; }`,
  '',
].join('\n');

/** Splits a failing check's stdout into its reason id (the first line, when `fail` printed it) and its message. */
export function parseFailure(stdout: string): { reason?: string; message: string } {
  const lines = stdout.trim().split('\n');
  const m = REASON_LINE.exec(lines[0]?.trim() ?? '');
  return m ? { reason: m[1], message: lines.slice(1).join('\n').trim() } : { message: stdout.trim() };
}

export async function runScript(sandbox: Sandbox, script: string, timeoutMs: number, env: Record<string, string> = {}, view: RunView = 'sandbox') {
  return sandbox.run(['/bin/bash', '-s'], { input: script, timeoutMs, env: { ISOPLAY_QUIET: '1', ...env }, view });
}

/** Runs a step's check and counts its result (isoplay_check_runs_total). */
export async function runCheck(...args: Parameters<typeof judgeCheck>): Promise<CheckOutcome> {
  const out = await judgeCheck(...args);
  checkRuns.inc({ result: out.status });
  return out;
}

async function judgeCheck(
  sandbox: Sandbox,
  script: string,
  timeoutMs: number,
  env: Record<string, string> = {},
  failures: Record<string, string> = {},
  view: RunView = 'kernel',
): Promise<CheckOutcome> {
  const r = await runScript(sandbox, CHECK_PRELUDE + script, timeoutMs, env, view);
  const message = r.stdout.trim() || r.stderr.trim().split('\n').slice(-3).join('\n');
  if (r.spawnError) return { status: 'error', message: `the check could not be started: ${r.spawnError}` };
  // The sandbox helper's own failure (or a sandbox that is gone) is never the learner's.
  if (r.exitCode === EXIT_HELPER || r.exitCode === EXIT_STALE) return { status: 'error', message: `the check could not enter the sandbox: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  if (r.timedOut) return { status: 'error', message: `the check did not finish within ${timeoutMs} ms` };
  if (r.signal) return { status: 'error', message: `the check was killed by ${r.signal}` };
  if (r.exitCode === 0) return { status: 'passed', message: message || 'Done!' };
  if (r.exitCode === 1) {
    const f = parseFailure(r.stdout);
    const text = f.message || (f.reason ? failures[f.reason] : undefined) || message || 'Not yet.';
    return f.reason ? { status: 'failed', message: text, reason: f.reason } : { status: 'failed', message: text };
  }
  return { status: 'error', message: `the check broke (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'no output'}` };
}

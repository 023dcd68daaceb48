// The one place that spawns host commands (execa). Every call has a timeout, and a failure
// carries the command, its exit code or signal and the tail of its stderr.
import { execa } from 'execa';

export interface RunOptions {
  timeoutMs?: number;
  input?: string | Uint8Array;
  env?: Record<string, string>;
  cwd?: string;
  /** Do not throw on a non-zero exit: return the result instead. */
  reject?: boolean;
}

export interface RunResult {
  /** The command as a shell would need it typed (arguments quoted where needed). */
  command: string;
  /** Why the command could not be started at all (e.g. "ENOENT: no such file"); then it has no exit code. */
  spawnError?: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export class CommandError extends Error {
  readonly result: RunResult;
  constructor(result: RunResult) {
    const why = result.spawnError
      ? `could not be started (${result.spawnError})`
      : result.timedOut
      ? 'timed out'
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited with ${result.exitCode}`;
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    super(`${result.command} ${why}${tail ? `: ${tail}` : ''}`);
    this.name = 'CommandError';
    this.result = result;
  }
}

/** Quotes an argument for display the way a POSIX shell would need it. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export async function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const r = await execa(file, args, {
    timeout: opts.timeoutMs ?? 30_000,
    input: opts.input,
    env: opts.env,
    extendEnv: opts.env === undefined,
    cwd: opts.cwd,
    reject: false,
    stripFinalNewline: false,
    forceKillAfterDelay: 1000,
  });
  // execa reports a command it could not start (ENOENT, EACCES) with no exit code and the errno.
  const errno = (r as { code?: string }).code;
  const spawnError = r.failed && r.exitCode === undefined && !r.signal && !r.timedOut && errno ? `${errno}: ${r.originalMessage ?? r.shortMessage}` : undefined;
  const result: RunResult = {
    command: [file, ...args].map(shellQuote).join(' '),
    ...(spawnError ? { spawnError } : {}),
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
    durationMs: performance.now() - started,
  };
  if ((opts.reject ?? true) && (result.spawnError || result.exitCode !== 0 || result.timedOut || result.signal)) {
    throw new CommandError(result);
  }
  return result;
}

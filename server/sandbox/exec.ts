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
  command: string;
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
    const why = result.timedOut
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
  const result: RunResult = {
    command: [file, ...args].join(' '),
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
    durationMs: performance.now() - started,
  };
  if ((opts.reject ?? true) && (result.exitCode !== 0 || result.timedOut || result.signal)) {
    throw new CommandError(result);
  }
  return result;
}

// The one place that spawns host commands (execa). Every call has a timeout, and a failure
// carries the command, its exit code or signal and the tail of its stderr.
//
// The commands are started by a small helper process (spawner-child.mjs), never on the server's own
// event loop: Node's spawn is synchronous (a fork of the whole server, then a wait until the child
// has exec'd), and on a busy host each one held every terminal's echo for tens of milliseconds.
// ISOPLAY_SPAWNER=off starts them in this process instead (the benchmarks' baseline).
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';
import { replyOf, type SpawnReply } from './execa-reply.mjs';

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

type SpawnOptions = Pick<Options, 'timeout' | 'input' | 'env' | 'extendEnv' | 'cwd' | 'stripFinalNewline' | 'forceKillAfterDelay'>;

/** The helper process that runs execa for this process, started on the first command and restarted if it dies. */
/** A process that lives on, started by the spawner (a sandbox's monitor): what runtime.ts needs of a ChildProcess. */
export class LongChild extends EventEmitter {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  constructor(private readonly killer: (signal: NodeJS.Signals) => void) {
    super();
    this.on('error', () => undefined); // reported to whoever listens (waitForReady); never thrown
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.killer(signal);
    return true;
  }

  /** @internal the spawner's report */
  report(m: LongReport): void {
    if (m.kind === 'spawn') {
      this.pid = m.pid;
      this.emit('spawn');
    } else if (m.kind === 'stdout' || m.kind === 'stderr') {
      this[m.kind].write(Buffer.from(m.data));
    } else if (m.kind === 'error') {
      this.emit('error', new Error(m.message));
    } else if (m.kind === 'exit') {
      this.exitCode = m.code ?? null;
      this.signalCode = (m.signal as NodeJS.Signals | undefined) ?? null;
      this.stdout.end();
      this.stderr.end();
      this.emit('exit', this.exitCode, this.signalCode);
    }
  }
}

type LongReport =
  | { id: number; kind: 'spawn'; pid: number }
  | { id: number; kind: 'stdout' | 'stderr'; data: Uint8Array }
  | { id: number; kind: 'exit'; code?: number | null; signal?: string | null }
  | { id: number; kind: 'error'; message: string };

class Spawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: SpawnReply) => void>();
  private readonly long = new Map<number, LongChild>();
  /** Commands started since this process began, and helpers started (tests read them). */
  started = 0;
  helpers = 0;

  run(file: string, args: readonly string[], options: SpawnOptions): Promise<SpawnReply> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<SpawnReply>((resolve) => {
      this.hold();
      this.pending.set(id, resolve);
      this.started++;
      try {
        child.send({ id, file, args: [...args], options });
      } catch (e) {
        this.settle({ id, stdout: '', stderr: '', timedOut: false, failed: true, code: 'ESPAWNER', message: `the spawner refused it: ${(e as Error).message}` });
      }
    });
  }

  /**
   * Starts a process that lives on (a sandbox's monitor) from the helper, with `input` on its stdin.
   * Its parent is the helper: `parentPid` is that pid (a monitor checks it, and dies with it).
   */
  spawnLong(file: string, args: readonly string[], input: Uint8Array | string): LongChild {
    const child = this.ensure();
    const id = this.nextId++;
    const long = new LongChild((signal) => {
      try {
        child.send({ op: 'kill', id, signal });
      } catch {
        /* the helper is gone, and the process with it (its parent-death signal) */
      }
    });
    this.hold(); // before it counts: hold() refs the helper when the first piece of work arrives
    this.long.set(id, long);
    long.once('exit', () => {
      this.long.delete(id);
      this.release();
    });
    this.started++;
    try {
      child.send({ op: 'start', id, file, args: [...args], input });
    } catch (e) {
      queueMicrotask(() => {
        long.report({ id, kind: 'error', message: `the spawner refused it: ${(e as Error).message}` });
        long.report({ id, kind: 'exit', code: null, signal: 'SIGKILL' });
      });
    }
    return long;
  }

  /** The helper's pid, started if it was not running: the parent of what spawnLong starts next. */
  parentPid(): number {
    return this.ensure().pid!;
  }

  private hold(): void {
    if (this.pending.size + this.long.size === 0 && this.child) {
      this.child.ref();
      (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
    }
  }

  private release(): void {
    if (this.pending.size + this.long.size === 0 && this.child) {
      // Idle: the helper does not keep this process alive (a CLI command ends when its work does).
      this.child.unref();
      (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
    }
  }

  private ensure(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a loader or a profiler meant for the server, not for this helper
    const child = spawn(process.execPath, [fileURLToPath(new URL('./spawner-child.mjs', import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      env,
    });
    this.helpers++;
    child.on('message', (m: SpawnReply | LongReport) => ('kind' in m ? this.long.get(m.id)?.report(m) : this.settle(m)));
    child.on('error', () => undefined); // reported below, on exit
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      // Whatever it was running is lost with it: each waiting caller gets a failure that says so.
      for (const id of [...this.pending.keys()]) {
        this.settle({ id, stdout: '', stderr: '', timedOut: false, failed: true, code: 'ESPAWNER', message: `the spawner process exited (${signal ?? code}) while the command ran` });
      }
      // A monitor it started dies with it (PR_SET_PDEATHSIG): say so to whoever waits on it.
      for (const [id, long] of [...this.long]) if (long.exitCode === null && long.signalCode === null) long.report({ id, kind: 'exit', code: null, signal: 'SIGKILL' });
    });
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.child = child;
    return child;
  }

  private settle(m: SpawnReply): void {
    const resolve = this.pending.get(m.id);
    if (!resolve) return;
    this.pending.delete(m.id);
    this.release();
    resolve(m);
  }

  /** The helper's pid, if one runs (tests). */
  get pid(): number | undefined {
    return this.child?.connected ? this.child.pid : undefined;
  }
}

export const spawner = new Spawner();

/** Commands start in the isoplay-spawner helper unless ISOPLAY_SPAWNER=off (the benchmarks' baseline). */
export function spawnerOn(): boolean {
  return process.env.ISOPLAY_SPAWNER !== 'off';
}

export async function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const options: SpawnOptions = {
    timeout: opts.timeoutMs ?? 30_000,
    input: opts.input,
    // Sent whole: the helper's own environment is the server's as it was when the helper started.
    env: opts.env ?? { ...process.env },
    extendEnv: false,
    cwd: opts.cwd,
    stripFinalNewline: false,
    forceKillAfterDelay: 1000,
  };
  const r = spawnerOn() ? await spawner.run(file, args, options) : replyOf(await execa(file, args, { ...options, reject: false }), 0);
  // A command that could not start (ENOENT, EACCES) has no exit code, only the errno.
  const spawnError = r.failed && r.exitCode === undefined && !r.signal && !r.timedOut && r.code ? `${r.code}: ${r.message}` : undefined;
  const result: RunResult = {
    command: [file, ...args].map(shellQuote).join(' '),
    ...(spawnError ? { spawnError } : {}),
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    timedOut: r.timedOut,
    durationMs: performance.now() - started,
  };
  if ((opts.reject ?? true) && (result.spawnError || result.exitCode !== 0 || result.timedOut || result.signal)) {
    throw new CommandError(result);
  }
  return result;
}

// Creates and destroys sandboxes from a SandboxSpec. Every creation step pushes its undo onto a
// cleanup stack; destroy runs it in reverse, never throws and is idempotent. The monitor process
// (`isoplay-init create`) is spawned here rather than through exec.ts because it lives as long as the
// sandbox: exec.ts runs commands that finish.
import { spawn, type ChildProcess } from 'node:child_process';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { PROJECT_ROOT } from '../config.js';
import { isDiskFull, IsoplayError } from '../errors.js';
import type { CgroupDriver, CgroupHandle } from './cgroups/driver.js';
import { cgroupDirsOf, type CgroupLayout } from './cgroups/detect.js';
import { runCommand, spawner, spawnerOn, type LongChild, type RunResult } from './exec.js';
import { buildCreateOps, buildEnterArgs, type EnterTarget, type HostFacts } from './namespaces/args.js';
import { encodeOps } from './init/ops.js';
import { WORLD_SCRIPT } from './world.js';
import type { EnterOptions, RunInSandboxOptions, Sandbox, SandboxFactory, SandboxSpec } from './spec.js';
import { SLOTS_PER_INSTANCE, type Instance } from './instance.js';

export const INIT_BIN = path.join(PROJECT_ROOT, 'build', 'isoplay-init');
/** isoplay-init enter's exit code when the recorded init is gone (its pid may be someone else's). */
export const EXIT_STALE = 111;
/** isoplay-init's own failure (a refused argument, a failed system call): never a command's exit status. */
export const EXIT_HELPER = 125;
/** Server-side commands (checks, solves, probes) running at once in one sandbox, and waiting. */
const RUN_CONCURRENCY = 2;
const RUN_QUEUE = 16;

export interface SandboxState {
  id: string;
  monitorPid: number;
  monitorStart: string;
  initPid: number;
  initStart: string;
  cgroup: string;
  idBase: number;
  createdAt: number;
}

/** Field 22 of /proc/PID/stat: the process's start time, to tell a pid from its reuse. */
export async function readStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

type Undo = () => Promise<void> | void;

async function runStack(stack: Undo[]): Promise<void> {
  while (stack.length) {
    const undo = stack.pop()!;
    try {
      await undo();
    } catch {
      /* destroy never throws; each undo is best effort and the reaper catches what is left */
    }
  }
}

function waitForReady(child: ChildProcess | LongChild, timeoutMs: number): Promise<{ pid: number; start: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`no ready line after ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new IsoplayError('ISOPLAY_ERR_SANDBOX_FAILED', { detail: `${why}${err ? `: ${err.trim()}` : ''}` }));
    };
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\d+) (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ pid: Number(m[1]), start: m[2] });
      }
    });
    child.once('error', (e) => fail(`cannot start ${INIT_BIN} (${e.message}); run scripts/build-native.sh`));
    child.once('exit', (code, sig) => setTimeout(() => fail(`isoplay-init exited (${sig ?? code})`), 20));
  });
}

/** The merged-usr links this host has at / (a layout fact, read once). */
function mergedUsrLinks(): string[] {
  return ['bin', 'sbin', 'lib', 'lib64', 'lib32'].filter((l) => {
    try {
      fsSync.lstatSync(`/${l}`);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The cgroup.procs file of this process's own cgroup in each hierarchy: where a monitor goes back
 * to once its sandbox is made (a freshly spawned child is there anyway).
 */
export function ownProcsFiles(layout: CgroupLayout, selfCgroup: string): string[] {
  return [...cgroupDirsOf(layout.hierarchies, selfCgroup).values()].map((d) => path.posix.join(d, 'cgroup.procs'));
}

export class SandboxRuntime implements SandboxFactory {
  private readonly slots = new Set<number>();
  private readonly facts: HostFacts;

  constructor(
    private readonly config: Config,
    private readonly driver: CgroupDriver,
    private readonly layout: CgroupLayout,
    /** Whose sandboxes these are: the tag starts each session cgroup's name; the uid range is its own. */
    readonly instance: Instance,
  ) {
    this.facts = { mode: driver.mode, hierarchies: layout.hierarchies, mergedUsr: mergedUsrLinks() };
  }

  get stateDir(): string {
    return path.join(this.config.dataDir, 'sandboxes');
  }

  /** uid slots in use (a slot whose cgroups could not be removed stays taken). */
  get slotsInUse(): number {
    return this.slots.size;
  }

  private takeSlot(): number {
    for (let n = 0; n < SLOTS_PER_INSTANCE; n++) {
      if (!this.slots.has(n)) {
        this.slots.add(n);
        return n;
      }
    }
    throw new IsoplayError('ISOPLAY_ERR_CAPACITY', { max: SLOTS_PER_INSTANCE });
  }

  /** The cgroup of a session: `<prefix>/<instance tag>-<id>`, so a reaper knows whose it is. */
  cgroupName(spec: Pick<SandboxSpec, 'prefix' | 'id'>): string {
    return path.posix.join(spec.prefix, `${this.instance.tag}-${spec.id}`);
  }

  /** A spec for a new session with this config's limits and the next free uid slot. */
  specFor(id: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
    return {
      id,
      prefix: this.config.prefix,
      hostname: 'sandbox',
      namespaces: ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'],
      idBase: -1,
      idCount: this.config.uidCount,
      limits: this.config.limits,
      rootfsBytes: this.config.rootfsBytes,
      world: this.config.world,
      ...overrides,
    };
  }

  async create(input: SandboxSpec): Promise<Sandbox> {
    const stack: Undo[] = [];
    const slot = this.takeSlot();
    let cgroupsGone = true;
    // A uid range is handed out again only once nothing of its last sandbox is left in the kernel.
    stack.push(() => void (cgroupsGone && this.slots.delete(slot)));
    const spec: SandboxSpec = input.idBase >= 0 ? input : { ...input, idBase: this.instance.uidBase + slot * this.config.uidCount };
    try {
      const cgroup = await this.driver.create(this.cgroupName(spec), spec.limits);
      stack.push(async () => {
        cgroupsGone = (await this.driver.destroy(cgroup)).length === 0;
      });
      await this.driver.delegate(cgroup, spec.idBase, spec.idBase);

      // The monitor is started by the spawner helper (exec.ts), not by a fork of this process on the
      // loop that serves every terminal; it dies with its parent, so it is told the helper's pid.
      // ISOPLAY_SPAWNER=off: this process starts it (the benchmarks' baseline).
      const remote = spawnerOn();
      const ops = buildCreateOps(spec, cgroup, this.facts, {
        serverPid: remote ? spawner.parentPid() : process.pid,
        returnProcs: ownProcsFiles(this.layout, fsSync.readFileSync('/proc/self/cgroup', 'utf8')),
        ptyMax: this.config.ptysPerSandbox,
      });
      let monitor: ChildProcess | LongChild;
      if (remote) {
        monitor = spawner.spawnLong(INIT_BIN, ['create'], encodeOps(ops));
      } else {
        monitor = spawn(INIT_BIN, ['create'], { stdio: ['pipe', 'pipe', 'pipe'] });
        monitor.stdin!.on('error', () => undefined); // a monitor that refused its input exits; its stderr says why
        monitor.stdin!.end(encodeOps(ops));
      }
      const exited = new Promise<void>((resolve) => monitor.once('exit', () => resolve()));
      const alive = () => monitor.exitCode === null && monitor.signalCode === null;
      stack.push(async () => {
        // Kill every process of the session at the cgroup level (however frozen); init dies, and the
        // monitor, outside the session, reaps it and exits. SIGKILL the monitor only if that stalls.
        await this.driver.kill(cgroup);
        const timer = (ms: number) => new Promise((r) => setTimeout(r, ms));
        await Promise.race([exited, timer(2000)]);
        if (alive()) {
          monitor.kill('SIGKILL');
          await Promise.race([exited, timer(1000)]);
        }
      });
      const init = await waitForReady(monitor, this.config.sandboxStartTimeoutMs);
      monitor.stdout!.resume();
      monitor.stderr!.resume();

      await fs.mkdir(this.stateDir, { recursive: true });
      const state: SandboxState = {
        id: spec.id,
        monitorPid: monitor.pid!,
        monitorStart: (await readStartTime(monitor.pid!)) ?? '',
        initPid: init.pid,
        initStart: init.start,
        cgroup: cgroup.path,
        idBase: spec.idBase,
        createdAt: Date.now(),
      };
      const stateFile = path.join(this.stateDir, `${spec.id}.json`);
      // The undo first: a write that fails half way (a full disk) leaves a file to remove too.
      stack.push(() => fs.rm(stateFile, { force: true }));
      await fs.writeFile(stateFile, JSON.stringify(state));
      const target: EnterTarget = {
        initPid: init.pid,
        initStart: init.start,
        monitorPid: monitor.pid!,
        // As /proc/PID/cgroup names it: under a delegated cgroup, the path from the mount.
        cgroupPath: `/${path.posix.join((this.driver as { base?: string }).base ?? '', cgroup.path)}`,
        namespaces: spec.namespaces,
        seccomp: spec.seccomp !== false,
      };
      const sandbox = new RunningSandbox(spec, target, cgroup, exited, stack);
      if (spec.world) {
        // Made by the sandbox's own root, inside: nothing of it exists outside the sandbox's namespaces.
        // A host whose checks get longer (the emulated v2 VM: ISOPLAY_CHECK_TIMEOUT_MS) gets longer here too.
        const r = await sandbox.run(['/bin/sh', '-s'], { input: WORLD_SCRIPT, timeoutMs: Math.max(10_000, this.config.checkTimeoutMs) });
        if (r.exitCode !== 0) throw new Error(`its network "internet" could not be made (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
      }
      return sandbox;
    } catch (e) {
      await runStack(stack);
      if (e instanceof IsoplayError) throw e;
      if (isDiskFull(e)) throw new IsoplayError('ISOPLAY_ERR_DISK_FULL', { detail: `writing under ${this.config.dataDir}` }, { cause: e });
      throw new IsoplayError('ISOPLAY_ERR_SANDBOX_FAILED', { detail: (e as Error).message }, { cause: e });
    }
  }
}

class RunningSandbox implements Sandbox {
  private destroying: Promise<void> | undefined;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  readonly initPid: number;
  readonly initStart: string;
  readonly monitorPid: number;

  constructor(
    readonly spec: SandboxSpec,
    private readonly target: EnterTarget,
    readonly cgroup: CgroupHandle,
    readonly exited: Promise<void>,
    private readonly stack: Undo[],
  ) {
    this.initPid = target.initPid;
    this.initStart = target.initStart;
    this.monitorPid = target.monitorPid;
  }

  enterCommand(argv: string[], opts: EnterOptions = {}): { file: string; args: string[]; env: Record<string, string> } {
    return { file: INIT_BIN, args: buildEnterArgs(this.target, this.cgroup, argv, opts), env: {} };
  }

  async run(argv: string[], opts: RunInSandboxOptions): Promise<RunResult> {
    if (this.running < RUN_CONCURRENCY) this.running++;
    else {
      if (this.waiting.length >= RUN_QUEUE) throw new IsoplayError('ISOPLAY_ERR_BUSY', { detail: `${RUN_CONCURRENCY + RUN_QUEUE} commands are already running or waiting in this sandbox` });
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing run hands its slot over
    }
    try {
      const cmd = this.enterCommand(argv, { env: opts.env, view: opts.view });
      return await runCommand(cmd.file, cmd.args, { input: opts.input, timeoutMs: opts.timeoutMs, reject: false });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  destroy(): Promise<void> {
    this.destroying ??= runStack(this.stack);
    return this.destroying;
  }
}

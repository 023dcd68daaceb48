// Creates and destroys sandboxes from a SandboxSpec. Every creation step pushes its undo onto a
// cleanup stack; destroy runs it in reverse, never throws and is idempotent. The monitor process
// (`isoplay-init create`) is spawned here rather than through exec.ts because it lives as long as the
// sandbox: exec.ts runs commands that finish.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { PROJECT_ROOT } from '../config.js';
import { IsoplayError } from '../errors.js';
import type { CgroupDriver, CgroupHandle } from './cgroups/driver.js';
import type { CgroupLayout } from './cgroups/detect.js';
import { buildCreateArgs, buildEnterArgs, type HostFacts } from './namespaces/args.js';
import type { EnterOptions, Sandbox, SandboxFactory, SandboxSpec } from './spec.js';

export const INIT_BIN = path.join(PROJECT_ROOT, 'build', 'isoplay-init');

export interface SandboxState {
  id: string;
  monitorPid: number;
  monitorStart: string;
  initPid: number;
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

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<number> {
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
      const m = /^ready (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (e) => fail(`cannot start ${INIT_BIN} (${e.message}); run scripts/build-native.sh`));
    child.once('exit', (code, sig) => setTimeout(() => fail(`isoplay-init exited (${sig ?? code})`), 20));
  });
}

export class SandboxRuntime implements SandboxFactory {
  private readonly slots = new Set<number>();
  private readonly facts: HostFacts;

  constructor(
    private readonly config: Config,
    private readonly driver: CgroupDriver,
    layout: CgroupLayout,
  ) {
    this.facts = { mode: driver.mode, hierarchies: layout.hierarchies };
  }

  get stateDir(): string {
    return path.join(this.config.dataDir, 'sandboxes');
  }

  private takeSlot(): number {
    for (let n = 0; ; n++) {
      if (!this.slots.has(n)) {
        this.slots.add(n);
        return n;
      }
    }
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
      ...overrides,
    };
  }

  async create(input: SandboxSpec): Promise<Sandbox> {
    const stack: Undo[] = [];
    const slot = this.takeSlot();
    stack.push(() => void this.slots.delete(slot));
    const spec: SandboxSpec = input.idBase >= 0 ? input : { ...input, idBase: this.config.uidBase + slot * this.config.uidCount };
    try {
      const cgroup = await this.driver.create(path.posix.join(spec.prefix, spec.id), spec.limits);
      stack.push(() => this.driver.destroy(cgroup));
      await this.driver.delegate(cgroup, spec.idBase, spec.idBase);

      const monitor = spawn(INIT_BIN, buildCreateArgs(spec, cgroup, this.facts), { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<void>((resolve) => monitor.once('exit', () => resolve()));
      let initPid = 0;
      stack.push(async () => {
        // SIGTERM: the monitor tells init, init kills everything in the sandbox and exits, and the
        // monitor reaps it. (SIGKILL of the monitor would leave init a zombie for whoever adopts
        // it, and a zombie keeps its cgroups busy until reaped.) SIGKILL only if that stalls.
        const alive = () => monitor.exitCode === null && monitor.signalCode === null;
        if (alive()) monitor.kill('SIGTERM');
        const timer = (ms: number) => new Promise((r) => setTimeout(r, ms));
        await Promise.race([exited, timer(1000)]);
        if (alive()) {
          monitor.kill('SIGKILL');
          await Promise.race([exited, timer(1000)]);
        }
        if (initPid) await waitGone(initPid, 2000);
      });
      initPid = await waitForReady(monitor, 10_000);
      monitor.stdout!.resume();
      monitor.stderr!.resume();

      await fs.mkdir(this.stateDir, { recursive: true });
      const state: SandboxState = {
        id: spec.id,
        monitorPid: monitor.pid!,
        monitorStart: (await readStartTime(monitor.pid!)) ?? '',
        initPid,
        cgroup: cgroup.path,
        idBase: spec.idBase,
        createdAt: Date.now(),
      };
      const stateFile = path.join(this.stateDir, `${spec.id}.json`);
      await fs.writeFile(stateFile, JSON.stringify(state));
      stack.push(() => fs.rm(stateFile, { force: true }));
      return new RunningSandbox(spec, initPid, cgroup, exited, stack);
    } catch (e) {
      await runStack(stack);
      throw e instanceof IsoplayError ? e : new IsoplayError('ISOPLAY_ERR_SANDBOX_FAILED', { detail: (e as Error).message }, { cause: e });
    }
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Gone, or a zombie: init's parent (the monitor) died first, so whoever adopted it reaps it.
    try {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') return;
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

class RunningSandbox implements Sandbox {
  private destroying: Promise<void> | undefined;

  constructor(
    readonly spec: SandboxSpec,
    readonly initPid: number,
    readonly cgroup: CgroupHandle,
    readonly exited: Promise<void>,
    private readonly stack: Undo[],
  ) {}

  enterCommand(argv: string[], opts: EnterOptions = {}): { file: string; args: string[]; env: Record<string, string> } {
    return { file: INIT_BIN, args: buildEnterArgs(this.initPid, this.cgroup, argv, opts), env: {} };
  }

  destroy(): Promise<void> {
    this.destroying ??= runStack(this.stack);
    return this.destroying;
  }
}

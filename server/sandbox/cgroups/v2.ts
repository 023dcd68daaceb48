// cgroup v2: one unified directory per session, limits in memory.max, memory.swap.max, pids.max,
// cpu.max and cpu.weight. Processes live in the leaf `<session>/init` (no-internal-process rule), so
// the learner can enable +memory +pids +cpu in the session's cgroup.subtree_control and make children.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SandboxLimits } from '../../config.js';
import { IsoplayError } from '../../errors.js';
import type { CgroupDriver, CgroupHandle, CgroupStats, ParentLimits } from './driver.js';
import { chownAll, exists, keepRemoving, killAndRemove, killPidsIn, listSubtree, readKeyed, readLimit, readNumber, readText, writeEach, writeLimit } from './fs-util.js';

export const V2_LEAF = 'init';
const NEEDED = ['memory', 'pids', 'cpu'];

export class CgroupV2Driver implements CgroupDriver {
  readonly mode = 'v2' as const;

  private parentDone = false;

  constructor(
    private readonly root: string,
    private readonly prefix: string,
    private readonly parentLimits?: ParentLimits,
  ) {}

  private async ensureParent(): Promise<void> {
    const available = ((await readText(path.join(this.root, 'cgroup.subtree_control'))) ?? '').trim().split(/\s+/);
    const missing = NEEDED.filter((c) => !available.includes(c));
    if (missing.length) {
      throw new IsoplayError('ISOPLAY_ERR_HOST_UNSUPPORTED', {
        detail: `the cgroup v2 root ${this.root} does not delegate ${missing.join(', ')} (cgroup.subtree_control has "${available.join(' ')}"); on a systemd host run the server as a service with Delegate=yes, or: echo "+${missing.join(' +')}" > ${this.root}/cgroup.subtree_control`,
      });
    }
    const parent = path.join(this.root, this.prefix);
    await fs.mkdir(parent).then(
      () => (this.parentDone = false), // made anew: it needs its caps again
      (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      },
    );
    const enabled = ((await readText(path.join(parent, 'cgroup.subtree_control'))) ?? '').trim().split(/\s+/);
    const toEnable = NEEDED.filter((c) => !enabled.includes(c));
    if (toEnable.length) await fs.writeFile(path.join(parent, 'cgroup.subtree_control'), toEnable.map((c) => `+${c}`).join(' '));
    if (this.parentLimits && !this.parentDone) {
      await writeLimit(parent, 'memory.max', String(this.parentLimits.memoryBytes), 'serverReserveBytes');
      await writeLimit(parent, 'cpu.max', `${this.parentLimits.cpuQuotaUsec} ${this.parentLimits.cpuPeriodUsec}`, 'sandboxesCpus');
      this.parentDone = true;
    }
  }

  async create(p: string, limits: SandboxLimits): Promise<CgroupHandle> {
    await this.ensureParent();
    const dir = path.join(this.root, p);
    await fs.mkdir(dir);
    const handle = this.handleFor(p);
    try {
      await fs.mkdir(path.join(dir, V2_LEAF));
      await writeLimit(dir, 'memory.max', String(limits.memoryBytes), 'limits.memoryBytes');
      if (await exists(path.join(dir, 'memory.swap.max'))) await writeLimit(dir, 'memory.swap.max', '0', 'limits.memoryBytes');
      await writeLimit(dir, 'pids.max', String(limits.pids), 'limits.pids');
      await writeLimit(dir, 'cpu.max', `${limits.cpuQuotaUsec} ${limits.cpuPeriodUsec}`, 'limits.cpuQuotaUsec');
      await writeLimit(dir, 'cpu.weight', String(limits.cpuWeight), 'limits.cpuWeight');
    } catch (e) {
      await this.destroy(handle);
      throw e;
    }
    return handle;
  }

  handleFor(p: string): CgroupHandle {
    const dir = path.join(this.root, p);
    return { path: p, dirs: { unified: dir }, procsFiles: [path.join(dir, 'cgroup.procs')], leafProcsFiles: [path.join(dir, V2_LEAF, 'cgroup.procs')] };
  }

  async delegate(handle: CgroupHandle, uid: number, gid: number): Promise<void> {
    const dir = handle.dirs.unified;
    const leaf = path.join(dir, V2_LEAF);
    const files = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];
    await chownAll([dir, ...files.map((f) => path.join(dir, f)), leaf, ...files.map((f) => path.join(leaf, f))], uid, gid);
  }

  async attach(handle: CgroupHandle, pid: number, leaf = V2_LEAF): Promise<void> {
    await fs.writeFile(path.join(handle.dirs.unified, leaf, 'cgroup.procs'), String(pid));
  }

  async stats(handle: CgroupHandle, child?: string): Promise<CgroupStats> {
    const dir = path.join(handle.dirs.unified, child && child !== '/' ? child : '');
    const cpuMax = ((await readText(path.join(dir, 'cpu.max'))) ?? '').trim().split(/\s+/);
    const cpu = await readKeyed(path.join(dir, 'cpu.stat'));
    const missing = (['memory', 'pids', 'cpu'] as const).filter((c) => !existsSync(path.join(dir, `${c}.max`)));
    return {
      memory: {
        current: (await readNumber(path.join(dir, 'memory.current'))) ?? 0,
        max: await readLimit(path.join(dir, 'memory.max')),
        peak: await readNumber(path.join(dir, 'memory.peak')),
      },
      pids: { current: (await readNumber(path.join(dir, 'pids.current'))) ?? 0, max: await readLimit(path.join(dir, 'pids.max')) },
      cpu: {
        usageUsec: cpu.usage_usec ?? 0,
        throttledUsec: cpu.throttled_usec ?? 0,
        quotaUsec: cpuMax[0] && cpuMax[0] !== 'max' ? Number(cpuMax[0]) : null,
        periodUsec: cpuMax[1] ? Number(cpuMax[1]) : null,
      },
      // memory.events counts the whole subtree; memory.events.local (Linux 5.2+) only this cgroup,
      // so an OOM kill in a learner's child is not reported a second time for its parents.
      oomKills: (await readKeyed(path.join(dir, existsSync(path.join(dir, 'memory.events.local')) ? 'memory.events.local' : 'memory.events'))).oom_kill ?? 0,
      ...(missing.length ? { missing: [...missing] } : {}),
    };
  }

  async listChildren(handle: CgroupHandle): Promise<string[]> {
    const base = handle.dirs.unified;
    return (await listSubtree(base)).reverse().map((d) => '/' + path.relative(base, d));
  }

  async kill(handle: CgroupHandle): Promise<void> {
    const dir = handle.dirs.unified;
    // cgroup.kill (Linux 5.14+) kills the whole subtree at once, forks in flight included; frozen
    // tasks die too (a v2-frozen task still takes SIGKILL).
    if (writeEach([dir], 'cgroup.kill', '1')) return;
    writeEach([dir], 'cgroup.freeze', '1');
    const all = await listSubtree(dir);
    killPidsIn(all);
    writeEach(all, 'cgroup.freeze', '0');
  }

  async destroy(handle: CgroupHandle): Promise<string[]> {
    const left = await killAndRemove([handle.dirs.unified], () => this.kill(handle));
    if (left.length) {
      process.emitWarning(`isoplay: could not remove cgroups ${left.join(', ')} yet: trying again in the background`);
      keepRemoving([handle.dirs.unified], () => this.kill(handle));
    }
    return left;
  }

  async listSessions(): Promise<string[]> {
    try {
      const entries = await fs.readdir(path.join(this.root, this.prefix), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => `${this.prefix}/${e.name}`);
    } catch {
      return [];
    }
  }
}

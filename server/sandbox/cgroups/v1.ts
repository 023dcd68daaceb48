// cgroup v1 (and hybrid hosts): one directory per mounted hierarchy. The session gets a directory
// in EVERY hierarchy the host mounts (and in the unified v2 one on hybrid hosts), because a learner
// can mount any hierarchy inside its cgroup namespace, and a hierarchy it never joined would show
// the host's whole tree. Limits: memory (with memsw, so swap is no escape), pids, cpu.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SandboxLimits } from '../../config.js';
import type { CgroupDriver, CgroupHandle, CgroupStats, ParentLimits } from './driver.js';
import { type CgroupHierarchy, type CgroupLayout, findV1, hierarchyName } from './detect.js';
import { chownAll, exists, keepRemoving, killAndRemove, killPidsIn, listSubtree, readKeyed, readLimit, readNumber, readText, sleep, writeEach, writeLimit } from './fs-util.js';

export class CgroupV1Driver implements CgroupDriver {
  readonly mode = 'v1' as const;
  private readonly joined: CgroupHierarchy[];
  private parentDone = false;

  constructor(
    private readonly layout: CgroupLayout,
    private readonly prefix: string,
    private readonly parentLimits?: ParentLimits,
  ) {
    this.joined = layout.hierarchies;
  }

  /** The shared `<prefix>` parent's caps, written once per driver (a limit the kernel refuses names its key). */
  private async limitParent(): Promise<void> {
    if (this.parentDone || !this.parentLimits) return;
    const mem = this.dir('memory', this.prefix);
    if (mem) await writeLimit(mem, 'memory.limit_in_bytes', String(this.parentLimits.memoryBytes), 'serverReserveBytes');
    const cpu = this.dir('cpu', this.prefix);
    if (cpu) {
      await writeLimit(cpu, 'cpu.cfs_period_us', String(this.parentLimits.cpuPeriodUsec), 'limits.cpuPeriodUsec');
      await writeLimit(cpu, 'cpu.cfs_quota_us', String(this.parentLimits.cpuQuotaUsec), 'sandboxesCpus');
    }
    this.parentDone = true;
  }

  private dirsOf(p: string): Record<string, string> {
    const dirs: Record<string, string> = {};
    for (const h of this.joined) dirs[hierarchyName(h)] = path.join(h.mountPoint, p);
    return dirs;
  }

  private dir(controller: string, p: string): string | undefined {
    const h = findV1(this.layout, controller);
    return h ? path.join(h.mountPoint, p) : undefined;
  }

  async create(p: string, limits: SandboxLimits): Promise<CgroupHandle> {
    for (const h of this.joined) {
      // Parents first: cpuset needs cpus and mems copied down before a process may join.
      const parts = p.split('/').filter(Boolean);
      let cur = h.mountPoint;
      for (const part of parts) {
        const parent = cur;
        cur = path.join(cur, part);
        const made = await fs.mkdir(cur).then(
          () => true,
          (e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
            return false;
          },
        );
        // A parent made anew (the last session's teardown removed it) needs its caps again.
        if (made && part === this.prefix) this.parentDone = false;
        if (h.controllers.includes('cpuset')) {
          for (const f of ['cpuset.cpus', 'cpuset.mems']) {
            const mine = (await readText(path.join(cur, f)))?.trim();
            if (!mine) await fs.writeFile(path.join(cur, f), ((await readText(path.join(parent, f))) ?? '').trim() || '0');
          }
        }
      }
    }
    const handle = this.handleFor(p);
    try {
      await this.limitParent();
      await this.writeLimits(p, limits);
    } catch (e) {
      await this.destroy(handle);
      throw e;
    }
    return handle;
  }

  handleFor(p: string): CgroupHandle {
    const dirs = this.dirsOf(p);
    const procs = Object.values(dirs).map((d) => path.join(d, 'cgroup.procs'));
    return { path: p, dirs, procsFiles: procs, leafProcsFiles: procs };
  }

  private async writeLimits(p: string, limits: SandboxLimits): Promise<void> {
    const mem = this.dir('memory', p);
    if (mem) {
      await writeLimit(mem, 'memory.limit_in_bytes', String(limits.memoryBytes), 'limits.memoryBytes');
      if (await exists(path.join(mem, 'memory.memsw.limit_in_bytes'))) {
        await writeLimit(mem, 'memory.memsw.limit_in_bytes', String(limits.memoryBytes), 'limits.memoryBytes');
      }
    }
    const pids = this.dir('pids', p);
    if (pids) await writeLimit(pids, 'pids.max', String(limits.pids), 'limits.pids');
    const cpu = this.dir('cpu', p);
    if (cpu) {
      await writeLimit(cpu, 'cpu.cfs_period_us', String(limits.cpuPeriodUsec), 'limits.cpuPeriodUsec');
      await writeLimit(cpu, 'cpu.cfs_quota_us', String(limits.cpuQuotaUsec), 'limits.cpuQuotaUsec');
      // cpu.weight 100 (v2 default) ~ cpu.shares 1024 (v1 default).
      await writeLimit(cpu, 'cpu.shares', String(Math.max(2, Math.round((limits.cpuWeight * 1024) / 100))), 'limits.cpuWeight');
    }
  }

  async delegate(handle: CgroupHandle, uid: number, gid: number): Promise<void> {
    // Only what mkdir, child limits and moves need; the session's own limit files stay host root's.
    for (const h of this.joined) {
      const d = handle.dirs[hierarchyName(h)];
      const files = h.version === 1 ? ['tasks', 'cgroup.procs'] : ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];
      await chownAll([d, ...files.map((f) => path.join(d, f))], uid, gid);
    }
  }

  async attach(handle: CgroupHandle, pid: number): Promise<void> {
    for (const f of handle.procsFiles) await fs.writeFile(f, String(pid));
  }

  private memDir(handle: CgroupHandle, child?: string): string {
    const h = findV1(this.layout, 'memory');
    const base = h ? handle.dirs[hierarchyName(h)] : Object.values(handle.dirs)[0];
    return path.join(base, child && child !== '/' ? child : '');
  }

  async stats(handle: CgroupHandle, child?: string): Promise<CgroupStats> {
    const rel = (c: string) => (child && child !== '/' ? path.join(handle.dirs[c] ?? '', child) : handle.dirs[c] ?? '');
    const mem = this.memDir(handle, child);
    const memName = findV1(this.layout, 'memory');
    const pidsH = findV1(this.layout, 'pids');
    const cpuH = findV1(this.layout, 'cpu');
    const acctH = findV1(this.layout, 'cpuacct');
    const pidsDir = pidsH ? rel(hierarchyName(pidsH)) : '';
    const cpuDir = cpuH ? rel(hierarchyName(cpuH)) : '';
    const acctDir = acctH ? rel(hierarchyName(acctH)) : '';
    const limit = memName ? await readLimit(path.join(mem, 'memory.limit_in_bytes')) : null;
    const cpuStat = cpuDir ? await readKeyed(path.join(cpuDir, 'cpu.stat')) : {};
    const quota = cpuDir ? await readLimit(path.join(cpuDir, 'cpu.cfs_quota_us')) : null;
    return {
      memory: {
        current: (await readNumber(path.join(mem, 'memory.usage_in_bytes'))) ?? 0,
        // v1 reports "no limit" as a huge page-aligned number.
        max: limit !== null && limit < 2 ** 60 ? limit : null,
        peak: await readNumber(path.join(mem, 'memory.max_usage_in_bytes')),
      },
      pids: {
        current: pidsDir ? ((await readNumber(path.join(pidsDir, 'pids.current'))) ?? 0) : 0,
        max: pidsDir ? await readLimit(path.join(pidsDir, 'pids.max')) : null,
      },
      cpu: {
        usageUsec: acctDir ? Math.round(((await readNumber(path.join(acctDir, 'cpuacct.usage'))) ?? 0) / 1000) : 0,
        throttledUsec: Math.round((cpuStat.throttled_time ?? 0) / 1000),
        quotaUsec: quota !== null && quota > 0 ? quota : null,
        periodUsec: cpuDir ? await readLimit(path.join(cpuDir, 'cpu.cfs_period_us')) : null,
      },
      oomKills: (await readKeyed(path.join(mem, 'memory.oom_control'))).oom_kill ?? 0,
      ...missingOf({ memory: memName ? mem : '', pids: pidsDir, cpu: cpuDir }),
    };
  }

  async listChildren(handle: CgroupHandle): Promise<string[]> {
    const base = this.memDir(handle);
    const dirs = (await listSubtree(base)).reverse();
    return dirs.map((d) => '/' + path.relative(base, d)).map((p) => (p === '/' ? '/' : p));
  }

  async kill(handle: CgroupHandle): Promise<void> {
    const freezer = findV1(this.layout, 'freezer');
    const frozenRoot = freezer ? handle.dirs[hierarchyName(freezer)] : undefined;
    // Freeze the whole session first: a frozen task cannot fork or re-freeze anything, so the kill
    // below cannot race a learner's loop. (Freezing an ancestor freezes every descendant.)
    if (frozenRoot && writeEach([frozenRoot], 'freezer.state', 'FROZEN')) {
      for (let i = 0; i < 50; i++) {
        const state = (await readText(path.join(frozenRoot, 'freezer.state')))?.trim();
        if (state !== 'FREEZING') break;
        await sleep(2);
      }
    }
    const all = (await Promise.all(Object.values(handle.dirs).map((d) => listSubtree(d)))).flat();
    killPidsIn(all);
    // The unified hierarchy of a hybrid host has a freezer of its own (cgroup.freeze), which SIGKILL
    // passes; cgroup.kill also catches a fork racing the list above.
    const unified = this.layout.unified ? handle.dirs[hierarchyName(this.layout.unified)] : undefined;
    if (unified) writeEach([unified], 'cgroup.kill', '1');
    // A SIGKILLed task dies only once thawed, and thawing the root leaves a child the learner froze
    // itself frozen: thaw every level.
    if (frozenRoot) writeEach(await listSubtree(frozenRoot), 'freezer.state', 'THAWED');
  }

  async destroy(handle: CgroupHandle): Promise<string[]> {
    const left = await killAndRemove(Object.values(handle.dirs), () => this.kill(handle));
    if (left.length) {
      process.emitWarning(`isoplay: could not remove cgroups ${left.join(', ')} yet: trying again in the background`);
      keepRemoving(Object.values(handle.dirs), () => this.kill(handle));
    }
    return left;
  }

  async listSessions(): Promise<string[]> {
    const names = new Set<string>();
    for (const h of this.joined) {
      try {
        for (const e of await fs.readdir(path.join(h.mountPoint, this.prefix), { withFileTypes: true })) {
          if (e.isDirectory()) names.add(`${this.prefix}/${e.name}`);
        }
      } catch {
        /* no prefix dir in this hierarchy */
      }
    }
    return [...names];
  }
}

/** The controllers whose hierarchy has no directory for this cgroup. */
function missingOf(dirs: Record<'memory' | 'pids' | 'cpu', string>): { missing?: ('memory' | 'pids' | 'cpu')[] } {
  const missing = (Object.keys(dirs) as ('memory' | 'pids' | 'cpu')[]).filter((k) => !dirs[k] || !existsSync(dirs[k]));
  return missing.length ? { missing } : {};
}

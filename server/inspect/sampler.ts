// One sampler per session at a fixed rate: reads the sandbox's processes, namespaces and cgroups
// from the real kernel and publishes `processes`, `cgroups`, `kernel` and `event` messages on the
// session's bus, only when something changed. No process is spawned per tick.
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import os from 'node:os';
import type { CgroupDriver } from '../sandbox/cgroups/driver.js';
import { runCommand } from '../sandbox/exec.js';
import type { CgroupInfo, KernelInfo, ProcessInfo, ServerEventMessage, VmKernelInfo } from '../protocol/events.js';
import type { SessionInfo } from '../sessions/types.js';
import { pidsInCgroup, readNamespaces, readProcess } from './procfs.js';

const THROTTLE_EVENT_MIN_USEC = 100_000;
/** A full pass (processes, namespaces, every cgroup file) at least this often, in ticks, even when
 * the session's CPU counter did not move. Anything that changes state in a sandbox uses CPU there,
 * so this is only a safety net. */
const PROCESS_REFRESH_TICKS = 20;
const THROTTLE_EVENT_EVERY_MS = 5_000;
/**
 * While a VM runs whose guest has not reported its kernel yet, look again every second; a qemu that
 * stays silent (started by hand, without isoplay-vm) is asked less and less often, down to every 15 s,
 * so it does not cost its session a probe process a second.
 */
export function vmProbeDelayMs(silentForMs: number): number {
  return silentForMs < 30_000 ? 1_000 : Math.min(15_000, 1_000 + Math.floor((silentForMs - 30_000) / 10));
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `isoplay-vm` gives each VM a second serial port that is a file in the sandbox,
 * /run/isoplay-vm/vm-<launcher pid>.json, and the guest's init writes one JSON line there at boot
 * (server/sandbox/vm/guest-init.sh). This script runs INSIDE the sandbox (never through
 * /proc/PID/root, where a learner's symlink could point the server at a host file) and prints
 * `<launcher pid> <launch ns> <report ns> <json>` per VM: the launcher writes the wall clock at
 * which it started qemu to vm-<pid>.start, and the report file's mtime is when the guest wrote it.
 */
export const VM_PROBE_SCRIPT =
  'for f in /run/isoplay-vm/vm-*.json; do [ -s "$f" ] || continue; p=${f##*/vm-}; p=${p%.json}; ' +
  's=$(cat "/run/isoplay-vm/vm-$p.start" 2>/dev/null); printf "%s %s %s %s\\n" "$p" "${s:-0}" "$(date -r "$f" +%s%N)" "$(head -c 600 "$f" | head -n 1)"; done';

/** Parses VM_PROBE_SCRIPT's output; a line that is not a guest's report is skipped. */
export function parseVmProbe(text: string): { launcherPid: number; info: KernelInfo & { memTotalKb?: number; bootWallSec?: number } }[] {
  const out: { launcherPid: number; info: KernelInfo & { memTotalKb?: number; bootWallSec?: number } }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+) (\d+) (\{.*\})\s*$/.exec(line);
    if (!m) continue;
    try {
      const j = JSON.parse(m[4]) as Record<string, unknown>;
      const launched = Number(m[2]);
      const reported = Number(m[3]);
      const wall = launched > 0 && reported > launched ? Math.round((reported - launched) / 1e7) / 100 : undefined;
      if (typeof j.release !== 'string' || j.release.length > 100 || typeof j.bootId !== 'string' || !UUID.test(j.bootId)) continue;
      const uptime = Number(j.uptimeSec);
      const mem = Number(j.memTotalKb);
      out.push({
        launcherPid: Number(m[1]),
        info: {
          release: j.release,
          bootId: j.bootId,
          uptimeSec: Number.isFinite(uptime) ? uptime : 0,
          ...(Number.isFinite(mem) && mem > 0 ? { memTotalKb: mem } : {}),
          ...(wall !== undefined ? { bootWallSec: wall } : {}),
        },
      });
    } catch {
      /* half-written or not JSON: the next probe reads it again */
    }
  }
  return out;
}

/** Pairs each guest report with its qemu process (a child of the launcher whose pid names the file). */
export function matchVms(qemus: ProcessInfo[], all: ProcessInfo[], reports: ReturnType<typeof parseVmProbe>): VmKernelInfo[] {
  const free = new Set(qemus);
  const vms: VmKernelInfo[] = [];
  for (const r of reports) {
    const q =
      [...free].find((p) => all.some((l) => l.hostPid === p.ppid && l.nsPids.slice(1).includes(r.launcherPid))) ??
      (free.size === 1 && reports.length === 1 ? [...free][0] : undefined);
    if (!q) continue;
    free.delete(q);
    vms.push({ ...r.info, bootSec: r.info.uptimeSec, hostPid: q.hostPid, accel: /-(accel|machine)\s+\S*kvm|-enable-kvm/.test(q.args) ? 'kvm' : 'tcg' });
  }
  return vms.sort((a, b) => a.hostPid - b.hostPid);
}

export async function hostKernel(): Promise<KernelInfo> {
  const [bootId, uptime] = await Promise.all([
    fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8'),
    fs.readFile('/proc/uptime', 'utf8'),
  ]);
  return { release: os.release(), bootId: bootId.trim(), uptimeSec: Math.floor(Number(uptime.split(' ')[0])) };
}

/** Read from INSIDE the sandbox, so "same kernel" is shown, not assumed. */
export async function sandboxKernel(session: SessionInfo): Promise<KernelInfo | undefined> {
  if (!session.sandbox) return undefined;
  const cmd = session.sandbox.enterCommand(['/bin/sh', '-c', 'uname -r; cat /proc/sys/kernel/random/boot_id; cut -d" " -f1 /proc/uptime']);
  const r = await runCommand(cmd.file, cmd.args, { timeoutMs: 5000, reject: false });
  const [release, bootId, uptime] = r.stdout.trim().split('\n');
  if (!release || !bootId) return undefined;
  return { release, bootId, uptimeSec: Math.floor(Number(uptime)) };
}

/** The session's cumulative CPU counter (v1 cpuacct.usage, v2 cpu.stat), read as text. */
function cpuSignal(dirs: Record<string, string>): string | undefined {
  const acct = Object.entries(dirs).find(([k]) => k.split(',').includes('cpuacct'))?.[1];
  const file = acct ? `${acct}/cpuacct.usage` : dirs.unified ? `${dirs.unified}/cpu.stat` : undefined;
  if (!file) return undefined;
  try {
    const t = fsSync.readFileSync(file, 'utf8');
    return file.endsWith('cpu.stat') ? t.slice(0, t.indexOf('\n')) : t;
  } catch {
    return undefined;
  }
}

/**
 * One timer for every sampler of a server (100 sessions at 2 Hz are one callback per period, not
 * 100 interval timers). Each sampler starts at a different tick phase, so the full passes of many
 * sessions do not all fall in the same period.
 */
export class SamplerScheduler {
  private readonly samplers = new Set<Pick<Sampler, 'tick'>>();
  private timer: NodeJS.Timeout | undefined;
  private phase = 0;
  readonly periodMs: number;

  constructor(hz: number) {
    this.periodMs = Math.max(50, Math.round(1000 / hz));
  }

  add(s: Pick<Sampler, 'tick'>): number {
    this.samplers.add(s);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const sm of this.samplers) void sm.tick();
      }, this.periodMs);
      this.timer.unref();
    }
    return this.phase++;
  }

  remove(s: Pick<Sampler, 'tick'>): void {
    this.samplers.delete(s);
    if (this.samplers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.samplers.size;
  }
}

export class Sampler {
  private readonly scheduler: SamplerScheduler;
  private readonly last = new Map<string, string>();
  private readonly oomSeen = new Map<string, number>();
  private readonly throttleSeen = new Map<string, { usec: number; at: number }>();
  private uidMap = '';
  private hostNs: ReturnType<typeof readNamespaces> | undefined;
  private lastPids = '';
  private dirty = true;
  private ticks = 0;
  private lastSignal: string | undefined;
  private kernelBase: { host: KernelInfo; sandbox: KernelInfo; at: number } | undefined;
  /** When each VM (by boot id) was first seen, to keep its uptime current. */
  private readonly vmSeenAt = new Map<string, number>();
  private procList: ProcessInfo[] = [];
  private vms: VmKernelInfo[] = [];
  private vmKey = '';
  private probingVms = false;
  private lastVmProbeAt = 0;
  /** Since when qemu runs without every guest having reported. */
  private vmSilentSince = 0;
  private offActivity: (() => void) | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly session: SessionInfo,
    private readonly driver: CgroupDriver,
    scheduler: SamplerScheduler | number,
    private readonly procRoot = '/proc',
  ) {
    this.scheduler = typeof scheduler === 'number' ? new SamplerScheduler(scheduler) : scheduler;
  }

  async start(): Promise<void> {
    const sb = this.session.sandbox;
    if (!sb) return;
    this.uidMap = await fs.readFile(`${this.procRoot}/${sb.initPid}/uid_map`, 'utf8').catch(() => '');
    const [host, sandbox] = await Promise.all([hostKernel(), sandboxKernel(this.session)]);
    if (sandbox) {
      this.kernelBase = { host, sandbox, at: Date.now() };
      this.publishKernel();
    }
    this.offActivity = this.session.onActivity?.(() => {
      this.dirty = true;
    });
    await this.tick();
    if (this.stopped) return;
    this.ticks = this.scheduler.add(this) % PROCESS_REFRESH_TICKS;
  }

  stop(): void {
    this.stopped = true;
    this.offActivity?.();
    this.scheduler.remove(this);
  }

  private publishKernel(): void {
    const base = this.kernelBase;
    if (!base) return;
    const at = Date.now();
    const since = (t: number) => (at - t) / 1000;
    const msg: ServerEventMessage = {
      type: 'kernel',
      at,
      host: { ...base.host, uptimeSec: Math.floor(base.host.uptimeSec + since(base.at)) },
      sandbox: { ...base.sandbox, uptimeSec: Math.floor(base.sandbox.uptimeSec + since(base.at)) },
      ...(this.vms.length
        ? { vms: this.vms.map((v) => ({ ...v, uptimeSec: Math.round((v.bootSec + since(this.vmSeenAt.get(v.bootId) ?? at)) * 10) / 10 })) }
        : {}),
    };
    this.publishIfChanged('kernel', msg, this.vms.map((v) => [v.bootId, v.hostPid]));
  }

  /** A qemu process in the sandbox: ask the guest's report (from inside) until every VM has one. */
  private watchVms(): void {
    const qemus = this.procList.filter((p) => p.comm.startsWith('qemu-system'));
    const key = qemus.map((q) => q.hostPid).join(',');
    if (!qemus.length) {
      this.vmSilentSince = 0;
      if (this.vms.length || this.vmKey) {
        this.vms = [];
        this.vmKey = '';
        this.publishKernel();
      }
      return;
    }
    if (key === this.vmKey) {
      this.vmSilentSince = 0;
      return;
    }
    this.vmSilentSince ||= Date.now();
    if (this.probingVms || Date.now() - this.lastVmProbeAt < vmProbeDelayMs(Date.now() - this.vmSilentSince)) return;
    const sb = this.session.sandbox;
    if (!sb) return;
    this.probingVms = true;
    this.lastVmProbeAt = Date.now();
    const all = this.procList;
    const cmd = sb.enterCommand(['/bin/sh', '-c', VM_PROBE_SCRIPT]);
    void runCommand(cmd.file, cmd.args, { timeoutMs: 5000, reject: false })
      .then((r) => {
        if (this.stopped) return;
        const vms = matchVms(qemus, all, parseVmProbe(r.stdout));
        const fresh = vms.some((v) => !this.vms.some((o) => o.bootId === v.bootId));
        for (const v of vms) if (!this.vmSeenAt.has(v.bootId)) this.vmSeenAt.set(v.bootId, Date.now());
        this.vms = vms;
        // Done when every qemu has its guest's report; until then, probe again next second.
        if (vms.length === qemus.length) this.vmKey = key;
        this.publishKernel();
        // A guest that just finished booting is a change without a command: let lab checks run.
        if (fresh) this.session.notifyActivity?.();
      })
      .finally(() => (this.probingVms = false));
  }

  private publishIfChanged(key: string, msg: ServerEventMessage, compare: unknown): void {
    const s = JSON.stringify(compare);
    if (this.last.get(key) === s) return;
    this.last.set(key, s);
    this.session.bus.publish(msg);
  }

  async tick(): Promise<void> {
    const sb = this.session.sandbox;
    if (!sb || this.running || this.stopped) return;
    this.running = true;
    try {
      const at = Date.now();
      // Nothing ran in the sandbox since the last tick (its CPU counter did not move): nothing
      // changed either, so an idle session costs one small read. A full pass every few seconds
      // catches anything else.
      this.ticks++;
      const signal = cpuSignal(sb.cgroup.dirs);
      const idle = signal !== undefined && signal === this.lastSignal && !this.dirty && this.ticks % PROCESS_REFRESH_TICKS !== 0;
      this.lastSignal = signal;
      if (idle) return;
      const memDir = sb.cgroup.dirs.memory ?? sb.cgroup.dirs.unified ?? Object.values(sb.cgroup.dirs)[0];
      const pids = pidsInCgroup(memDir);
      // Processes and their namespaces change when something runs: re-read them when the set of
      // pids changes, after a command the learner ran, and every few seconds as a fallback.
      const key = pids.join(',');
      if (key !== this.lastPids || this.dirty || this.ticks % PROCESS_REFRESH_TICKS === 0) {
        this.lastPids = key;
        this.dirty = false;
        // The server's own namespaces do not change: read them once.
        this.hostNs ??= readNamespaces(this.procRoot, 'self');
        const hostNs = this.hostNs;
        const procs = pids.map((p) => readProcess(this.procRoot, p, this.uidMap));
        // The monitor (a host process without a pid inside) is not the learner's.
        const list = procs.filter((p): p is NonNullable<typeof p> => !!p && p.nsPids.length > 1);
        this.procList = list;
        this.publishIfChanged('processes', { type: 'processes', at, hostNs, list }, list.map((p) => [p.hostPid, p.nsPids, p.comm, p.args, p.ns]));
      }

      this.watchVms();

      const children = await this.driver.listChildren(sb.cgroup);
      const cgroups: CgroupInfo[] = await Promise.all(
        children.map(async (path) => ({ path, ...(await this.driver.stats(sb.cgroup, path)) })),
      );
      this.publishIfChanged('cgroups', { type: 'cgroups', at, mode: this.driver.mode, list: cgroups }, cgroups);
      for (const c of cgroups) {
        const seen = this.oomSeen.get(c.path);
        if (seen !== undefined && c.oomKills > seen) {
          this.session.bus.publish({ type: 'event', at, kind: 'oom', path: c.path, count: c.oomKills });
        }
        this.oomSeen.set(c.path, c.oomKills);
        const th = this.throttleSeen.get(c.path);
        if (!th) this.throttleSeen.set(c.path, { usec: c.cpu.throttledUsec, at });
        else if (c.cpu.throttledUsec - th.usec >= THROTTLE_EVENT_MIN_USEC && at - th.at >= THROTTLE_EVENT_EVERY_MS) {
          this.session.bus.publish({ type: 'event', at, kind: 'throttle', path: c.path, throttledUsec: c.cpu.throttledUsec });
          this.throttleSeen.set(c.path, { usec: c.cpu.throttledUsec, at });
        }
      }
    } catch {
      /* the sandbox is going away; the next tick or stop() settles it */
    } finally {
      this.running = false;
    }
  }
}

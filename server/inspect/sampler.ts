// One sampler per session at a fixed rate, on the main thread: it schedules passes over the
// sandbox's processes, namespaces and cgroups, which the kernel view's one worker thread reads
// (sample-worker.ts, sample-pass.ts, bounded per session), and publishes the compact results as
// `processes`, `cgroups`, `kernel` and `event` messages on the session's bus, only when something
// changed. It never reads /proc or cgroupfs itself; the only processes it starts (the kernel and VM
// probes inside the sandbox) are spawned here, on the main thread, because PR_SET_PDEATHSIG fires
// when the spawning thread exits.
import type { KernelInfo, ProcessInfo, ServerEventMessage, VmKernelInfo } from '../protocol/events.js';
import type { SessionInfo } from '../sessions/types.js';
import type { PassPlan, PassResult } from './sample-pass.js';
import { WorkerStoppedError } from './sample-worker.js';
import { samplerTickSeconds } from '../metrics.js';
import { sandboxKernel } from './kernel-probe.js';
import { cgroupsMessage, processesMessage } from './messages.js';
import { driverPlan, SamplerScheduler, type SamplerDriver } from './scheduler.js';
import { matchVms, parseVmProbe, VM_PROBE_SCRIPT, vmProbeDelayMs } from './vm-probe.js';

const THROTTLE_EVENT_MIN_USEC = 100_000;
/** A full pass (processes, namespaces, every cgroup file) at least this often, in ticks, even when
 * the session's CPU counter did not move. Anything that changes state in a sandbox uses CPU there,
 * so this is only a safety net. */
const PROCESS_REFRESH_TICKS = 20;
const THROTTLE_EVENT_EVERY_MS = 5_000;

export class Sampler {
  private readonly scheduler: SamplerScheduler;
  private readonly last = new Map<string, string>();
  private readonly oomSeen = new Map<string, number>();
  private readonly throttleSeen = new Map<string, { usec: number; at: number }>();
  /** Paths and ids the worker needs; set by the first tick (it asks the worker for the uid map). */
  private plan: PassPlan | undefined;
  private dirty = true;
  private ticks = 0;
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
  private started = false;
  private stopped = false;

  constructor(
    private readonly session: SessionInfo,
    private readonly driver: SamplerDriver,
    scheduler: SamplerScheduler | number,
    private readonly procRoot = '/proc',
  ) {
    this.scheduler = typeof scheduler === 'number' ? new SamplerScheduler(scheduler) : scheduler;
  }

  async start(): Promise<void> {
    if (!this.session.sandbox || this.started || this.stopped) return;
    this.started = true;
    // From here until stop() this sampler holds the worker thread (the scheduler starts it lazily).
    const phase = this.scheduler.add(this);
    this.ticks = phase % PROCESS_REFRESH_TICKS;
    this.offActivity = this.session.onActivity?.(() => {
      this.dirty = true;
    });
    await this.tick();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.offActivity?.();
    this.scheduler.worker.forget(this.session.id);
    this.scheduler.remove(this);
  }

  /** The uid map and the host's kernel (read by the worker), then the sandbox's kernel (a probe inside). */
  private async loadBase(): Promise<void> {
    const sb = this.session.sandbox!;
    const base = await this.scheduler.worker.request({ kind: 'base', procRoot: this.procRoot, initPid: sb.initPid });
    if (this.stopped) return;
    const dirs = sb.cgroup.dirs;
    const acct = Object.entries(dirs).find(([k]) => k.split(',').includes('cpuacct'))?.[1];
    this.plan = {
      session: this.session.id,
      procRoot: this.procRoot,
      driver: driverPlan(this.driver),
      cgroup: sb.cgroup,
      // The driver lists a session's children here too (v1: the memory hierarchy; v2: the unified one).
      treeDir: dirs.memory ?? dirs.unified ?? Object.values(dirs)[0],
      cpuFile: acct ? `${acct}/cpuacct.usage` : dirs.unified ? `${dirs.unified}/cpu.stat` : undefined,
      uidMap: base.uidMap,
    };
    this.scheduler.worker.open(this.plan);
    const sandbox = await sandboxKernel(this.session);
    if (sandbox && !this.stopped) {
      this.kernelBase = { host: base.host, sandbox, at: Date.now() };
      this.publishKernel();
    }
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
    void sb
      .run(['/bin/sh', '-c', VM_PROBE_SCRIPT], { timeoutMs: 5000 })
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
      .catch((err) => {
        // ISOPLAY_ERR_BUSY: the learner's sandbox already runs its share of server-side commands.
        if (!this.stopped) this.scheduler.log.warn({ err, session: this.session.id }, 'VM probe failed; the next tick tries again');
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
    if (!this.session.sandbox || this.running || this.stopped) return;
    this.running = true;
    const session = this.session.id;
    const endTick = samplerTickSeconds.startTimer();
    try {
      if (!this.plan) await this.loadBase();
      if (!this.plan || this.stopped) return;
      // A full pass (processes re-read even if the set of pids is the same) after a command the
      // learner ran, and every few seconds as a fallback. Otherwise, when the sandbox's CPU counter
      // did not move, nothing changed either, and the worker reads one small file.
      this.ticks++;
      const full = this.dirty || this.ticks % PROCESS_REFRESH_TICKS === 0;
      this.dirty = false;
      const at = Date.now();
      let r: PassResult;
      try {
        r = (await this.scheduler.worker.request({ kind: 'pass', session, full })).result;
      } catch (e) {
        if (full) this.dirty = true; // not done: the next tick does it
        throw e;
      }
      if (this.stopped || r.idle) return;
      if (r.processes) {
        this.procList = r.processes.list;
        this.session.bus.publish(processesMessage(at, r.processes));
      }
      this.watchVms();
      if (!r.cgroups) return;
      this.session.bus.publish(cgroupsMessage(at, this.driver.mode, r.cgroups));
      for (const c of r.cgroups.list) {
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
    } catch (err) {
      // A worker that was stopped or is restarting logged its own failure once; anything else
      // (a read that threw in the worker) is logged here with the session it concerns.
      if (!(err instanceof WorkerStoppedError) && !this.stopped) this.scheduler.log.warn({ err, session }, 'kernel view pass failed; the next tick tries again');
    } finally {
      this.running = false;
      endTick();
    }
  }
}

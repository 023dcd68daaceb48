// One timer for every sampler of a server, and the one worker thread that reads for all of them.
import type { CgroupDriver } from '../sandbox/cgroups/driver.js';
import type { CgroupLayout } from '../sandbox/cgroups/detect.js';
import type { DriverPlan } from './sample-pass.js';
import { SampleWorker } from './sample-worker.js';
import { stderrLog, type Logger } from '../log.js';

/** What the scheduler drives: a sampler's tick. */
export interface Tickable {
  tick(): Promise<void>;
}

/** A cgroup driver the worker can rebuild: its mode, and on v1 the host's hierarchies. */
export type SamplerDriver = CgroupDriver & { readonly layout: CgroupLayout };

export function driverPlan(d: SamplerDriver): DriverPlan {
  return d.mode === 'v2' ? { mode: 'v2' } : { mode: 'v1', layout: d.layout };
}

/**
 * One timer for every sampler of a server (100 sessions at 2 Hz are one callback per period, not
 * 100 interval timers), and the one worker thread that reads for all of them. Each sampler starts
 * at a different tick phase, so the full passes of many sessions do not all fall in the same period.
 */
export class SamplerScheduler {
  private readonly samplers = new Set<Tickable>();
  private timer: NodeJS.Timeout | undefined;
  private phase = 0;
  readonly periodMs: number;
  readonly worker: SampleWorker;
  readonly log: Logger;

  constructor(hz: number, opts: { log?: Logger; worker?: SampleWorker } = {}) {
    this.periodMs = Math.max(50, Math.round(1000 / hz));
    this.log = opts.log ?? stderrLog;
    this.worker = opts.worker ?? new SampleWorker({ log: this.log });
  }

  add(s: Tickable): number {
    if (!this.samplers.has(s)) {
      this.samplers.add(s);
      this.worker.acquire();
    }
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const sm of this.samplers) void sm.tick();
      }, this.periodMs);
      this.timer.unref();
    }
    return this.phase++;
  }

  remove(s: Tickable): void {
    if (!this.samplers.delete(s)) return;
    this.worker.release();
    if (this.samplers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Server close: no more ticks, and the worker thread is terminated. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.samplers.clear();
    this.worker.close();
  }

  get size(): number {
    return this.samplers.size;
  }
}

// The kernel view's service: one sampler per session with a sandbox (started with the session,
// stopped with it) on the shared scheduler and worker thread, which close with the server.
import type { Logger, SessionInfo, SessionRegistry } from '../sessions/types.js';
import type { ServerEventMessage } from '../protocol/events.js';
import { Sampler } from './sampler.js';
import { SamplerScheduler, type SamplerDriver } from './scheduler.js';

export class InspectService {
  /** The samplers by session id (benchmarks stop them to measure what they cost). */
  readonly samplers = new Map<string, Sampler>();
  readonly scheduler: SamplerScheduler;

  constructor(
    private readonly driver: SamplerDriver | undefined,
    samplerHz: number,
    private readonly log: Logger,
  ) {
    this.scheduler = new SamplerScheduler(samplerHz, { log });
  }

  attach(registry: SessionRegistry): void {
    registry.addHooks({
      onSessionStart: (s) => this.start(s),
      onSessionEnd: (s) => this.stop(s.id),
    });
  }

  private start(s: SessionInfo): void {
    if (!this.driver || !s.sandbox) return;
    const sampler = new Sampler(s, this.driver, this.scheduler);
    this.samplers.set(s.id, sampler);
    sampler.start().catch((err) => this.log.warn({ err, session: s.id }, 'kernel view sampler failed to start'));
  }

  private stop(id: string): void {
    this.samplers.get(id)?.stop();
    this.samplers.delete(id);
  }

  /** The current kernel-view messages of a session (what a new event socket would start with). */
  snapshot(s: SessionInfo): ServerEventMessage[] {
    return s.bus.snapshot();
  }

  /** Server close: every sampler stops, and the worker thread is terminated. */
  close(): void {
    for (const id of [...this.samplers.keys()]) this.stop(id);
    this.scheduler.close();
  }
}

// The main thread's handle on the kernel view's one worker thread (sample-thread.ts), which does
// every /proc and cgroupfs read of every sampler. Started on the first request, stopped when the
// last sampler lets go, terminated on server close; a worker that crashes or stops answering is
// logged and started afresh on a later request, and never takes the server down.
import { Worker } from 'node:worker_threads';
import type { KernelInfo } from '../protocol/events.js';
import type { PassPlan, PassResult } from './sample-pass.js';
import { stderrLog, type Logger } from '../log.js';

/** Requests are answered; a pass names its session, whose plan the worker was given once. */
export type WorkerRequest =
  | { id: number; kind: 'base'; procRoot: string; initPid: number }
  | { id: number; kind: 'pass'; session: string; full: boolean };

/**
 * Notices are not answered: a session's plan (its paths, a few kilobytes that would otherwise be
 * copied on every tick), and the end of a session.
 */
export type WorkerNotice = { kind: 'open'; plan: PassPlan } | { kind: 'forget'; session: string };

export type WorkerReply =
  | { id: number; kind: 'base'; uidMap: string; host: KernelInfo }
  | { id: number; kind: 'pass'; result: PassResult }
  | { id: number; kind: 'error'; message: string };

/**
 * What crosses between the threads: the requests made in one turn of the main loop (the scheduler
 * ticks every sampler at once) go as one message, and come back as one, so 100 sessions at 2 Hz
 * are 2 message events a second on the main thread rather than 200.
 */
export type WorkerBatch = { kind: 'batch'; requests: WorkerRequest[] };
export type WorkerBatchReply = { kind: 'batch'; replies: WorkerReply[] };

/**
 * A request that ended because the worker was stopped or is being restarted: expected, never worth
 * a log line (the worker's crash itself is logged once, here).
 */
export class WorkerStoppedError extends Error {
  constructor(why: string) {
    super(`kernel view worker ${why}`);
  }
}

type Pending = { resolve(r: WorkerReply): void; reject(e: Error): void; at: number; session: string | undefined };
type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

export interface SampleWorkerOptions {
  log?: Logger;
  /** The worker's entry module (tests pass a fixture that crashes on demand). */
  entry?: URL;
  /** A request unanswered for this long means a stuck worker: it is replaced. */
  requestTimeoutMs?: number;
  /** After a crash, no new worker before this much time has passed. */
  restartDelayMs?: number;
}

export class SampleWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Every open session's plan, given again to a worker that replaces a failed one. */
  private readonly plans = new Map<string, PassPlan>();
  /** Requests of this turn of the event loop, sent together when it ends. */
  private batch: WorkerRequest[] = [];
  private nextId = 1;
  private users = 0;
  private notBefore = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly entry: URL;
  private readonly requestTimeoutMs: number;
  private readonly restartDelayMs: number;
  /** How many times a worker was started (tests and the log read it). */
  starts = 0;

  constructor(opts: SampleWorkerOptions = {}) {
    this.log = opts.log ?? stderrLog;
    this.entry = opts.entry ?? new URL('./sample-thread-entry.mjs', import.meta.url);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.restartDelayMs = opts.restartDelayMs ?? 1_000;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** A sampler starts using the worker (it starts on the first request). */
  acquire(): void {
    this.users++;
  }

  /** A sampler stops; the last one out stops the worker. */
  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) this.stop('stopped: no sampler left');
  }

  /** Server close: the worker goes, whoever still holds it. */
  close(): void {
    this.users = 0;
    this.stop('stopped: server closing');
  }

  /** Gives the worker a session's plan once; passes then name the session only. */
  open(plan: PassPlan): void {
    this.plans.set(plan.session, plan);
    this.worker?.postMessage({ kind: 'open', plan } satisfies WorkerNotice);
  }

  /** The session ended: the worker drops its plan and what its last pass saw. */
  forget(session: string): void {
    this.plans.delete(session);
    this.worker?.postMessage({ kind: 'forget', session } satisfies WorkerNotice);
  }

  request<R extends RequestBody>(msg: R): Promise<Extract<WorkerReply, { kind: R['kind'] }>> {
    const w = this.worker ?? this.start();
    if (!w) return Promise.reject(new WorkerStoppedError('restarting after a crash'));
    const id = this.nextId++;
    const session = msg.kind === 'pass' ? msg.session : undefined;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, at: Date.now(), session });
      if (this.batch.push({ ...msg, id } as WorkerRequest) === 1) queueMicrotask(() => this.flush(w));
    }).then((r) => {
      if (r.kind === 'error') throw new Error(`kernel view worker: ${r.message}`);
      return r as Extract<WorkerReply, { kind: R['kind'] }>;
    });
  }

  private flush(w: Worker): void {
    const requests = this.batch;
    this.batch = [];
    // The worker these were meant for failed meanwhile: their promises were rejected with it.
    if (this.worker === w && requests.length) w.postMessage({ kind: 'batch', requests } satisfies WorkerBatch);
  }

  private start(): Worker | undefined {
    if (Date.now() < this.notBefore) return undefined;
    const w = new Worker(this.entry, {
      // Bounded work per session keeps it small; a runaway is killed and restarted, not the server.
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    this.starts++;
    // The worker never keeps a process alive by itself (samplers' own timer is unref'd too).
    w.unref();
    // A thread that is still starting (loading its modules, on a busy host) is not stuck: the wait
    // of what was asked meanwhile counts from the moment it runs.
    w.once('online', () => {
      const now = Date.now();
      for (const p of this.pending.values()) p.at = Math.max(p.at, now);
    });
    w.on('message', (m: WorkerBatchReply) => {
      for (const r of m.replies) {
        const p = this.pending.get(r.id);
        if (!p) continue; // answered after its request was given up
        this.pending.delete(r.id);
        p.resolve(r);
      }
    });
    w.on('error', (err) => {
      if (this.worker !== w) return;
      this.log.error({ err, sessions: this.inFlight() }, 'kernel view worker crashed; starting a new one');
      this.discard(w, 'crashed');
    });
    w.on('exit', (code) => {
      if (this.worker !== w) return; // stopped on purpose, or already replaced
      this.log.error({ code, sessions: this.inFlight() }, 'kernel view worker exited; starting a new one');
      this.discard(w, 'exited');
    });
    this.worker = w;
    // A fresh worker (the first, or one replacing a failed one) gets every open session's plan first.
    for (const plan of this.plans.values()) w.postMessage({ kind: 'open', plan } satisfies WorkerNotice);
    this.watchdog = setInterval(() => this.checkStuck(w), Math.max(100, Math.floor(this.requestTimeoutMs / 4)));
    this.watchdog.unref();
    return w;
  }

  /** A read that never returns (a process stuck in the kernel) must not freeze every session's view. */
  private checkStuck(w: Worker, again = false): void {
    const oldest = Math.min(...[...this.pending.values()].map((p) => p.at));
    if (Date.now() - oldest < this.requestTimeoutMs) return;
    // Timers run before the loop reads what arrived: after a long block of this (main) thread the
    // worker's answer may be waiting in the queue. Look again once the loop has read it.
    if (!again) {
      setImmediate(() => this.worker === w && this.checkStuck(w, true));
      return;
    }
    this.log.error({ waitingMs: Date.now() - oldest, sessions: this.inFlight() }, 'kernel view worker stopped answering; starting a new one');
    this.discard(w, 'stopped answering');
  }

  /** The sessions whose requests the worker held when it failed: the likely cause is among them. */
  private inFlight(): string[] {
    return [...new Set([...this.pending.values()].map((p) => p.session).filter((s): s is string => !!s))];
  }

  /** Forgets a worker that failed: what waited on it is rejected; a new one starts after the delay. */
  private discard(w: Worker, why: string): void {
    this.notBefore = Date.now() + this.restartDelayMs;
    this.drop(w, `${why}: request abandoned`);
  }

  private stop(why: string): void {
    if (this.worker) this.drop(this.worker, why);
  }

  private drop(w: Worker, why: string): void {
    if (this.worker === w) this.worker = undefined;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    void w.terminate();
    this.batch = [];
    const err = new WorkerStoppedError(why);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

// The session registry: creates, finds, authorizes and ends sessions. It owns the tokens, the
// capacity (host-wide, and live anonymous sessions per client address), a pool of ready sandboxes,
// the grace periods (never attached, detached), the lifecycle hooks features register, and the
// audit trail of each session's start and end in the log. Lifecycle:
// creating -> ready -> attached <-> detached -> expired -> destroyed.
import { settleRemovals } from '../sandbox/cgroups/fs-util.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { IsoplayError } from '../errors.js';
import { CloseCode } from '../protocol/frames.js';
import type { Sandbox } from '../sandbox/spec.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { newSessionId, SANDBOX_ENDED, Session } from './session.js';
import type { CreateSessionOptions, Logger, SessionHooks, SessionRegistry } from './types.js';

export class Registry implements SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly pool: Session[] = [];
  private readonly hooks: SessionHooks[] = [];
  private creating = 0;
  private readonly pendingByClient = new Map<string, number>();
  /** The pool's refill loop while it runs (close() waits for it). */
  private refilling: Promise<void> | undefined;
  /** Sandboxes being made for a create() right now (close() waits for them). */
  private readonly making = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly runtime: SandboxRuntime | undefined,
    private readonly log: Logger,
  ) {}

  get mode(): 'sandbox' | 'host' {
    return this.runtime ? 'sandbox' : 'host';
  }

  get poolSize(): number {
    return this.pool.length;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  authorize(id: string, token: string | undefined): Session {
    const s = this.sessions.get(id);
    if (!s) throw new IsoplayError('ISOPLAY_ERR_SESSION_NOT_FOUND', { id });
    const a = Buffer.from(token ?? '');
    const b = Buffer.from(s.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new IsoplayError('ISOPLAY_ERR_UNAUTHORIZED');
    return s;
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  addHooks(h: SessionHooks): void {
    this.hooks.push(h);
  }

  private async makeSession(): Promise<Session> {
    const id = newSessionId();
    let sandbox: Sandbox | undefined;
    if (this.runtime) sandbox = await this.runtime.create(this.runtime.specFor(id));
    const s = new Session(id, sandbox, this.config, this.log, (x) =>
      void this.destroy(x.id, x.everAttached ? 'detach grace period over' : 'no terminal ever attached'),
    );
    s.state = 'ready';
    // A sandbox whose init exited (the learner ran `kill 1` or reboot(2)) is over, and so is its
    // session: nothing may ever enter that init's pid again, which soon names another process.
    void sandbox?.exited.then(() => this.sandboxEnded(s));
    return s;
  }

  private sandboxEnded(s: Session): void {
    if (s.state === 'destroyed') return;
    const pooled = this.pool.indexOf(s);
    if (pooled >= 0) {
      this.pool.splice(pooled, 1);
      void s.dispose().then(() => this.refillPool());
      return;
    }
    if (this.sessions.get(s.id) === s) void this.destroy(s.id, SANDBOX_ENDED);
  }

  /** Keeps `poolSize` sandboxes ready (each with its shell already at the prompt), within capacity. */
  refillPool(): void {
    if (this.refilling || this.closed || !this.runtime) return;
    // .finally runs after this assignment even when the loop has nothing to do.
    const loop = this.refillLoop().finally(() => {
      if (this.refilling === loop) this.refilling = undefined;
    });
    this.refilling = loop;
  }

  private async refillLoop(): Promise<void> {
    try {
      while (!this.closed && this.pool.length < this.config.poolSize && this.used() < this.config.maxSessions) {
        this.creating++;
        try {
          const s = await this.makeSession();
          s.spawnTerminal('shell');
          if (this.closed) await s.dispose('server shutdown', CloseCode.serverShutdown);
          else this.pool.push(s);
        } finally {
          this.creating--;
        }
      }
    } catch (e) {
      this.log.error({ err: e }, 'could not refill the sandbox pool');
    }
  }

  private used(): number {
    return this.sessions.size + this.pool.length + this.creating;
  }

  /** Live anonymous sessions of a client address, those still being created included. */
  private anonymousFrom(address: string): number {
    let n = this.pendingByClient.get(address) ?? 0;
    for (const s of this.sessions.values()) if (s.clientAddress === address && s.workshop === undefined) n++;
    return n;
  }

  async create(opts: CreateSessionOptions): Promise<Session> {
    if (this.closed) throw new IsoplayError('ISOPLAY_ERR_CAPACITY', { max: this.config.maxSessions });
    // Workshop learners share one address per room; their limit is the workshop's rate (http/).
    const client = opts.workshop === undefined ? opts.clientAddress : undefined;
    if (client === undefined) return this.createCounted(opts);
    // Counted and reserved before the first await, so a burst of concurrent requests cannot all
    // pass the check before any of them is registered.
    const count = this.anonymousFrom(client);
    if (count >= this.config.maxSessionsPerClient) {
      throw new IsoplayError(
        'ISOPLAY_ERR_TOO_MANY_SESSIONS',
        { count, max: this.config.maxSessionsPerClient },
        { retryAfterSec: Math.ceil(this.config.unattachedGraceMs / 1000) },
      );
    }
    this.pendingByClient.set(client, (this.pendingByClient.get(client) ?? 0) + 1);
    try {
      return await this.createCounted(opts);
    } finally {
      const left = (this.pendingByClient.get(client) ?? 1) - 1;
      if (left > 0) this.pendingByClient.set(client, left);
      else this.pendingByClient.delete(client);
    }
  }

  private async createCounted(opts: CreateSessionOptions): Promise<Session> {
    let terminals: string[] | undefined;
    let titles: Record<string, string> = {};
    for (const h of this.hooks) {
      const r = await h.beforeCreate?.(opts);
      if (r && r.terminals) terminals = r.terminals;
      if (r && r.titles) titles = r.titles;
    }
    let s = this.pool.shift();
    if (!s) {
      if (this.sessions.size + this.creating >= this.config.maxSessions) {
        throw new IsoplayError('ISOPLAY_ERR_CAPACITY', { max: this.config.maxSessions });
      }
      this.creating++;
      const making = this.makeSession();
      this.making.add(making);
      try {
        s = await making;
      } finally {
        this.creating--;
        this.making.delete(making);
      }
      if (this.closed) {
        await s.dispose('server shutdown', CloseCode.serverShutdown);
        throw new IsoplayError('ISOPLAY_ERR_CAPACITY', { max: this.config.maxSessions });
      }
    }
    s.learner = opts.learner && /^[A-Za-z0-9_-]{8,64}$/.test(opts.learner) ? opts.learner : randomBytes(16).toString('base64url');
    s.lab = opts.lab;
    s.workshop = opts.workshop !== undefined ? { code: opts.workshop, name: (opts.name ?? '').trim() } : undefined;
    s.clientAddress = opts.clientAddress;
    s.terminalNames = terminals?.length ? terminals : ['shell'];
    // Tabs read "Terminal 1", "Terminal 2" (the + tab) unless a lab names its terminals.
    s.terminalTitles = terminals?.length ? titles : { shell: 'Terminal 1' };
    s.keepOnlyTerminals(s.terminalNames);
    this.sessions.set(s.id, s);
    // The audit trail: who started what, from where. Never the token or the learner secret.
    this.log.info(
      { audit: 'session-start', session: s.id, lab: s.lab ?? null, workshop: s.workshop?.code ?? null, name: s.workshop?.name ?? null, clientAddress: s.clientAddress ?? null },
      'session started',
    );
    try {
      for (const h of this.hooks) await h.onSessionStart?.(s, opts);
    } catch (e) {
      await this.destroy(s.id, 'start hook failed');
      throw e;
    }
    // A session nobody ever attaches to ends too; armed once the lab is ready, so a slow setup
    // does not eat into the learner's short grace.
    if (this.sessions.get(s.id) === s && !s.everAttached) s.armGrace();
    this.refillPool();
    return s;
  }

  async destroy(id: string, reason = 'ended', code: number = CloseCode.expired): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    for (const h of this.hooks) {
      try {
        await h.onSessionEnd?.(s);
      } catch (e) {
        this.log.warn({ err: e, session: id }, 'session end hook failed');
      }
    }
    await s.dispose(reason, code);
    this.log.info(
      { audit: 'session-end', session: id, reason, lab: s.lab ?? null, workshop: s.workshop?.code ?? null, name: s.workshop?.name ?? null, clientAddress: s.clientAddress ?? null, lifetimeMs: Date.now() - s.createdAt },
      'session ended',
    );
    this.refillPool();
  }

  /** Server shutdown: no new sessions; every session and pooled sandbox is destroyed. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.keys()].map((id) => this.destroy(id, 'server shutdown', CloseCode.serverShutdown));
    const pooled = this.pool.splice(0).map((s) => s.dispose());
    await Promise.all([...all, ...pooled]);
    // Sandboxes still being made: the refill loop disposes its own once it sees `closed`, and a
    // create() disposes its sandbox and refuses.
    await Promise.allSettled([this.refilling, ...this.making]);
    await Promise.all(this.pool.splice(0).map((s) => s.dispose()));
    // Cgroups whose last tasks took longer to exit than a teardown waits (a loaded host) are still
    // being removed in the background: the server does not leave before them (at most 45 s).
    await settleRemovals(45_000);
  }
}

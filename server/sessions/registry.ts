// The session registry: a learner session = sandbox + terminals + event bus; tokens, capacity
// (host-wide, and live anonymous sessions per client address), a pool of ready sandboxes, the
// grace periods (never attached, detached) and teardown, and the audit trail of each session's
// start and end in the log. Lifecycle:
// creating -> ready -> attached <-> detached -> expired -> destroyed.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { IsoplayError } from '../errors.js';
import type { SessionSummary } from '../protocol/api.js';
import type { ServerEventMessage } from '../protocol/events.js';
import type { Sandbox } from '../sandbox/spec.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { Terminal, type TerminalClient } from '../terminal/terminal.js';
import { CloseCode } from '../protocol/frames.js';

/** The close reason a learner's page shows when the sandbox itself went away. */
export const SANDBOX_ENDED = 'the sandbox ended: its init (PID 1) exited';
import type { CreateSessionOptions, EventBus, SessionHooks, SessionInfo, SessionRegistry } from './types.js';

type State = SessionSummary['state'];

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export class MemoryEventBus implements EventBus {
  private readonly last = new Map<string, ServerEventMessage>();
  private readonly subs = new Set<(m: ServerEventMessage) => void>();

  publish(msg: ServerEventMessage): void {
    if (msg.type !== 'event') this.last.set(msg.type, msg);
    for (const fn of this.subs) {
      try {
        fn(msg);
      } catch {
        /* one broken subscriber must not starve the others */
      }
    }
  }

  subscribe(fn: (m: ServerEventMessage) => void): () => void {
    for (const m of this.last.values()) fn(m);
    this.subs.add(fn);
    return () => void this.subs.delete(fn);
  }

  snapshot(): ServerEventMessage[] {
    return [...this.last.values()];
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export function newSessionId(): string {
  const b = randomBytes(10);
  let s = 's';
  for (const x of b) s += BASE32[x & 31];
  return s;
}

export class Session implements SessionInfo {
  readonly id: string;
  readonly token = randomBytes(32).toString('base64url');
  learner = '';
  lab: string | undefined;
  /** A lab reset: start at this step (labs replay the earlier solves). */
  resetStep: number | undefined;
  readonly createdAt = Date.now();
  readonly bus = new MemoryEventBus();
  workshop: string | undefined;
  displayName: string | undefined;
  /** The address the session was requested from (the audit trail; the per-client cap). */
  clientAddress: string | undefined;
  /** Once a terminal socket has attached, the long detach grace applies instead of the short one. */
  everAttached = false;
  lastActivityAt: number | undefined;
  helpRequestedAt: number | undefined;
  terminalNames: string[] = ['shell'];
  /** What the page labels each terminal's tab with (a lab's `terminals[].title`). */
  terminalTitles: Record<string, string> = {};
  state: State = 'creating';
  readonly terminals = new Map<string, Terminal>();
  private readonly sockets = new Set<TerminalClient>();
  private readonly activity = new Set<() => void>();
  private readonly endListeners = new Set<(reason: string) => void>();
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    id: string,
    readonly sandbox: Sandbox | undefined,
    private readonly config: Config,
    private readonly onExpire: (s: Session) => void,
  ) {
    this.id = id;
  }

  /** Called once when the session ends, with the reason its sockets are closed with. */
  onEnd(fn: (reason: string) => void): () => void {
    this.endListeners.add(fn);
    return () => void this.endListeners.delete(fn);
  }

  onActivity(fn: () => void): () => void {
    this.activity.add(fn);
    return () => void this.activity.delete(fn);
  }

  notifyActivity(): void {
    this.lastActivityAt = Date.now();
    for (const fn of this.activity) {
      try {
        fn();
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  /** The terminal by name, started on first use (and started again after its shell exited). */
  terminal(name: string): Terminal | undefined {
    if (!this.terminalNames.includes(name)) return undefined;
    const existing = this.terminals.get(name);
    if (existing && !existing.exited) return existing;
    return this.spawnTerminal(name);
  }

  spawnTerminal(name: string): Terminal {
    const command = this.sandbox
      ? this.sandbox.enterCommand(['/bin/bash', '-l'], { env: { ISOPLAY_TERMINAL: name }, exitHandshake: true })
      : { file: '/bin/bash', args: ['-l'], env: { ...(process.env as Record<string, string>), ISOPLAY_TERMINAL: name } };
    const t = new Terminal({
      name,
      command,
      scrollbackBytes: this.config.scrollbackBytes,
      highWaterBytes: this.config.flowHighWaterBytes,
      lowWaterBytes: this.config.flowLowWaterBytes,
      onActivity: () => this.notifyActivity(),
      onExit: (code) => {
        // A terminal replaced by restartTerminals() is not news to the learner.
        if (this.terminals.get(name) === t) this.bus.publish({ type: 'event', at: Date.now(), kind: 'exit', terminal: name, code });
      },
    });
    this.terminals.set(name, t);
    return t;
  }

  /**
   * Replaces every shell nobody is attached to yet with a fresh one, so it starts on the sandbox as
   * a lab's setup or replayed solves left it (bash reads the hostname for its prompt only at start).
   */
  restartTerminals(): void {
    for (const [name, t] of [...this.terminals]) {
      if (t.attached) continue;
      this.terminals.delete(name);
      t.kill('SIGKILL');
    }
  }

  typeInto(terminal: string, data: string): boolean {
    const t = this.terminal(terminal);
    if (!t) return false;
    t.input(Buffer.from(data));
    return true;
  }

  socketOpened(client: TerminalClient): void {
    this.sockets.add(client);
    this.everAttached = true;
    clearTimeout(this.graceTimer);
    if (this.state === 'ready' || this.state === 'detached') this.state = 'attached';
  }

  socketClosed(client: TerminalClient): void {
    this.sockets.delete(client);
    if (this.sockets.size === 0 && this.state === 'attached') {
      this.state = 'detached';
      this.armGrace();
    }
  }

  /**
   * Ends the session after a grace period: a short one while no terminal socket has ever attached
   * (a flood of sessions nobody uses frees its slots soon), the detach grace once one has.
   */
  armGrace(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      this.state = 'expired';
      this.onExpire(this);
    }, this.everAttached ? this.config.detachGraceMs : this.config.unattachedGraceMs);
    this.graceTimer.unref();
  }

  summary(): SessionSummary {
    return {
      id: this.id,
      state: this.state,
      createdAt: this.createdAt,
      lab: this.lab,
      terminals: this.terminalNames.map((n) => {
        const t = this.terminals.get(n);
        return { name: n, attached: t?.attached ?? false, exited: t?.exited ?? false };
      }),
    };
  }

  async dispose(reason = 'session ended'): Promise<void> {
    clearTimeout(this.graceTimer);
    for (const fn of [...this.endListeners]) {
      try {
        fn(reason);
      } catch {
        /* a listener's failure is its own; the session ends regardless */
      }
    }
    this.endListeners.clear();
    for (const s of this.sockets) {
      try {
        s.close(CloseCode.expired, reason);
      } catch {
        /* already closed */
      }
    }
    this.sockets.clear();
    this.state = 'destroyed';
    // The sandbox first: it kills every process of the session's cgroup (the terminals' helpers
    // joined it too), so nothing is orphaned to the host's PID 1.
    await this.sandbox?.destroy();
    for (const t of this.terminals.values()) t.kill('SIGKILL');
  }
}

export class Registry implements SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly pool: Session[] = [];
  private readonly hooks: SessionHooks[] = [];
  private creating = 0;
  private readonly pendingByClient = new Map<string, number>();
  private refilling = false;
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
    const s = new Session(id, sandbox, this.config, (x) =>
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
    this.refilling = true;
    void (async () => {
      try {
        while (!this.closed && this.pool.length < this.config.poolSize && this.used() < this.config.maxSessions) {
          this.creating++;
          try {
            const s = await this.makeSession();
            s.spawnTerminal('shell');
            if (this.closed) await s.dispose();
            else this.pool.push(s);
          } finally {
            this.creating--;
          }
        }
      } catch (e) {
        this.log.error({ err: e }, 'could not refill the sandbox pool');
      } finally {
        this.refilling = false;
      }
    })();
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
      try {
        s = await this.makeSession();
      } finally {
        this.creating--;
      }
    }
    s.learner = opts.learner && /^[A-Za-z0-9_-]{8,64}$/.test(opts.learner) ? opts.learner : randomBytes(16).toString('base64url');
    s.lab = opts.lab;
    s.resetStep = opts.resetStep;
    s.workshop = opts.workshop;
    s.displayName = opts.name;
    s.clientAddress = opts.clientAddress;
    s.terminalNames = terminals?.length ? terminals : ['shell'];
    s.terminalTitles = titles;
    for (const [name, t] of s.terminals) if (!s.terminalNames.includes(name)) t.kill('SIGKILL');
    this.sessions.set(s.id, s);
    // The audit trail: who started what, from where. Never the token or the learner secret.
    this.log.info(
      { audit: 'session-start', session: s.id, lab: s.lab ?? null, workshop: s.workshop ?? null, name: s.displayName ?? null, clientAddress: s.clientAddress ?? null },
      'session started',
    );
    try {
      for (const h of this.hooks) await h.onSessionStart?.(s);
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

  async destroy(id: string, reason = 'ended'): Promise<void> {
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
    await s.dispose(reason);
    this.log.info(
      { audit: 'session-end', session: id, reason, lab: s.lab ?? null, workshop: s.workshop ?? null, name: s.displayName ?? null, clientAddress: s.clientAddress ?? null, lifetimeMs: Date.now() - s.createdAt },
      'session ended',
    );
    this.refillPool();
  }

  /** Server shutdown: no new sessions; every session and pooled sandbox is destroyed. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.keys()].map((id) => this.destroy(id, 'server shutdown'));
    const pooled = this.pool.splice(0).map((s) => s.dispose());
    await Promise.all([...all, ...pooled]);
    while (this.creating > 0 || this.refilling) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.pool.splice(0).map((s) => s.dispose()));
  }
}

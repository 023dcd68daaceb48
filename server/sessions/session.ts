// One learner session: its sandbox, its terminals (started on first use), its event bus, the
// sockets attached to it and the grace timer that ends it when nobody is attached. The registry
// (registry.ts) creates, counts and ends sessions; this file owns what one session holds.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { SessionSummary } from '../protocol/api.js';
import { CloseCode } from '../protocol/frames.js';
import { IsoplayError } from '../errors.js';
import type { Sandbox } from '../sandbox/spec.js';
import { Terminal, type TerminalClient } from '../terminal/terminal.js';
import { MemoryEventBus } from './event-bus.js';
import type { Logger, SessionInfo, WorkshopSeat } from './types.js';

/** The close reason a learner's page shows when the sandbox itself went away. */
export const SANDBOX_ENDED = 'the sandbox ended: its init (PID 1) exited';

export type SessionState = SessionSummary['state'];

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
  readonly createdAt = Date.now();
  readonly bus: MemoryEventBus;
  workshop: WorkshopSeat | undefined;
  /** The address the session was requested from (the audit trail; the per-client cap). */
  clientAddress: string | undefined;
  /** Once a terminal socket has attached, the long detach grace applies instead of the short one. */
  everAttached = false;
  lastActivityAt: number | undefined;
  terminalNames: string[] = ['shell'];
  /** What the page labels each terminal's tab with (a lab's `terminals[].title`). */
  terminalTitles: Record<string, string> = {};
  state: SessionState = 'creating';
  readonly terminals = new Map<string, Terminal>();
  private readonly sockets = new Set<TerminalClient>();
  private readonly activity = new Set<() => void>();
  private readonly endListeners = new Set<(reason: string, code: number) => void>();
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    id: string,
    readonly sandbox: Sandbox | undefined,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly onExpire: (s: Session) => void,
  ) {
    this.id = id;
    this.bus = new MemoryEventBus((err) => this.log.warn({ err, session: this.id }, 'an event subscriber failed'));
  }

  /** Called once when the session ends, with the reason and close code its sockets get. */
  onEnd(fn: (reason: string, code: number) => void): () => void {
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
      } catch (err) {
        this.log.warn({ err, session: this.id }, 'an activity listener failed');
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
    const old = this.terminals.get(name);
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
    // An exited shell's terminal is replaced: its timers and listeners go with it.
    old?.dispose();
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
      t.dispose();
    }
  }

  /** Ends the shells of terminals this session no longer offers (a pooled session given to a lab). */
  keepOnlyTerminals(names: string[]): void {
    for (const [name, t] of [...this.terminals]) {
      if (names.includes(name)) continue;
      this.terminals.delete(name);
      t.dispose();
    }
  }

  /**
   * Another terminal for the learner (the page's `+` tab): the next free name `shell-N`, titled
   * "Terminal N"; refused (409) once the session has config.maxTerminals. Its shell starts when a
   * socket first opens it.
   */
  addTerminal(): { name: string; title: string } {
    if (this.terminalNames.length >= this.config.maxTerminals) throw new IsoplayError('ISOPLAY_ERR_TERMINALS_FULL', { max: this.config.maxTerminals });
    let n = 2;
    while (this.terminalNames.includes(`shell-${n}`)) n++;
    const name = `shell-${n}`;
    this.terminalNames = [...this.terminalNames, name];
    this.terminalTitles = { ...this.terminalTitles, [name]: `Terminal ${this.terminalNames.length}` };
    return { name, title: this.terminalTitles[name] };
  }

  typeInto(terminal: string, data: string): boolean {
    const t = this.terminal(terminal);
    if (!t) return false;
    // Refused while the instructor holds the keyboard, like the learner's typing.
    return t.input(Buffer.from(data));
  }

  get attached(): boolean {
    return this.sockets.size > 0;
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
        return { name: n, ...(this.terminalTitles[n] ? { title: this.terminalTitles[n] } : {}), attached: t?.attached ?? false, exited: t?.exited ?? false };
      }),
    };
  }

  /**
   * Ends the session: its sockets close with `code` and `reason` (4002 when it ended, 4010 when the
   * server stops), the sandbox is destroyed, and every terminal is disposed.
   */
  async dispose(reason = 'session ended', code: number = CloseCode.expired): Promise<void> {
    clearTimeout(this.graceTimer);
    for (const fn of [...this.endListeners]) {
      try {
        fn(reason, code);
      } catch (err) {
        this.log.warn({ err, session: this.id }, 'a session end listener failed; the session ends regardless');
      }
    }
    this.endListeners.clear();
    for (const s of this.sockets) s.close(code, reason);
    this.sockets.clear();
    this.activity.clear();
    this.state = 'destroyed';
    // The sandbox first: it kills every process of the session's cgroup (the terminals' helpers
    // joined it too), so nothing is orphaned to the host's PID 1.
    await this.sandbox?.destroy();
    for (const t of this.terminals.values()) t.dispose();
  }
}

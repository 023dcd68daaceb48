// What the rest of the server may know about a session. The session core (this folder) knows no
// feature: labs, the kernel view and workshops hook into its lifecycle through SessionHooks and
// depend on these types, never the other way round.
import type { SessionSummary } from '../protocol/api.js';
import type { ServerEventMessage } from '../protocol/events.js';
import type { Sandbox } from '../sandbox/spec.js';
import type { Logger } from '../log.js';

export type { Logger };

/** Fan-out of event-socket messages for one session. The last message of each type is kept as the snapshot. */
export interface EventBus {
  publish(msg: ServerEventMessage): void;
  /** Calls fn with every current snapshot first, then every new message. Returns an unsubscribe. */
  subscribe(fn: (msg: ServerEventMessage) => void): () => void;
  snapshot(): ServerEventMessage[];
}

/** A session that joined a workshop: its join code and the name the learner gave. */
export interface WorkshopSeat {
  code: string;
  name: string;
}

export interface SessionInfo {
  readonly id: string;
  readonly token: string;
  readonly learner: string;
  readonly lab: string | undefined;
  readonly createdAt: number;
  readonly workshop?: WorkshopSeat;
  /** When the learner last ran a command (ms since epoch). */
  readonly lastActivityAt?: number;
  /** Undefined in host mode. */
  readonly sandbox: Sandbox | undefined;
  readonly bus: EventBus;
  /** Terminal names this session offers (from the lab, or ['shell']). */
  readonly terminalNames: string[];
  /** Whether a terminal socket is attached now. */
  readonly attached?: boolean;
  /** Fires after each command the learner runs (debounced): the lab checker listens. */
  onActivity(fn: () => void): () => void;
  /** Something changed in the sandbox without a command (a VM finished booting): wakes the same listeners. */
  notifyActivity?(): void;
  /** Fresh shells after a lab prepared the sandbox (pooled sessions start their shell early). */
  restartTerminals?(): void;
  /** Writes bytes into a terminal as if typed (exec blocks of the lab panel). */
  typeInto(terminal: string, data: string): boolean;
  summary?(): SessionSummary;
}

export interface CreateSessionOptions {
  lab?: string;
  learner?: string;
  /** A workshop's join code, and the name the learner gave: the instructor's dashboard shows it. */
  workshop?: string;
  name?: string;
  /** Start the lab at this step: the solves of every earlier step are replayed (lab reset). */
  resetStep?: number;
  /**
   * The client address the request came from: the audit trail names it, and anonymous sessions
   * (no workshop) are capped per address (maxSessionsPerClient).
   */
  clientAddress?: string;
}

/** What a beforeCreate hook may decide about the session it is about to get. */
export interface SessionShape {
  terminals?: string[];
  titles?: Record<string, string>;
}

/**
 * Features hook into the session lifecycle. beforeCreate and onSessionStart may refuse by throwing
 * an IsoplayError (the session is then not created, or ended); onSessionEnd failures are logged.
 */
export interface SessionHooks {
  /** Before a session is made: may refuse (e.g. 404 lab) or name its terminals. */
  beforeCreate?(opts: CreateSessionOptions): Promise<SessionShape | void> | SessionShape | void;
  /** After the sandbox is ready and before the POST answers (lab setup.sh, replaying solves). */
  onSessionStart?(s: SessionInfo, opts: CreateSessionOptions): Promise<void> | void;
  /** Before the sandbox is destroyed. */
  onSessionEnd?(s: SessionInfo): Promise<void> | void;
}

export interface SessionRegistry {
  get(id: string): SessionInfo | undefined;
  /** Returns the session or throws IsoplayError (ISOPLAY_ERR_SESSION_NOT_FOUND / ISOPLAY_ERR_UNAUTHORIZED). */
  authorize(id: string, token: string | undefined): SessionInfo;
  list(): SessionInfo[];
  addHooks(h: SessionHooks): void;
  create(opts: CreateSessionOptions): Promise<SessionInfo>;
  destroy(id: string, reason?: string): Promise<void>;
}

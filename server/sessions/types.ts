// What other parts of the server may know about a session.
import type { ServerEventMessage } from '../protocol/events.js';
import type { Sandbox } from '../sandbox/spec.js';

/** Fan-out of event-socket messages for one session. The last message of each type is kept as the snapshot. */
export interface EventBus {
  publish(msg: ServerEventMessage): void;
  /** Calls fn with every current snapshot first, then every new message. Returns an unsubscribe. */
  subscribe(fn: (msg: ServerEventMessage) => void): () => void;
  snapshot(): ServerEventMessage[];
}

export interface SessionInfo {
  readonly id: string;
  readonly token: string;
  readonly learner: string;
  readonly lab: string | undefined;
  readonly createdAt: number;
  /** Undefined in host mode. */
  readonly sandbox: Sandbox | undefined;
  readonly bus: EventBus;
  /** Terminal names this session offers (from the lab, or ['shell']). */
  readonly terminalNames: string[];
  /** Fires after each command the learner runs (debounced): the lab checker listens. */
  onActivity(fn: () => void): () => void;
  /** Writes bytes into a terminal as if typed (exec blocks of the lab panel). */
  typeInto(terminal: string, data: string): boolean;
}

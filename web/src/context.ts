// What the page's parts share. session/lifecycle.ts builds it; the lab panel and the kernel view receive it.
import type { CreateSessionResponse } from '../../server/protocol/api.js';
import type { ServerEventMessage } from '../../server/protocol/events.js';

export interface PageContext {
  session: CreateSessionResponse;
  /** fetch against /api with the session's bearer token; throws ApiError-shaped errors ({code, message}). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Subscribes to the session's event socket; the current snapshots arrive first. Returns an unsubscribe. */
  onEvent(fn: (msg: ServerEventMessage) => void): () => void;
  /** Types text into a named terminal (exec blocks), focusing it; returns false if there is no such terminal. */
  runInTerminal(terminal: string, text: string): boolean;
  /** Replaces the session (lab start or reset): session/lifecycle.ts tears down terminals and sockets and rebuilds. */
  startSession(opts: { lab?: string; resetStep?: number }): Promise<void>;
  /** The step a lab session was started at (Reset step, Start again, Restore): the panel shows it first. */
  startStep?: number;
  /** The lab panel says which step the learner reached, so a session that ends can be restored to it. */
  reportLab?(at: { title: string; current: number; steps: number }): void;
  /** The learner token kept in localStorage (progress survives). */
  learner: string;
}

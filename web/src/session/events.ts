// A session's event socket (kernel, processes and cgroup snapshots, lab and workshop events): one
// per session, with the latest snapshot of each type replayed to new subscribers, and reconnect
// with backoff unless the server closed it for good (the session is gone, expired, or the token
// is wrong: the terminals see the same close and start a fresh session).
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import type { ServerEventMessage } from '../../../server/protocol/events.js';
import { CloseCode } from '../../../server/protocol/frames.js';

const TERMINAL_CLOSES: readonly number[] = [CloseCode.noSuchSession, CloseCode.badToken, CloseCode.expired, CloseCode.badOrigin, CloseCode.notInWorkshop];
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 8000;

export class EventSocket {
  private ws: WebSocket | undefined;
  private readonly listeners = new Set<(m: ServerEventMessage) => void>();
  private readonly lastByType = new Map<string, ServerEventMessage>();
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  /** `onStale(true)` when the socket drops (the snapshots it gave are no longer live), false once fresh ones arrive or on dispose. */
  constructor(
    private readonly session: CreateSessionResponse,
    private readonly onStale: (stale: boolean) => void = () => undefined,
    /** Another event socket than the session's own (an instructor following it, a broadcast's audience). */
    private readonly path?: string,
  ) {
    this.connect();
  }

  /** Calls fn with the current snapshots first, then with every message; returns an unsubscribe. */
  subscribe(fn: (m: ServerEventMessage) => void): () => void {
    for (const m of this.lastByType.values()) fn(m);
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  dispose(): void {
    this.disposed = true;
    this.onStale(false);
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    this.ws?.close(CloseCode.normal, 'page left the session');
    this.ws = undefined;
  }

  private connect(): void {
    // Snapshots from before a reconnect may be stale: the server sends fresh ones first.
    this.lastByType.clear();
    const { id, token } = this.session;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}${this.path ?? `/api/sessions/${id}/events`}?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retries = 0;
    };
    ws.onmessage = (ev) => {
      let msg: ServerEventMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerEventMessage;
      } catch (err) {
        // Not our server's message (a proxy's error page?): drop it, and say so in the console.
        console.warn('isoplay: an event message that is not JSON was dropped', err);
        return;
      }
      if (msg.type !== 'event') this.lastByType.set(msg.type, msg);
      this.onStale(false);
      for (const fn of this.listeners) fn(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws || this.disposed || TERMINAL_CLOSES.includes(ev.code)) return;
      this.onStale(true);
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.retries++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }
}


// The page's event socket (web/src/session/events.ts) against a fake WebSocket: snapshots replayed
// to late subscribers, reconnect with backoff after a dropped connection, none after a close that
// ends the session, and none after dispose.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../server/protocol/frames.js';
import { EventSocket } from '../../web/src/session/events.js';

class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  closedWith: [number?, string?] | undefined;
  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
  }
  /** The server's side: a message, or the connection ending. */
  receive(msg: object): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code: number): void {
    this.onclose?.({ code, reason: 'test' });
  }
}

const session = { id: 's1', token: 't&1', learner: 'l', terminals: [{ name: 'shell' }], mode: 'sandbox' as const };
const latest = () => FakeWebSocket.all.at(-1)!;

beforeEach(() => {
  FakeWebSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('location', { protocol: 'http:', host: 'play.test' });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('EventSocket', () => {
  it('connects with the token in the URL and replays the latest snapshot of each type to a new subscriber', () => {
    const events = new EventSocket(session);
    expect(latest().url).toBe('ws://play.test/api/sessions/s1/events?token=t%261');
    latest().receive({ type: 'kernel', at: 1 });
    latest().receive({ type: 'kernel', at: 2 });
    latest().receive({ type: 'event', kind: 'announce', text: 'hi' });
    const seen: unknown[] = [];
    events.subscribe((m) => seen.push(m));
    expect(seen).toEqual([{ type: 'kernel', at: 2 }]);
    latest().receive({ type: 'event', kind: 'announce', text: 'again' });
    expect(seen).toHaveLength(2);
    events.dispose();
  });

  it('says its snapshots are stale while the connection is down, and fresh again with the first new message', () => {
    const seen: boolean[] = [];
    const events = new EventSocket(session, (stale) => seen.push(stale));
    latest().onopen?.();
    latest().receive({ type: 'kernel', host: {} });
    expect(seen.at(-1)).toBe(false);
    latest().drop(1006);
    expect(seen.at(-1)).toBe(true);
    vi.advanceTimersByTime(1000);
    latest().onopen?.();
    // Open is not enough: the view is live again when the server's fresh snapshots arrive.
    expect(seen.at(-1)).toBe(true);
    latest().receive({ type: 'kernel', host: {} });
    expect(seen.at(-1)).toBe(false);
    // A close that ends the session is not a stale view: the page shows why the session ended.
    latest().drop(CloseCode.expired);
    expect(seen.at(-1)).toBe(false);
    events.dispose();
  });

  it('reconnects with a growing delay after a dropped connection, and starts over once one opens', () => {
    const events = new EventSocket(session);
    latest().drop(1006);
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    latest().drop(1006);
    vi.advanceTimersByTime(1999);
    expect(FakeWebSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(3);
    latest().onopen?.();
    latest().drop(CloseCode.serverShutdown);
    vi.advanceTimersByTime(1000);
    expect(FakeWebSocket.all).toHaveLength(4);
    events.dispose();
  });

  for (const [name, code] of [['noSuchSession', CloseCode.noSuchSession], ['badToken', CloseCode.badToken], ['expired', CloseCode.expired]] as const) {
    it(`does not reconnect after ${name} (${code}): the session is over`, () => {
      const events = new EventSocket(session);
      latest().drop(code);
      vi.advanceTimersByTime(60_000);
      expect(FakeWebSocket.all).toHaveLength(1);
      events.dispose();
    });
  }

  it('dispose closes with a code and a reason, and cancels a pending reconnect', () => {
    const events = new EventSocket(session);
    const first = latest();
    first.drop(1006);
    events.dispose();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    const again = new EventSocket(session);
    again.dispose();
    expect(latest().closedWith).toEqual([CloseCode.normal, 'page left the session']);
  });
});

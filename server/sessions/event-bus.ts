// A session's event fan-out (the event socket's messages): the last message of each kind is kept
// as the snapshot a new subscriber starts from.
import type { ServerEventMessage } from '../protocol/events.js';
import type { EventBus } from './types.js';

export class MemoryEventBus implements EventBus {
  private readonly last = new Map<string, ServerEventMessage>();
  private readonly subs = new Set<(m: ServerEventMessage) => void>();

  /** A subscriber that throws is reported here and keeps its subscription; the others still get the message. */
  constructor(private readonly onSubscriberError: (err: unknown) => void = () => undefined) {}

  publish(msg: ServerEventMessage): void {
    if (msg.type !== 'event') this.last.set(msg.type, msg);
    for (const fn of this.subs) {
      try {
        fn(msg);
      } catch (err) {
        this.onSubscriberError(err);
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

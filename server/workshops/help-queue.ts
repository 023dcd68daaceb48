// The help queue: a learner's "Ask for help" (with an optional line of text) waits here, oldest
// first, until the learner withdraws it, the instructor resolves it, or the session ends. Kept in
// memory: a request belongs to a live session.
import { IsoplayError } from '../errors.js';

/** The longest line a learner can send with a request. */
export const HELP_TEXT_MAX = 200;

export interface HelpRequest {
  sessionId: string;
  at: number;
  text?: string;
}

/** A request's text as stored: one line, trimmed, control characters refused. */
export function helpText(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text.length > HELP_TEXT_MAX) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: `the help request's text is longer than ${HELP_TEXT_MAX} characters` });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: "the help request's text must be one line" });
  return text || undefined;
}

export class HelpQueue {
  private readonly bySession = new Map<string, HelpRequest>();

  /** Raises (or updates the text of) a session's request; its first time is kept. */
  raise(sessionId: string, text: string | undefined): HelpRequest {
    const prev = this.bySession.get(sessionId);
    const r: HelpRequest = { sessionId, at: prev?.at ?? Date.now(), ...(text ? { text } : prev?.text ? { text: prev.text } : {}) };
    this.bySession.set(sessionId, r);
    return r;
  }

  /** Drops a session's request (withdrawn, resolved, or the session ended); whether there was one. */
  drop(sessionId: string): boolean {
    return this.bySession.delete(sessionId);
  }

  get(sessionId: string): HelpRequest | undefined {
    return this.bySession.get(sessionId);
  }

  /** The open requests of these sessions, oldest first. */
  list(sessionIds: Iterable<string>): HelpRequest[] {
    const out: HelpRequest[] = [];
    for (const id of sessionIds) {
      const r = this.bySession.get(id);
      if (r) out.push(r);
    }
    return out.sort((a, b) => a.at - b.at);
  }
}

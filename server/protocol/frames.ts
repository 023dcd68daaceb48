// Terminal socket frames (DESIGN.md §6). The first byte is the type; the body follows.
// This folder compiles without node or DOM types so both the server and the page import it.

export const ClientFrameType = { input: 0, resize: 1, ack: 2 } as const;
export const ServerFrameType = { output: 0, status: 1 } as const;

/** Close codes are part of the protocol: the page and other clients switch on them. */
export const CloseCode = {
  normal: 1000,
  noSuchSession: 4000,
  badToken: 4001,
  expired: 4002,
  noSuchTerminal: 4004,
  badOrigin: 4005,
  replaced: 4006,
  /** Follow refused: the session is not a learner of the instructor's workshop (or not in the learner's workshop). */
  notInWorkshop: 4030,
  /** A read-only viewer (a follower, a broadcast's audience) sent input: it never reaches the shell. */
  readOnly: 4031,
  serverShutdown: 4010,
  malformedFrame: 4400,
  /** An exception in the server's socket handler (logged there with the session id); the session lives on. */
  internalError: 1011,
} as const;

/** The largest frame a client may send; larger ones close with 4400. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

export type ClientFrame =
  | { type: 'input'; data: Uint8Array }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number };

export type TerminalStatus =
  | { state: 'attached'; terminal: string; replayedBytes: number; cols: number; rows: number }
  | { state: 'exited'; code: number | null; signal: number | null }
  | { state: 'limit'; kind: 'memory' | 'pids' | 'cpu'; detail: string }
  | { state: 'info'; message: string }
  /** To a viewer that fell behind: its queue was dropped; the screen is replayed (reset, then `replayedBytes` of output). */
  | { state: 'resync'; replayedBytes: number; cols: number; rows: number }
  /** To viewers: the learner's terminal changed size. */
  | { state: 'size'; cols: number; rows: number }
  /** Who may type: false while the instructor holds the keyboard (to the learner), true for the instructor holding it. */
  | { state: 'keyboard'; instructor: boolean };

export type ServerFrame =
  | { type: 'output'; data: Uint8Array }
  | { type: 'status'; status: TerminalStatus };

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function withType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}

function parseJsonBody(body: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new FrameError(`${what} frame body is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError(`${what} frame body must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function encodeClientFrame(frame: ClientFrame): Uint8Array {
  switch (frame.type) {
    case 'input':
      return withType(ClientFrameType.input, frame.data);
    case 'resize':
      return withType(ClientFrameType.resize, encoder.encode(JSON.stringify({ cols: frame.cols, rows: frame.rows })));
    case 'ack':
      return withType(ClientFrameType.ack, encoder.encode(JSON.stringify({ bytes: frame.bytes })));
  }
}

/** Decodes one client frame; throws FrameError (close 4400) on anything malformed. */
export function decodeClientFrame(raw: Uint8Array, maxBytes = MAX_CLIENT_FRAME_BYTES): ClientFrame {
  if (raw.length === 0) throw new FrameError('empty frame');
  if (raw.length > maxBytes) throw new FrameError(`frame of ${raw.length} bytes exceeds the ${maxBytes}-byte limit`);
  const body = raw.subarray(1);
  switch (raw[0]) {
    case ClientFrameType.input:
      return { type: 'input', data: body };
    case ClientFrameType.resize: {
      const v = parseJsonBody(body, 'resize');
      if (!isInt(v.cols, 1, 1000) || !isInt(v.rows, 1, 1000)) {
        throw new FrameError('resize needs integer cols and rows between 1 and 1000');
      }
      return { type: 'resize', cols: v.cols, rows: v.rows };
    }
    case ClientFrameType.ack: {
      const v = parseJsonBody(body, 'ack');
      if (!isInt(v.bytes, 0, 2 ** 31)) throw new FrameError('ack needs a non-negative integer bytes');
      return { type: 'ack', bytes: v.bytes };
    }
    default:
      throw new FrameError(`unknown frame type ${raw[0]}`);
  }
}

export function encodeServerFrame(frame: ServerFrame): Uint8Array {
  if (frame.type === 'output') return withType(ServerFrameType.output, frame.data);
  return withType(ServerFrameType.status, encoder.encode(JSON.stringify(frame.status)));
}

export function decodeServerFrame(raw: Uint8Array): ServerFrame {
  if (raw.length === 0) throw new FrameError('empty frame');
  const body = raw.subarray(1);
  if (raw[0] === ServerFrameType.output) return { type: 'output', data: body };
  if (raw[0] === ServerFrameType.status) {
    return { type: 'status', status: parseJsonBody(body, 'status') as unknown as TerminalStatus };
  }
  throw new FrameError(`unknown frame type ${raw[0]}`);
}

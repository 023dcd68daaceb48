// Read-only viewers of one terminal (an instructor following a learner, a room watching the
// instructor's broadcast): one writer, many readers. A viewer never paces the shell: the learner's
// acks alone do (terminal.ts). Output is batched once per turn of the event loop and the same frame
// goes to every viewer (200 viewers cost 200 sends, not 200 copies). Each viewer's queue is its
// socket's buffer, bounded: a viewer whose socket has more than `maxBufferedBytes` waiting is
// behind, gets nothing more and, once its socket drained, gets a fresh snapshot of the screen (a
// reset, then the terminal's scrollback ring: what a learner's own reconnect replays) and live
// bytes again, in order, from there.
import { encodeServerFrame, type TerminalStatus } from '../protocol/frames.js';

export interface ViewerSocket {
  send(frame: Uint8Array): void;
  /** Never throws. */
  close(code: number, reason: string): void;
  /** Bytes queued in the socket and not yet written to the network (ws's bufferedAmount). */
  readonly bufferedAmount: number;
}

export interface ScreenSnapshot {
  data: Uint8Array;
  cols: number;
  rows: number;
}

export interface ViewerOptions {
  /** A viewer with more than this queued (socket + batch) is behind: its queue is dropped. */
  maxBufferedBytes: number;
  /** A behind viewer gets its snapshot once its socket has less than this queued. */
  resumeBelowBytes: number;
  /** How often a behind viewer's socket is looked at. */
  pollMs: number;
  batchBytes: number;
}

const DEFAULTS: ViewerOptions = { maxBufferedBytes: 1024 * 1024, resumeBelowBytes: 64 * 1024, pollMs: 50, batchBytes: 64 * 1024 };
/** Resets the viewer's screen before a resync's replay (RIS: full reset). */
const RESET = new TextEncoder().encode('\x1bc');

interface Viewer {
  socket: ViewerSocket;
  behind: boolean;
  timer: NodeJS.Timeout | undefined;
  /** How many times it was resynced (tests read it). */
  resyncs: number;
}

export class ViewerHub {
  private readonly viewers = new Map<ViewerSocket, Viewer>();
  private flushScheduled = false;
  /** Output since the last flush (already in the terminal's ring, so in any snapshot taken now). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly opts: ViewerOptions;

  constructor(
    private readonly snapshot: () => ScreenSnapshot,
    opts: Partial<ViewerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  get size(): number {
    return this.viewers.size;
  }

  resyncsOf(socket: ViewerSocket): number {
    return this.viewers.get(socket)?.resyncs ?? 0;
  }

  /** The viewer first gets the screen as it is (the replay, then `attached`), then live output. */
  add(socket: ViewerSocket, name: string, extra: TerminalStatus[] = []): void {
    // The others get what is pending first: the snapshot below holds it already.
    this.flush();
    const v: Viewer = { socket, behind: false, timer: undefined, resyncs: 0 };
    this.viewers.set(socket, v);
    const snap = this.snapshot();
    this.sendChunks(v, snap.data);
    this.safeSend(v, encodeServerFrame({ type: 'status', status: { state: 'attached', terminal: name, replayedBytes: snap.data.length, cols: snap.cols, rows: snap.rows } }));
    for (const s of extra) this.safeSend(v, encodeServerFrame({ type: 'status', status: s }));
  }

  remove(socket: ViewerSocket): void {
    const v = this.viewers.get(socket);
    if (!v) return;
    clearTimeout(v.timer);
    this.viewers.delete(socket);
  }

  /** Live output: queued per viewer and sent in one frame per turn of the event loop. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.viewers.size === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.opts.batchBytes) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** A status for every viewer, after the output queued before it. */
  status(status: TerminalStatus): void {
    this.flush();
    const frame = encodeServerFrame({ type: 'status', status });
    for (const v of this.viewers.values()) if (!v.behind) this.safeSend(v, frame);
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pendingBytes === 0) return;
    const n = this.pendingBytes;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, n);
    this.pending = [];
    this.pendingBytes = 0;
    const frame = encodeServerFrame({ type: 'output', data });
    for (const v of this.viewers.values()) {
      if (v.behind) continue;
      if (v.socket.bufferedAmount + n > this.opts.maxBufferedBytes) this.fallBehind(v);
      else this.safeSend(v, frame);
    }
  }

  /** Closes every viewer (the terminal went away). */
  closeAll(code: number, reason: string): void {
    for (const v of [...this.viewers.values()]) {
      this.remove(v.socket);
      v.socket.close(code, reason);
    }
  }

  /** Drops the queue; once the socket drained, the screen is sent afresh and live output resumes. */
  private fallBehind(v: Viewer): void {
    v.behind = true;
    const look = () => {
      if (this.viewers.get(v.socket) !== v) return;
      if (v.socket.bufferedAmount > this.opts.resumeBelowBytes) {
        v.timer = setTimeout(look, this.opts.pollMs);
        return;
      }
      v.timer = undefined;
      // What is pending is in the snapshot: the others get it now, this one with the snapshot.
      this.flush();
      v.behind = false;
      v.resyncs++;
      const snap = this.snapshot();
      this.safeSend(v, encodeServerFrame({ type: 'status', status: { state: 'resync', replayedBytes: snap.data.length, cols: snap.cols, rows: snap.rows } }));
      this.safeSend(v, encodeServerFrame({ type: 'output', data: RESET }));
      this.sendChunks(v, snap.data);
    };
    v.timer = setTimeout(look, this.opts.pollMs);
  }

  private sendChunks(v: Viewer, data: Uint8Array): void {
    for (let off = 0; off < data.length; off += this.opts.batchBytes) {
      this.safeSend(v, encodeServerFrame({ type: 'output', data: data.subarray(off, off + this.opts.batchBytes) }));
    }
  }

  private safeSend(v: Viewer, frame: Uint8Array): void {
    try {
      v.socket.send(frame);
    } catch {
      /* a socket that broke mid-send is removed by its close handler */
    }
  }
}

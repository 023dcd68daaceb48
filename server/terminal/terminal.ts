// One terminal of a session: a PTY running a shell inside the sandbox, its output batched into
// frames, a scrollback ring replayed on reconnect, ack-based flow control, and an exit that loses
// nothing. A Terminal is a disposable: its owner (the session) disposes it, which kills the shell,
// stops its timers and drops its listeners. This folder is the only importer of the PTY library.
import * as pty from '@lydell/node-pty';
import { encodeServerFrame, CloseCode, type TerminalStatus } from '../protocol/frames.js';
import { ScrollbackRing, FlowWindow } from './buffers.js';
import { ViewerHub, type ViewerOptions, type ViewerSocket } from './viewers.js';
import { terminalBytes } from '../metrics.js';

export interface TerminalClient {
  send(frame: Uint8Array): void;
  /** Never throws (a socket that is already closing ignores it). */
  close(code: number, reason: string): void;
}

export interface TerminalOptions {
  name: string;
  command: { file: string; args: string[]; env: Record<string, string> };
  cols?: number;
  rows?: number;
  scrollbackBytes: number;
  highWaterBytes: number;
  lowWaterBytes: number;
  onExit?: (code: number | null, signal: number | null) => void;
  /** After the learner pressed Enter and the output went quiet: a command ran. */
  onActivity?: () => void;
}

const BATCH_BYTES = 64 * 1024;
/** Written by isoplay-init after the shell exited and all its output (see exit_handshake there). */
const EXIT_MARKER = Buffer.from('\x1b]7770;isoplay-exit\x07');
const EXIT_ACK = '\x06';
const EMPTY = Buffer.alloc(0);
const ACTIVITY_QUIET_MS = 300;
/** ...or at the latest this long after Enter: a learner already typing the next command (its echo is output too) still gets the check. */
const ACTIVITY_MAX_WAIT_MS = 2000;
const EXIT_QUIET_MS = 40;
const EXIT_DRAIN_MAX_MS = 1500;

export class Terminal {
  readonly name: string;
  private readonly proc: pty.IPty;
  private readonly ring: ScrollbackRing;
  private readonly flow: FlowWindow;
  private client: TerminalClient | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private paused = false;
  private cols: number;
  private rows: number;
  private enterPressed = false;
  private enterAt = 0;
  /** The check at the latest ACTIVITY_MAX_WAIT_MS after Enter ran: the quiet one still follows. */
  private maxWaitFired = false;
  private activityTimer: NodeJS.Timeout | undefined;
  private lastDataAt = Date.now();
  private exitStatus: { code: number | null; signal: number | null } | undefined;
  /** While the exit drains the PTY: resolves once output has been quiet for EXIT_QUIET_MS. */
  private drain: { timer: NodeJS.Timeout; done: () => void } | undefined;
  private readonly listeners: pty.IDisposable[];
  private disposed = false;
  private readonly opts: TerminalOptions;
  /** Total output bytes the shell has written (tests and benchmarks read it). */
  outputBytes = 0;
  /** Read-only viewers (viewers.ts), created with the first one: a terminal nobody follows costs nothing. */
  private viewers: ViewerHub | undefined;
  /** Options for the viewers' queues (tests make them small). */
  static viewerOptions: Partial<ViewerOptions> = {};
  /** Whoever holds the keyboard instead of the learner (an instructor); undefined: the learner. */
  private keyboard: object | undefined;

  constructor(opts: TerminalOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.cols = opts.cols ?? 100;
    this.rows = opts.rows ?? 30;
    this.ring = new ScrollbackRing(opts.scrollbackBytes);
    this.flow = new FlowWindow(opts.highWaterBytes, opts.lowWaterBytes);
    this.proc = pty.spawn(opts.command.file, opts.command.args, {
      name: 'xterm-256color',
      cols: this.cols,
      rows: this.rows,
      env: { TERM: 'xterm-256color', ...opts.command.env },
      encoding: null,
    } as pty.IPtyForkOptions);
    this.listeners = [
      this.proc.onData((d: string | Buffer) => this.onData(typeof d === 'string' ? Buffer.from(d) : d)),
      this.proc.onExit(({ exitCode, signal }) => void this.onExit(exitCode, signal ?? null)),
    ];
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exited(): boolean {
    return this.exitStatus !== undefined;
  }

  get attached(): boolean {
    return this.client !== undefined;
  }

  /** Bytes sent to the client and not yet acknowledged (flow control). */
  get unacked(): number {
    return this.flow.inFlight;
  }

  get scrollbackBytes(): number {
    return this.ring.size;
  }

  /** A new client replaces the old one (closed 4006) and gets the scrollback replayed. */
  attach(client: TerminalClient): void {
    if (this.client && this.client !== client) this.client.close(CloseCode.replaced, 'this terminal was opened elsewhere');
    this.client = client;
    // Output still waiting for its batch is already in the ring, which is replayed whole below:
    // flushing it to the new client as well would show it twice.
    this.pending = [];
    this.pendingBytes = 0;
    this.flow.reset();
    const replay = this.ring.contents();
    for (let off = 0; off < replay.length; off += BATCH_BYTES) {
      this.sendOutput(replay.subarray(off, off + BATCH_BYTES));
    }
    this.sendStatus({ state: 'attached', terminal: this.name, replayedBytes: replay.length, cols: this.cols, rows: this.rows });
    if (this.exitStatus) {
      this.sendStatus({ state: 'exited', ...this.exitStatus });
    }
    if (this.keyboard) this.sendStatus({ state: 'keyboard', instructor: true });
    this.updatePause();
  }

  /** A read-only viewer: the screen as it is now, then live output (never pacing the shell). */
  addViewer(socket: ViewerSocket): void {
    this.viewers ??= new ViewerHub(() => ({ data: this.ring.contents(), cols: this.cols, rows: this.rows }), Terminal.viewerOptions);
    this.viewers.add(socket, this.name, this.exitStatus ? [{ state: 'exited', ...this.exitStatus }] : []);
  }

  removeViewer(socket: ViewerSocket): void {
    this.viewers?.remove(socket);
    if (this.viewers?.size === 0) this.viewers = undefined;
  }

  get viewerCount(): number {
    return this.viewers?.size ?? 0;
  }

  viewerResyncs(socket: ViewerSocket): number {
    return this.viewers?.resyncsOf(socket) ?? 0;
  }

  /** The keyboard goes to `holder` (input() without it is refused) or, with undefined, back to the learner. */
  setKeyboard(holder: object | undefined): void {
    if (this.keyboard === holder) return;
    this.keyboard = holder;
    this.sendStatus({ state: 'keyboard', instructor: holder !== undefined });
  }

  get keyboardHolder(): object | undefined {
    return this.keyboard;
  }

  detach(client: TerminalClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.flow.reset();
    this.updatePause();
  }

  /** Writes to the shell; false (nothing written) while someone other than `from` holds the keyboard. */
  input(data: Uint8Array, from?: object): boolean {
    if (this.keyboard !== from) return false;
    if (this.exitStatus) return true;
    if (data.includes(13) && !this.enterPressed) {
      this.enterPressed = true;
      this.enterAt = Date.now();
      this.maxWaitFired = false;
    }
    terminalBytes.inc({ direction: 'in' }, data.length);
    this.proc.write(Buffer.from(data) as unknown as string);
    return true;
  }

  resize(cols: number, rows: number): void {
    if (this.exitStatus) return;
    this.cols = cols;
    this.rows = rows;
    this.viewers?.status({ state: 'size', cols, rows });
    try {
      this.proc.resize(cols, rows);
    } catch {
      /* the pty closed between the frame and now */
    }
  }

  ack(bytes: number): void {
    this.flow.ack(bytes);
    this.updatePause();
  }

  kill(signal = 'SIGHUP'): void {
    try {
      this.proc.kill(signal);
    } catch (err) {
      // ESRCH: the shell is gone already, which is what was asked.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  /** Kills the shell, stops every timer and drops the PTY's listeners; no status is sent after this. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.activityTimer);
    this.activityTimer = undefined;
    if (this.drain) {
      clearTimeout(this.drain.timer);
      this.drain.done();
    }
    this.client = undefined;
    this.viewers?.closeAll(CloseCode.normal, 'the shell was restarted');
    this.viewers = undefined;
    this.kill('SIGKILL');
    for (const l of this.listeners) l.dispose();
  }

  private carry: Buffer = EMPTY;

  /** Finds the end marker even when it is split across reads; answers it with the ACK byte. */
  private onData(raw: Buffer): void {
    let buf = this.carry.length ? Buffer.concat([this.carry, raw]) : raw;
    this.carry = EMPTY;
    const at = buf.indexOf(EXIT_MARKER);
    if (at >= 0) {
      this.onOutput(buf.subarray(0, at));
      this.flushNow();
      try {
        this.proc.write(EXIT_ACK);
      } catch {
        /* the helper gave up waiting already */
      }
      return;
    }
    // A marker split across reads can only start at an ESC near the end of this chunk.
    const esc = buf.indexOf(0x1b, Math.max(0, buf.length - (EXIT_MARKER.length - 1)));
    if (esc >= 0) {
      for (let k = buf.length - esc; k > 0; k--) {
        if (buf.subarray(buf.length - k).equals(EXIT_MARKER.subarray(0, k))) {
          this.carry = Buffer.from(buf.subarray(buf.length - k));
          buf = buf.subarray(0, buf.length - k);
          break;
        }
      }
    }
    this.onOutput(buf);
  }

  private onOutput(chunk: Buffer): void {
    terminalBytes.inc({ direction: 'out' }, chunk.length);
    if (chunk.length === 0) return;
    this.lastDataAt = Date.now();
    if (this.drain) this.drain.timer.refresh();
    this.outputBytes += chunk.length;
    this.ring.push(chunk);
    this.viewers?.push(chunk);
    if (this.client) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= BATCH_BYTES) this.flushNow();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushNow());
      }
    }
    // One timer per command, not one per chunk: when it fires it re-arms until output went quiet.
    if (this.enterPressed && this.opts.onActivity && !this.activityTimer) this.armActivity(ACTIVITY_QUIET_MS);
  }

  private armActivity(ms: number): void {
    if (this.disposed) return;
    this.activityTimer = setTimeout(() => {
      const quiet = Date.now() - this.lastDataAt;
      if (quiet < ACTIVITY_QUIET_MS) {
        // Still output (a long command, or the echo of the next one being typed): one check at the
        // latest ACTIVITY_MAX_WAIT_MS after Enter, and the usual one once it goes quiet.
        if (!this.maxWaitFired && Date.now() - this.enterAt >= ACTIVITY_MAX_WAIT_MS) {
          this.maxWaitFired = true;
          this.opts.onActivity?.();
        }
        return this.armActivity(ACTIVITY_QUIET_MS - quiet);
      }
      this.activityTimer = undefined;
      this.enterPressed = false;
      this.opts.onActivity?.();
    }, ms);
  }

  private flushNow(): void {
    this.flushScheduled = false;
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.client) this.sendOutput(data);
  }

  private sendOutput(data: Uint8Array): void {
    if (!this.client || data.length === 0) return;
    this.flow.sent(data.length);
    this.safeSend(encodeServerFrame({ type: 'output', data }));
    this.updatePause();
  }

  private sendStatus(status: TerminalStatus): void {
    this.safeSend(encodeServerFrame({ type: 'status', status }));
  }

  private safeSend(frame: Uint8Array): void {
    try {
      this.client?.send(frame);
    } catch {
      /* a socket that broke mid-send is detached by its close handler */
    }
  }

  private updatePause(): void {
    // Without a client the shell keeps running into the bounded ring; with one, the client's acks pace it.
    const shouldPause = this.client !== undefined && this.exitStatus === undefined && this.flow.shouldPause(this.paused);
    if (shouldPause !== this.paused) {
      this.paused = shouldPause;
      if (shouldPause) this.proc.pause();
      else this.proc.resume();
    }
  }

  private async onExit(code: number, signal: number | null): Promise<void> {
    // Drain: the PTY may still hold output after the process exited. Wait until it goes quiet,
    // flush, and only then report the exit status, so the last bytes are never lost.
    if (this.paused) {
      this.paused = false;
      this.proc.resume();
    }
    await new Promise<void>((resolve) => {
      const max = setTimeout(() => finish(), EXIT_DRAIN_MAX_MS);
      const finish = () => {
        clearTimeout(max);
        clearTimeout(this.drain?.timer);
        this.drain = undefined;
        resolve();
      };
      // Each chunk of output restarts the quiet timer (onOutput); the drain ends after EXIT_QUIET_MS
      // of silence, or after EXIT_DRAIN_MAX_MS whatever the shell's children still print. A timer
      // can fire before the loop's poll phase reads output that arrived while the loop was busy
      // (timers run first): so look again after I/O was read (setImmediate), and only finish when
      // no output came in the meantime. CI once lost the last lines of a fast shell this way.
      const quiet = () =>
        setImmediate(() => {
          if (!this.drain) return;
          const since = Date.now() - this.lastDataAt;
          if (since >= EXIT_QUIET_MS) finish();
          else this.drain.timer = setTimeout(quiet, EXIT_QUIET_MS - since);
        });
      this.drain = { timer: setTimeout(quiet, EXIT_QUIET_MS), done: finish };
    });
    if (this.disposed) return;
    if (this.carry.length) this.onOutput(this.carry);
    this.carry = EMPTY;
    this.flushNow();
    clearTimeout(this.activityTimer);
    this.activityTimer = undefined;
    this.exitStatus = { code: signal ? null : code, signal: signal || null };
    this.sendStatus({ state: 'exited', ...this.exitStatus });
    this.viewers?.status({ state: 'exited', ...this.exitStatus });
    this.opts.onExit?.(this.exitStatus.code, this.exitStatus.signal);
  }
}

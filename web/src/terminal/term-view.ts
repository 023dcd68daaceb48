// One terminal in the page: xterm.js with fit, WebGL and web-links, attached to the terminal
// socket with the binary protocol: input, resize, acks as output is rendered, reconnect with
// backoff (the server replays the scrollback), and the exit status shown after the last byte.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebglAddon } from '@xterm/addon-webgl';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { CloseCode, decodeServerFrame, encodeClientFrame, type TerminalStatus } from '../../../server/protocol/frames.js';
import { focusOutside } from '../a11y/focus.js';
import { OfflineOverlay } from './offline-overlay.js';

export interface TermViewOptions {
  sessionId: string;
  token: string;
  name: string;
  onState(state: 'connecting' | 'open' | 'closed', detail?: string): void;
  onFatal(code: number, reason: string): void;
  /** xterm.js's screen-reader mode (an accessibility tree of the rows, output announced). */
  screenReader?: boolean;
  /** The learner typed (or ran) something that reached the shell. */
  onInput?(): void;
  /** Another socket path than the session's own terminal (a follower's or a broadcast's viewer socket), with `?token=`. */
  path?: string;
  /**
   * A viewer of someone else's terminal: no input, no resize (the screen keeps the writer's size),
   * until setReadOnly(false) (the instructor took the keyboard).
   */
  readOnly?: boolean;
  /** A `keyboard` status: whether the instructor holds this terminal's keyboard now. */
  onKeyboard?(instructor: boolean): void;
}

const encoder = new TextEncoder();

export class TermView {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private ws: WebSocket | undefined;
  private retries = 0;
  private disposed = false;
  private exited = false;
  private resizeObs: ResizeObserver;
  private readonly offline: OfflineOverlay;
  private webgl: WebglAddon | undefined;
  private unwatchRatio = () => {};
  private readOnly: boolean;
  /** Rewrites what the learner types before it is sent (the extra keys' sticky Ctrl). */
  static inputFilter: ((data: string) => string) | undefined;

  constructor(
    readonly el: HTMLElement,
    private readonly opts: TermViewOptions,
  ) {
    this.readOnly = opts.readOnly ?? false;
    this.term = new Terminal({
      disableStdin: this.readOnly,
      cursorBlink: true,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, monospace',
      fontSize: 14,
      scrollback: 5000,
      allowProposedApi: true,
      theme: { background: '#0f1419', foreground: '#e6e1cf', cursor: '#ffcc66', selectionBackground: '#33415e' },
      screenReaderMode: opts.screenReader ?? false,
      // WCAG AA for what programs print too: xterm lightens dim or dark colours until they reach 4.5:1.
      minimumContrastRatio: 4.5,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.open(el);
    this.offline = new OfflineOverlay(el);
    this.loadWebgl();
    this.watchPixelRatio();
    // Copy like a desktop terminal: Ctrl+Shift+C always, Ctrl+C when text is selected (else it is
    // the shell's interrupt). Paste (Ctrl+Shift+V, Ctrl+V, middle click) is the browser's own.
    this.term.attachCustomKeyEventHandler((e) => {
      // Tab belongs to the shell (completion), so Ctrl+Shift+Right/Left leave the terminal the way
      // Tab/Shift+Tab would (README, and the line under the terminals).
      if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
        e.preventDefault();
        if (e.type === 'keydown') focusOutside(this.el, e.key === 'ArrowRight' ? 1 : -1);
        return false;
      }
      if (e.type !== 'keydown' || !e.ctrlKey || e.altKey || e.metaKey || e.key.toLowerCase() !== 'c') return true;
      const sel = this.term.getSelection();
      if (!e.shiftKey && !sel) return true;
      e.preventDefault();
      if (sel) void navigator.clipboard?.writeText(sel).catch(() => undefined);
      this.term.clearSelection();
      return false;
    });
    this.term.onData((d) => {
      if (TermView.inputFilter) d = TermView.inputFilter(d);
      if (!this.input()) return;
      if (this.exited && d === '\r') return this.restart();
      this.send(encodeClientFrame({ type: 'input', data: encoder.encode(d) }));
    });
    this.term.onBinary((d) => {
      if (this.input()) this.send(encodeClientFrame({ type: 'input', data: Uint8Array.from(d, (c) => c.charCodeAt(0)) }));
    });
    this.term.onResize(({ cols, rows }) => {
      if (!this.readOnly) this.send(encodeClientFrame({ type: 'resize', cols, rows }));
    });
    this.resizeObs = new ResizeObserver(() => this.refit());
    this.resizeObs.observe(el);
    this.connect();
  }

  /**
   * WebGL draws fastest, but a GPU can refuse it or lose it (a driver reset, a tab in the
   * background on a phone): then xterm's DOM renderer draws. The element's data-renderer says which.
   */
  private loadWebgl(): void {
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => this.dropWebgl());
      this.term.loadAddon(webgl);
      this.webgl = webgl;
    } catch {
      this.webgl = undefined;
    }
    this.el.dataset.renderer = this.webgl ? 'webgl' : 'dom';
  }

  private dropWebgl(): void {
    this.webgl?.dispose();
    this.webgl = undefined;
    this.el.dataset.renderer = 'dom';
    if (!this.disposed) this.term.refresh(0, this.term.rows - 1);
  }

  /**
   * A new device scale (another screen, browser zoom): a fresh WebGL renderer, sized for it. Two
   * watchers, because browsers differ in which one fires: the media query of the current ratio
   * (a window dragged to another screen) and the window's resize (zoom, and an emulated scale,
   * which fires no media-query event in headless chromium). The element's data-pixel-ratio says
   * which scale the renderer was made for.
   */
  private watchPixelRatio(): void {
    let ratio = window.devicePixelRatio;
    this.el.dataset.pixelRatio = String(ratio);
    let mq: MediaQueryList | undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    // After xterm's own watcher has seen the new scale (a renderer made before it would be sized for the old one).
    const check = () => {
      clearTimeout(pending);
      pending = setTimeout(apply, 50);
    };
    const apply = () => {
      if (this.disposed || window.devicePixelRatio === ratio) return;
      ratio = window.devicePixelRatio;
      if (this.webgl) {
        this.dropWebgl();
        this.loadWebgl();
      }
      this.refit();
      this.el.dataset.pixelRatio = String(ratio);
      listen();
    };
    const listen = () => {
      mq?.removeEventListener('change', check);
      mq = matchMedia(`(resolution: ${ratio}dppx)`);
      mq.addEventListener('change', check);
    };
    listen();
    window.addEventListener('resize', check);
    this.unwatchRatio = () => {
      clearTimeout(pending);
      mq?.removeEventListener('change', check);
      window.removeEventListener('resize', check);
    };
  }

  /** Sends keys as if typed (the extra-keys bar): through xterm's input path, so the same checks apply. */
  sendKeys(data: string): void {
    this.term.input(data, true);
  }

  /** Font size in px (the presenter view uses a bigger one); the PTY follows the new rows and columns. */
  setFontSize(px: number): void {
    if (this.term.options.fontSize === px) return;
    this.term.options.fontSize = px;
    this.refit();
  }

  setScreenReader(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  /** A viewer switched to typing (the instructor took the keyboard) or back to watching. */
  setReadOnly(on: boolean): void {
    this.readOnly = on;
    this.term.options.disableStdin = on;
  }

  refit(): void {
    // A viewer shows the writer's screen at the writer's size (set by the server's status frames).
    if (this.opts.readOnly) return;
    if (this.el.offsetWidth > 0 && this.el.offsetHeight > 0) this.fit.fit();
  }

  focus(): void {
    this.term.focus();
  }

  /** Types text as if the learner had (exec blocks); refused, visibly, while disconnected. */
  type(text: string): void {
    if (this.input()) this.send(encodeClientFrame({ type: 'input', data: encoder.encode(text) }));
  }

  /**
   * Whether input may go to the shell now. While the socket is down it is refused with a notice,
   * never queued: keys replayed blind into a shell after a reconnect could run anything.
   */
  private input(): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) {
      this.offline.refuse();
      return false;
    }
    this.opts.onInput?.();
    return true;
  }

  private send(frame: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame as Uint8Array<ArrayBuffer>);
  }

  private restart(): void {
    this.exited = false;
    this.term.write('\r\n');
    this.ws?.close();
  }

  private connect(): void {
    if (this.disposed) return;
    this.opts.onState('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const path = this.opts.path ?? `/api/sessions/${this.opts.sessionId}/terminals/${this.opts.name}`;
    const ws = new WebSocket(`${proto}://${location.host}${path}?token=${encodeURIComponent(this.opts.token)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let replaying = true;
    ws.onopen = () => {
      this.retries = 0;
      this.offline.hide();
      this.term.reset();
      this.refit();
      if (!this.opts.readOnly) this.send(encodeClientFrame({ type: 'resize', cols: this.term.cols, rows: this.term.rows }));
      this.opts.onState('open');
    };
    ws.onmessage = (ev) => {
      const frame = decodeServerFrame(new Uint8Array(ev.data as ArrayBuffer));
      if (frame.type === 'output') {
        const n = frame.data.length;
        // Ack once xterm has rendered the bytes: the server pauses the shell when we fall behind.
        this.term.write(frame.data, () => this.send(encodeClientFrame({ type: 'ack', bytes: n })));
      } else {
        this.onStatus(frame.status, replaying);
        if (frame.status.state === 'attached') replaying = false;
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws || this.disposed) return;
      this.opts.onState('closed', ev.reason);
      if ([CloseCode.noSuchSession, CloseCode.badToken, CloseCode.expired, CloseCode.noSuchTerminal, CloseCode.badOrigin, CloseCode.notInWorkshop, CloseCode.readOnly].includes(ev.code as 4000)) {
        this.opts.onFatal(ev.code, ev.reason);
        return;
      }
      if (ev.code === CloseCode.replaced) {
        this.term.write('\r\n\x1b[33m[this terminal was opened in another tab]\x1b[0m\r\n');
        return;
      }
      // The first retry is quick (a blip); then the overlay counts down to each try.
      const delay = Math.min(5000, 200 * 2 ** this.retries++);
      this.offline.show(delay);
      setTimeout(() => this.connect(), delay);
    };
  }

  private onStatus(s: TerminalStatus, _replaying: boolean): void {
    if (this.opts.readOnly && (s.state === 'attached' || s.state === 'resync' || s.state === 'size')) {
      // The writer's columns, in a font small enough that they fit this pane's width (a monospace
      // cell is about 0.6 of the font size wide), between 11 and 14 px (narrower panes scroll sideways).
      const width = this.el.clientWidth;
      if (width > 0) this.term.options.fontSize = Math.max(11, Math.min(14, Math.floor(width / (s.cols * 0.61))));
      this.term.resize(s.cols, s.rows);
    }
    if (s.state === 'keyboard') this.opts.onKeyboard?.(s.instructor);
    if (s.state === 'exited') {
      this.exited = true;
      const how = s.signal ? `was killed by signal ${s.signal}` : `exited with code ${s.code}`;
      this.term.write(`\r\n\x1b[2m[the shell ${how} — press Enter for a new shell]\x1b[0m\r\n`);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.resizeObs.disconnect();
    this.unwatchRatio();
    this.offline.hide();
    this.ws?.close(1000, 'page closed the terminal');
    this.term.dispose();
  }
}

// A session's life in the page: start one (or re-attach to the one saved in this tab), replace it
// (New sandbox, a lab, Reset step), and start a fresh one when the server ends it. Owns the
// current session, its event socket and the panels mounted for it, and builds the PageContext
// they receive. A reload re-attaches: the session's id and token live in sessionStorage; the
// learner token (progress) lives in localStorage.
import type { CreateSessionResponse, SessionSummary } from '../../../server/protocol/api.js';
import { CloseCode } from '../../../server/protocol/frames.js';
import { api, ApiError } from '../api.js';
import type { PageContext } from '../context.js';
import { $ } from '../dom.js';
import { EventSocket } from './events.js';
import { pageHooks } from './page-hooks.js';
import { setConn, showBanner } from './status.js';
import type { TerminalTabs } from './tabs.js';
import { forgetWorkshop, joinedWorkshop, setHelp, showAnnouncement } from './workshop.js';

const SESSION_KEY = 'isoplay.session';
const LEARNER_KEY = 'isoplay.learner';

// These messages are written for the learner (full, too many, slow down): shown as they are.
const PLAIN_ERRORS = ['ISOPLAY_ERR_CAPACITY', 'ISOPLAY_ERR_RATE_LIMITED', 'ISOPLAY_ERR_TOO_MANY_SESSIONS'];

function learnerToken(): string {
  let t = localStorage.getItem(LEARNER_KEY);
  if (!t) {
    t = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(LEARNER_KEY, t);
  }
  return t;
}

export interface SessionLifecycleDeps {
  terminals: TerminalTabs;
  /** Mounts the panels that follow the session (lab panel, kernel view); each returns its cleanup. */
  mountPanels(ctx: PageContext): (() => void)[];
}

export class SessionLifecycle {
  private session: CreateSessionResponse | undefined;
  private events: EventSocket | undefined;
  private panels: (() => void)[] = [];
  readonly ctx: PageContext;

  constructor(private readonly deps: SessionLifecycleDeps) {
    const self = this;
    this.ctx = {
      get session() {
        return self.session!;
      },
      learner: learnerToken(),
      api: (method, path, body) => api(method, path, body, this.session?.token),
      onEvent: (fn) => this.events?.subscribe(fn) ?? (() => undefined),
      runInTerminal: (terminal, text) => {
        const v = this.deps.terminals.select(terminal);
        if (!v) return false;
        v.type(text.endsWith('\n') ? text.replace(/\n$/, '\r') : `${text}\r`);
        return true;
      },
      startSession: (o) => this.start(o),
    };
  }

  /** The session in use; undefined before the first one runs and while a replacement starts. */
  get current(): CreateSessionResponse | undefined {
    return this.session;
  }

  /** Another terminal in this sandbox (the `+` tab); a refusal (the session has its maximum) shows in the banner. */
  async addTerminal(): Promise<{ name: string; title: string } | undefined> {
    const s = this.session;
    if (!s) return undefined;
    try {
      const t = await api<{ name: string; title: string }>('POST', `/api/sessions/${s.id}/terminals`, undefined, s.token);
      s.terminals = [...s.terminals, t];
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
      return t;
    } catch (e) {
      showBanner((e as ApiError).message, 'info');
      return undefined;
    }
  }

  /** At page load: re-attach to this tab's saved session if the server still has it, else start one. */
  async resume(): Promise<void> {
    const saved = sessionStorage.getItem(SESSION_KEY);
    if (saved) {
      const s = JSON.parse(saved) as CreateSessionResponse;
      try {
        const now = await api<SessionSummary>('GET', `/api/sessions/${s.id}`, undefined, s.token);
        // The server's list: terminals opened with `+` in an earlier page of this tab come back too.
        s.terminals = now.terminals.map(({ name, title }) => ({ name, ...(title ? { title } : {}) }));
        return this.start({ lab: s.lab }, s);
      } catch {
        // Gone (expired, or the server restarted): a new session below.
        sessionStorage.removeItem(SESSION_KEY);
      }
    }
    const lab = new URLSearchParams(location.search).get('lab') ?? undefined;
    await this.start({ lab });
  }

  /** Drops the saved session, so the next load starts a new one (it would not carry a new workshop). */
  forgetSaved(): void {
    sessionStorage.removeItem(SESSION_KEY);
  }

  /** Starts a session (replacing the current one), or takes `reuse`, and mounts everything on it. */
  async start(opts: { lab?: string; resetStep?: number }, reuse?: CreateSessionResponse): Promise<void> {
    showBanner(undefined);
    let s = reuse;
    if (!s) {
      if (this.session) this.detach();
      try {
        const w = joinedWorkshop();
        s = await api<CreateSessionResponse>('POST', '/api/sessions', { lab: opts.lab, learner: this.ctx.learner, resetStep: opts.resetStep, ...(w ? { workshop: w.code, name: w.name } : {}) });
      } catch (e) {
        const err = e as ApiError;
        if (err.code === 'ISOPLAY_ERR_WORKSHOP_NOT_FOUND') {
          forgetWorkshop();
          await this.start(opts);
          showBanner(`${err.message}. You are in a free sandbox now.`, 'info');
          return;
        }
        showBanner(PLAIN_ERRORS.includes(err.code) ? err.message : `Could not start a sandbox: ${err.message}`);
        setConn('closed', err.code);
        return;
      }
    }
    this.session = s;
    setHelp(false);
    pageHooks.session = s;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    $('lab-name').textContent = s.lab ? `Lab: ${s.lab}` : s.mode === 'host' ? 'Host shell (no sandbox!)' : 'Free sandbox';
    this.events?.dispose();
    this.events = new EventSocket(s);
    this.events.subscribe(showAnnouncement);
    const started = s;
    this.deps.terminals.mount(s, { onState: setConn, onFatal: (code, reason) => this.onTerminalFatal(started, code, reason) });
    for (const cleanup of this.panels) cleanup();
    this.panels = this.deps.mountPanels(this.ctx);
  }

  /** Leaves the current session before a new one starts, so its sockets closing is not mistaken for a crash. */
  private detach(): void {
    const old = this.session!;
    this.session = undefined;
    this.deps.terminals.clear();
    this.events?.dispose();
    this.events = undefined;
    // Best effort: a session the delete misses expires on the server by itself.
    void api('DELETE', `/api/sessions/${old.id}`, undefined, old.token).catch(() => undefined);
  }

  private onTerminalFatal(s: CreateSessionResponse, code: number, reason: string): void {
    if (this.session?.id !== s.id) return;
    if (code !== CloseCode.noSuchSession && code !== CloseCode.expired) {
      showBanner(`The terminal cannot connect: ${reason} (code ${code})`);
      return;
    }
    sessionStorage.removeItem(SESSION_KEY);
    const lab = s.lab;
    showBanner(`Your session ended (${reason}). Starting a fresh sandbox…`, 'info');
    // Said again once the fresh one runs (starting a session clears the banner): the learner
    // must not find a new shell under the cursor without knowing why. A lab's progress is the
    // learner's, so the fresh sandbox is rebuilt at the step they were on.
    void this.start({ lab }).then(() => {
      if (this.session && this.session.id !== s.id) showBanner(`Your session ended (${reason}). This is a fresh sandbox${lab ? ', rebuilt at the step you were on' : ''}.`, 'info');
    });
  }
}

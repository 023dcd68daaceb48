// A session's life in the page: start one (or re-attach to the one saved in this tab), replace it
// (New sandbox, a lab, Reset step), and start a fresh one when the server ends it. Owns the
// current session, its event socket and the panels mounted for it, and builds the PageContext
// they receive. A reload re-attaches: the session's id and token live in sessionStorage; the
// learner token (progress) lives in localStorage.
import type { CreateSessionResponse, SessionSummary } from '../../../server/protocol/api.js';
import { CloseCode } from '../../../server/protocol/frames.js';
import { api, ApiError } from '../api.js';
import type { PageContext } from '../context.js';
import type { LossQuestion } from './confirm.js';
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';
import { confirmLoss, markSandboxFresh, markSandboxUsed } from './confirm.js';
import { hideEndCard, showEndCard } from './end-card.js';
import { EventSocket } from './events.js';
import { mountBroadcastPane, showKeyboardNotice } from './broadcast.js';
import { pageHooks } from './page-hooks.js';
import { setConn, showBanner } from './status.js';
import type { TerminalTabs } from './tabs.js';
import { forgetWorkshop, joinedWorkshop, setHelp, showAnnouncement } from './workshop.js';

const SESSION_KEY = 'isoplay.session';
const LEARNER_KEY = 'isoplay.learner';

// These messages are written for the learner (full, too many, slow down): shown as they are.
const PLAIN_ERRORS = [
  'ISOPLAY_ERR_RATE_LIMITED', 'ISOPLAY_ERR_TOO_MANY_SESSIONS',
  // The workshop's shape: full, not started, ended, the host at capacity (server/workshops/shape.ts).
  'ISOPLAY_ERR_WORKSHOP_FULL', 'ISOPLAY_ERR_WORKSHOP_NOT_STARTED', 'ISOPLAY_ERR_WORKSHOP_ENDED', 'ISOPLAY_ERR_ROOM_FULL',
];
/** Seconds between tries while the playground is full. */
export const CAPACITY_RETRY_S = 10;

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
  /** Shows a lab read-only while no session can start (the playground is full); returns cleanups. */
  previewLab?(lab: string | undefined): (() => void)[];
}

export class SessionLifecycle {
  private session: CreateSessionResponse | undefined;
  private events: EventSocket | undefined;
  private panels: (() => void)[] = [];
  private startStep: number | undefined;
  /** The lab step the learner reached (0-based, from the lab panel) and the lab's title: the end card restores to it. */
  private labAt: { title: string; current: number; steps: number } | undefined;
  private retryTimer: ReturnType<typeof setInterval> | undefined;
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
      get startStep() {
        return self.startStep;
      },
      reportLab: (at) => {
        this.labAt = at;
      },
      runInTerminal: (terminal, text) => {
        const v = this.deps.terminals.select(terminal);
        if (!v) return false;
        v.type(text.endsWith('\n') ? text.replace(/\n$/, '\r') : `${text}\r`);
        return true;
      },
      startSession: (o) => this.replace(o),
    };
  }

  /** A sandbox the learner asked to replace (a lab, All labs, New sandbox, Reset step): asks first what will be lost. */
  async replace(opts: { lab?: string; resetStep?: number }): Promise<void> {
    const cur = this.session;
    if (cur) {
      const ok = await confirmLoss(lossQuestion(cur, opts, this.labAt));
      if (!ok) return;
    }
    await this.start(opts);
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
      } catch (e) {
        // Gone (expired, or the server restarted): said so, with a new sandbox a click away. A
        // server that cannot be reached at all gets a new try below, which says that.
        sessionStorage.removeItem(SESSION_KEY);
        if ((e as ApiError).status === 404 || (e as ApiError).status === 401) {
          this.ended(s, t('session.expired'));
          return;
        }
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
    hideEndCard();
    clearInterval(this.retryTimer);
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
          showBanner(t('session.workshopGone', { error: err.message }), 'info');
          return;
        }
        if (err.code === 'ISOPLAY_ERR_CAPACITY') return this.waitForRoom(opts);
        if (err.code === 'ISOPLAY_ERR_LAB_NOT_FOUND') {
          showNotFound(t('session.noSuchLab', { lab: opts.lab ?? '' }));
          setConn('closed', t('conn.noSuchLab'));
          return;
        }
        showBanner(PLAIN_ERRORS.includes(err.code) ? err.message : t('session.startFailed', { error: err.message }));
        setConn('closed', err.code);
        return;
      }
    }
    this.session = s;
    this.startStep = reuse ? undefined : opts.resetStep;
    this.labAt = undefined;
    markSandboxFresh(!reuse);
    setHelp(false);
    pageHooks.session = s;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    $('lab-name').textContent = s.lab ? t('top.lab', { title: s.lab }) : t(s.mode === 'host' ? 'top.hostShell' : 'top.freeSandbox');
    this.events?.dispose();
    this.events = new EventSocket(s, markKernelViewStale);
    this.events.subscribe(showAnnouncement);
    mountBroadcastPane(s, this.events);
    const started = s;
    this.deps.terminals.mount(s, { onState: setConn, onFatal: (code, reason) => this.onTerminalFatal(started, code, reason), onInput: markSandboxUsed, onKeyboard: showKeyboardNotice });
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

  /**
   * The playground is full: said, with a countdown, and tried again every CAPACITY_RETRY_S seconds.
   * The lab panel keeps what it shows (the lab text stays readable); a page that has none yet
   * shows the lab read-only.
   */
  private waitForRoom(opts: { lab?: string; resetStep?: number }): void {
    setConn('closed', t('conn.full'));
    if (!this.panels.length && this.deps.previewLab) this.panels = this.deps.previewLab(opts.lab);
    let left = CAPACITY_RETRY_S;
    const say = () => showBanner(t(opts.lab ? 'session.fullLab' : 'session.full', { s: left }), 'info');
    say();
    $('banner').dataset.waiting = 'capacity';
    this.retryTimer = setInterval(() => {
      left--;
      if (left > 0) return say();
      clearInterval(this.retryTimer);
      delete $('banner').dataset.waiting;
      void this.start(opts);
    }, 1000);
  }

  /** The server ended session `s`: the end card says why and offers a new sandbox or a restore. */
  private ended(s: CreateSessionResponse, reason: string): void {
    const at = this.labAt;
    if (this.session?.id === s.id) {
      this.session = undefined;
      pageHooks.session = undefined;
      this.deps.terminals.clear();
      this.events?.dispose();
      this.events = undefined;
      // What the kernel view still shows is the ended sandbox's last state: say so.
      markKernelViewStale(true, 'ended');
    }
    setConn('closed', t('conn.ended'));
    // The lab text stays readable; what needs the sandbox waits for a new one.
    for (const b of $('lab-panel').querySelectorAll<HTMLButtonElement>('.lab-run, .lab-check, .lab-predict-opt')) b.disabled = true;
    const lab = s.lab;
    const restoreStep = at ? Math.min(at.current, at.steps - 1) : undefined;
    showEndCard($('terminals').parentElement!, {
      reason,
      labTitle: at?.title ?? lab,
      restoreStep: lab && restoreStep !== undefined ? restoreStep + 1 : undefined,
      startAgain: () => void this.start(lab ? { lab, resetStep: 0 } : {}),
      restore: lab && restoreStep !== undefined && restoreStep > 0 ? () => void this.start({ lab, resetStep: restoreStep }) : undefined,
    });
  }

  private onTerminalFatal(s: CreateSessionResponse, code: number, reason: string): void {
    if (this.session?.id !== s.id) return;
    if (code !== CloseCode.noSuchSession && code !== CloseCode.expired) {
      showBanner(t('session.termCannotConnect', { reason, code }));
      return;
    }
    sessionStorage.removeItem(SESSION_KEY);
    void this.restartedOrEnded(s, code, reason);
  }

  /**
   * A session the server does not know: if the server itself restarted (a crash, a kill -9), the
   * learner loses nothing of their own: the page starts a new sandbox by itself, at the step they
   * reached (the server replays the solves before it; passed checks are kept by the server), and
   * says so. Otherwise the session ended for a reason of its own: the end card says which.
   */
  private async restartedOrEnded(s: CreateSessionResponse, code: number, reason: string): Promise<void> {
    if (code === CloseCode.noSuchSession && s.server) {
      const h = await api<{ server?: string }>('GET', '/api/health').catch(() => undefined);
      if (h?.server && h.server !== s.server && (!this.session || this.session.id === s.id)) {
        const at = this.labAt;
        const step = s.lab && at ? Math.min(at.current, at.steps - 1) : undefined;
        await this.start(s.lab ? { lab: s.lab, resetStep: step } : {});
        showBanner(t(step ? 'session.serverRestartedAt' : 'session.serverRestarted', { n: (step ?? 0) + 1 }), 'info');
        return;
      }
    }
    this.ended(s, reason);
  }
}

/** What replacing `cur` by `opts` throws away, in the learner's words. */
function lossQuestion(cur: CreateSessionResponse, opts: { lab?: string; resetStep?: number }, at: { title: string } | undefined): LossQuestion {
  const lost = t('loss.lost');
  const kept = cur.lab ? t('loss.kept', { title: at?.title ?? cur.lab }) : undefined;
  if (opts.resetStep !== undefined) {
    const n = opts.resetStep + 1;
    return { title: t('loss.reset.title', { n }), lost: t('loss.reset.lost', { lost, n }), kept, ok: t('loss.reset.ok') };
  }
  if (opts.lab && opts.lab !== cur.lab) return { title: t('loss.lab.title'), lost: t('loss.lab.lost', { lost }), kept, ok: t('loss.lab.ok') };
  if (!opts.lab && cur.lab) return { title: t('loss.list.title'), lost: t('loss.list.lost', { lost }), kept, ok: t('loss.list.ok') };
  return { title: t('loss.new.title'), lost, kept, ok: t('loss.new.ok') };
}

/** An unknown lab or page: a page of its own with a way back, instead of a banner over a broken page. */
export function showNotFound(what: string): void {
  const main = document.querySelector('main.layout');
  const box = document.createElement('section');
  box.className = 'notfound';
  box.setAttribute('role', 'main');
  const h = document.createElement('h1');
  h.textContent = t('notfound.title');
  const p = document.createElement('p');
  p.textContent = t('notfound.text', { what });
  const back = document.createElement('a');
  back.className = 'btn notfound-back';
  back.href = '/';
  back.textContent = t('lab.back');
  box.append(h, p, back);
  document.title = t('notfound.docTitle');
  main?.replaceWith(box);
  // No sandbox here: the top bar's session controls go too.
  $('lab-name').textContent = '';
  for (const id of ['conn', 'present', 'new-sandbox', 'help']) $(id).hidden = true;
}

/** The kernel view shows the last snapshots it had: while the event socket is down they are marked stale. */
function markKernelViewStale(stale: boolean, why: 'offline' | 'ended' = 'offline'): void {
  const kv = $('kernel-view');
  if (stale) {
    kv.dataset.stale = 'true';
    kv.dataset.staleWhy = t(why === 'ended' ? 'kv.stale.ended' : 'kv.stale.offline');
  } else {
    delete kv.dataset.stale;
    delete kv.dataset.staleWhy;
  }
}

// The page: makes (or re-attaches to) a session, lays out the lab panel, the terminals and the
// kernel view, and gives them a PageContext. A reload re-attaches the same session: its id and
// token live in sessionStorage; the learner token (progress) lives in localStorage.
import './style.css';
import type { Terminal } from '@xterm/xterm';
import type { CreateSessionResponse } from '../../server/protocol/api.js';
import type { ServerEventMessage } from '../../server/protocol/events.js';
import { api, ApiError } from './api.js';
import type { PageContext } from './context.js';
import { TermView } from './terminal/term-view.js';
import { mountLabPanel } from './labs/panel.js';
import { mountKernelView } from './kernel/view.js';

declare global {
  interface Window {
    __isoplay: { terminals: Record<string, Terminal>; session?: CreateSessionResponse };
  }
}
window.__isoplay = { terminals: {} };

const $ = (id: string) => document.getElementById(id)!;
const SESSION_KEY = 'isoplay.session';
const WORKSHOP_KEY = 'isoplay.workshop';

/** The workshop this browser joined (code, name, title), kept across visits. */
interface JoinedWorkshop {
  code: string;
  name: string;
  title: string;
}
function joinedWorkshop(): JoinedWorkshop | undefined {
  try {
    return JSON.parse(localStorage.getItem(WORKSHOP_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}
function showWorkshopChip(): void {
  const w = joinedWorkshop();
  const chip = $('workshop-chip');
  chip.hidden = !w;
  chip.textContent = w ? `Workshop: ${w.title} · ${w.name}` : '';
  $('help').hidden = !w;
}

// A raised hand for the instructor's dashboard (per session: a new sandbox starts with it down).
function setHelp(on: boolean): void {
  $('help').setAttribute('aria-pressed', String(on));
  $('help').textContent = on ? 'Help requested (click to withdraw)' : 'Ask for help';
}
$('help').onclick = async () => {
  if (!current) return;
  const on = $('help').getAttribute('aria-pressed') !== 'true';
  try {
    await api('POST', `/api/sessions/${current.id}/help`, { on }, current.token);
    setHelp(on);
  } catch (e) {
    showBanner((e as ApiError).message);
  }
};
const LEARNER_KEY = 'isoplay.learner';

function learnerToken(): string {
  let t = localStorage.getItem(LEARNER_KEY);
  if (!t) {
    t = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(LEARNER_KEY, t);
  }
  return t;
}

function showBanner(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text ?? '';
  b.dataset.kind = kind;
}

let views: TermView[] = [];
let eventSocket: WebSocket | undefined;
const listeners = new Set<(m: ServerEventMessage) => void>();
const lastByType = new Map<string, ServerEventMessage>();
let current: CreateSessionResponse | undefined;
let cleanupPanels: (() => void)[] = [];

function openEvents(s: CreateSessionResponse): void {
  eventSocket?.close();
  lastByType.clear();
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/api/sessions/${s.id}/events?token=${encodeURIComponent(s.token)}`);
  eventSocket = ws;
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data)) as ServerEventMessage;
    if (msg.type === 'event' && msg.kind === 'announce') showBanner(`Your instructor: ${msg.text}`, 'info');
    if (msg.type !== 'event') lastByType.set(msg.type, msg);
    for (const fn of listeners) fn(msg);
  };
  ws.onclose = (ev) => {
    if (eventSocket === ws && ev.code !== 4002 && ev.code !== 4000 && ev.code !== 4001) setTimeout(() => current?.id === s.id && openEvents(s), 1000);
  };
}

function setConn(state: string, detail?: string): void {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : `disconnected${detail ? `: ${detail}` : ''}`;
}

function mountTerminals(s: CreateSessionResponse): void {
  for (const v of views) v.dispose();
  views = [];
  window.__isoplay.terminals = {};
  const tabs = $('term-tabs');
  const box = $('terminals');
  tabs.replaceChildren();
  box.replaceChildren();
  s.terminals.forEach(({ name, title }, i) => {
    const el = document.createElement('div');
    el.className = 'term';
    el.dataset.terminal = name;
    el.hidden = i !== 0;
    box.append(el);
    const tab = document.createElement('button');
    tab.className = 'tab';
    tab.textContent = title ?? name;
    tab.dataset.terminal = name;
    tab.setAttribute('aria-selected', String(i === 0));
    tab.onclick = () => selectTab(name);
    tabs.append(tab);
    const view = new TermView(el, {
      sessionId: s.id,
      token: s.token,
      name,
      onState: (st, d) => setConn(st, d),
      onFatal: (code, reason) => {
        if (current?.id !== s.id) return;
        if (code === 4000 || code === 4002) {
          sessionStorage.removeItem(SESSION_KEY);
          const lab = current?.lab;
          showBanner(`Your session ended (${reason}). Starting a fresh sandbox…`, 'info');
          // Said again once the fresh one runs (starting a session clears the banner): the learner
          // must not find a new shell under the cursor without knowing why. A lab's progress is the
          // learner's, so the fresh sandbox is rebuilt at the step they were on.
          void startSession({ lab }).then(() => {
            if (current && current.id !== s.id) showBanner(`Your session ended (${reason}). This is a fresh sandbox${lab ? ', rebuilt at the step you were on' : ''}.`, 'info');
          });
        } else showBanner(`The terminal cannot connect: ${reason} (code ${code})`);
      },
    });
    view.setFontSize(termFontSize());
    views.push(view);
    window.__isoplay.terminals[name] = view.term;
  });
  tabs.hidden = s.terminals.length < 2;
  views[0]?.focus();
}

function selectTab(name: string): TermView | undefined {
  let found: TermView | undefined;
  for (const v of views) {
    const on = v.el.dataset.terminal === name;
    v.el.hidden = !on;
    if (on) found = v;
  }
  for (const t of document.querySelectorAll<HTMLButtonElement>('#term-tabs .tab')) t.setAttribute('aria-selected', String(t.dataset.terminal === name));
  found?.refit();
  found?.focus();
  return found;
}

const ctx: PageContext = {
  get session() {
    return current!;
  },
  learner: learnerToken(),
  api: (method, path, body) => api(method, path, body, current?.token),
  onEvent(fn) {
    for (const m of lastByType.values()) fn(m);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  },
  runInTerminal(terminal, text) {
    const v = selectTab(terminal);
    if (!v) return false;
    v.type(text.endsWith('\n') ? text.replace(/\n$/, '\r') : `${text}\r`);
    return true;
  },
  startSession: (o) => startSession(o),
};

async function startSession(opts: { lab?: string; resetStep?: number }, reuse?: CreateSessionResponse): Promise<void> {
  showBanner(undefined);
  let s = reuse;
  if (!s) {
    if (current) {
      // Detach from the old session first, so its sockets closing is not mistaken for a crash.
      const old = current;
      current = undefined;
      for (const v of views) v.dispose();
      views = [];
      eventSocket?.close();
      eventSocket = undefined;
      void api('DELETE', `/api/sessions/${old.id}`, undefined, old.token).catch(() => undefined);
    }
    try {
      const w = joinedWorkshop();
      s = await api<CreateSessionResponse>('POST', '/api/sessions', { lab: opts.lab, learner: ctx.learner, resetStep: opts.resetStep, ...(w ? { workshop: w.code, name: w.name } : {}) });
    } catch (e) {
      const err = e as ApiError;
      if (err.code === 'ISOPLAY_ERR_WORKSHOP_NOT_FOUND') {
        // The workshop is gone (another server, or wiped): carry on without it.
        localStorage.removeItem(WORKSHOP_KEY);
        showWorkshopChip();
        await startSession(opts);
        showBanner(`${err.message}. You are in a free sandbox now.`, 'info');
        return;
      }
      // These messages are written for the learner (full, too many, slow down): show them as they are.
      const plain = ['ISOPLAY_ERR_CAPACITY', 'ISOPLAY_ERR_RATE_LIMITED', 'ISOPLAY_ERR_TOO_MANY_SESSIONS'].includes(err.code);
      showBanner(plain ? err.message : `Could not start a sandbox: ${err.message}`);
      setConn('closed', err.code);
      return;
    }
  }
  current = s;
  setHelp(false);
  window.__isoplay.session = s;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  $('lab-name').textContent = s.lab ? `Lab: ${s.lab}` : s.mode === 'host' ? 'Host shell (no sandbox!)' : 'Free sandbox';
  openEvents(s);
  mountTerminals(s);
  for (const c of cleanupPanels) c();
  cleanupPanels = [mountLabPanel($('lab-panel'), ctx), mountKernelView($('kernel-view'), ctx)];
}

$('new-sandbox').onclick = () => void startSession({ lab: current?.lab });

// Presenter view: bigger text everywhere for a projector, remembered in this browser.
const PRESENT_KEY = 'isoplay.presenter';
const termFontSize = () => (document.body.classList.contains('presenter') ? 20 : 14);
function setPresenter(on: boolean): void {
  document.body.classList.toggle('presenter', on);
  $('present').setAttribute('aria-pressed', String(on));
  localStorage.setItem(PRESENT_KEY, on ? '1' : '0');
  for (const v of views) v.setFontSize(termFontSize());
}
$('present').onclick = () => setPresenter(!document.body.classList.contains('presenter'));
setPresenter(localStorage.getItem(PRESENT_KEY) === '1');

/** `/?join=CODE`: ask the learner's name once, then every session carries the workshop's code. */
async function joinFromUrl(): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('join')?.trim().toUpperCase();
  if (!code) return undefined;
  params.delete('join');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  let title: string;
  try {
    title = (await api<{ title: string }>('GET', `/api/workshops/join/${encodeURIComponent(code)}`)).title;
  } catch (e) {
    return (e as ApiError).message;
  }
  const prev = joinedWorkshop();
  const dialog = $('join-dialog') as HTMLDialogElement;
  $('join-title').textContent = title;
  const input = $('join-name') as HTMLInputElement;
  input.value = prev?.name ?? '';
  const name = await new Promise<string | undefined>((resolve) => {
    $('join-skip').onclick = () => {
      dialog.close();
      resolve(undefined);
    };
    ($('join-form') as HTMLFormElement).onsubmit = () => resolve(input.value.trim() || undefined);
    dialog.showModal();
    input.focus();
  });
  if (!name) return undefined;
  localStorage.setItem(WORKSHOP_KEY, JSON.stringify({ code, name, title } satisfies JoinedWorkshop));
  // A session from before the join does not carry the workshop: start a new one.
  sessionStorage.removeItem(SESSION_KEY);
  return undefined;
}

async function boot(): Promise<void> {
  const joinError = await joinFromUrl();
  showWorkshopChip();
  await startFirstSession();
  // Shown after the session started (starting one clears the banner).
  if (joinError) showBanner(`${joinError}. You are in a free sandbox.`, 'info');
}

async function startFirstSession(): Promise<void> {
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    const s = JSON.parse(saved) as CreateSessionResponse;
    try {
      await api('GET', `/api/sessions/${s.id}`, undefined, s.token);
      return startSession({ lab: s.lab }, s);
    } catch {
      sessionStorage.removeItem(SESSION_KEY);
    }
  }
  const lab = new URLSearchParams(location.search).get('lab') ?? undefined;
  await startSession({ lab });
}
void boot();

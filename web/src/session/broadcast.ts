// The learner's side of a workshop's live parts: the instructor's broadcast in a side pane
// (read-only; hide it, or pop it out into a window of its own), and the notice while the instructor
// types in the learner's terminal. Both follow the session's events (session/events.ts).
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import type { ServerEventMessage } from '../../../server/protocol/events.js';
import { api } from '../api.js';
import { esc } from '../dom.js';
import { t } from '../i18n/index.js';
import { TermView } from '../terminal/term-view.js';
import './broadcast.css';
import { pageHooks } from './page-hooks.js';

const HIDDEN_KEY = 'isoplay.broadcast.hidden';
let pane: HTMLElement | undefined;
let view: TermView | undefined;
let live = false;
let session: CreateSessionResponse | undefined;

/** "The instructor is typing": shown while the instructor holds this learner's keyboard. */
export function showKeyboardNotice(on: boolean): void {
  let n = document.getElementById('kb-notice');
  if (!n) {
    n = document.createElement('div');
    n.id = 'kb-notice';
    n.className = 'kb-notice';
    n.setAttribute('role', 'status');
    n.setAttribute('aria-live', 'assertive');
    document.getElementById('banner')?.after(n);
  }
  n.textContent = on ? t('kb.notice') : '';
  n.hidden = !on;
}

/** The URL of the pop-out window: the token in the fragment (never sent in a request line). */
export function popOutUrl(s: { id: string; token: string }): string {
  return `/broadcast.html#sid=${encodeURIComponent(s.id)}&token=${encodeURIComponent(s.token)}`;
}

function render(): void {
  if (!session) return;
  const hidden = localStorage.getItem(HIDDEN_KEY) === '1';
  if (!live) {
    view?.dispose();
    view = undefined;
    pane?.remove();
    pane = undefined;
    return;
  }
  if (!pane) {
    pane = document.createElement('aside');
    pane.className = 'bc-pane';
    pane.id = 'bc-pane';
    pane.setAttribute('aria-labelledby', 'bc-title');
    document.body.append(pane);
  }
  view?.dispose();
  view = undefined;
  pane.dataset.hidden = String(hidden);
  if (hidden) {
    pane.innerHTML = `<button class="btn bc-show" id="bc-show"><span id="bc-title">${esc(t('bc.show'))}</span></button>`;
    pane.querySelector<HTMLButtonElement>('#bc-show')!.onclick = () => {
      localStorage.removeItem(HIDDEN_KEY);
      render();
      document.getElementById('bc-hide')?.focus();
    };
    return;
  }
  pane.innerHTML = `<div class="bc-head"><h2 id="bc-title">${esc(t('bc.title'))}</h2><span class="bc-ro">${esc(t('bc.readOnly'))}</span>
    <button class="btn" id="bc-pop">${esc(t('bc.pop'))}</button><button class="btn" id="bc-hide">${esc(t('bc.hide'))}</button></div>
    <div class="bc-term" id="bc-term" role="region" aria-label="${esc(t('bc.termLabel'))}"></div>`;
  const s = session;
  pane.querySelector<HTMLButtonElement>('#bc-hide')!.onclick = () => {
    localStorage.setItem(HIDDEN_KEY, '1');
    render();
    document.getElementById('bc-show')?.focus();
  };
  pane.querySelector<HTMLButtonElement>('#bc-pop')!.onclick = () => {
    window.open(popOutUrl(s), 'isoplay-broadcast', 'popup,width=1200,height=680');
    localStorage.setItem(HIDDEN_KEY, '1');
    render();
  };
  view = new TermView(pane.querySelector<HTMLElement>('#bc-term')!, {
    sessionId: s.id,
    token: s.token,
    name: 'shell',
    path: `/api/sessions/${s.id}/broadcast/terminal`,
    readOnly: true,
    onState: () => undefined,
    onFatal: () => undefined,
  });
  pageHooks.terminals.broadcast = view.term;
}

function onEvent(m: ServerEventMessage): void {
  if (m.type !== 'event') return;
  if (m.kind === 'keyboard') showKeyboardNotice(m.instructor);
  else if (m.kind === 'broadcast') {
    live = m.live;
    render();
  }
}

/** For each new session: follows its events; a workshop that is broadcasting already shows at once. */
export function mountBroadcastPane(s: CreateSessionResponse, events: { subscribe(fn: (m: ServerEventMessage) => void): () => void }): void {
  session = s;
  live = false;
  render();
  showKeyboardNotice(false);
  events.subscribe(onEvent);
  void api<{ live: boolean }>('GET', `/api/sessions/${s.id}/broadcast`, undefined, s.token)
    .then((r) => {
      if (session !== s || !r.live || live) return;
      live = true;
      render();
    })
    .catch(() => undefined);
}

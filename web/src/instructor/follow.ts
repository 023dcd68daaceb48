// Follow a learner (the instructor's page): the learner's terminal, read-only and live, with their
// kernel view beside it, and "Take keyboard" / "Give back". The server refuses a follower's input
// until the keyboard is taken (server/http/follow.ts); the learner's page says the instructor is typing.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import type { PageContext } from '../context.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import { t } from '../i18n/index.js';
import { mountKernelView } from '../kernel/view.js';
import { EventSocket } from '../session/events.js';
import { TermView } from '../terminal/term-view.js';
import './follow.css';
import { pageHooks } from '../session/page-hooks.js';

interface FollowInfo {
  name: string;
  terminals: { name: string; title: string; instructor: boolean }[];
}

let current: { view?: TermView; events?: EventSocket; unmountKv?: () => void; sid: string } | undefined;

/** Every roster row's Follow button says whether its learner is the one followed (at once, not at the next refresh). */
function markRows(): void {
  for (const x of document.querySelectorAll<HTMLElement>('[data-follow]')) x.setAttribute('aria-pressed', String(current?.sid === x.dataset.follow));
}

function stop(): void {
  current?.view?.dispose();
  current?.events?.dispose();
  current?.unmountKv?.();
  current = undefined;
  markRows();
}

/** Closes the follow pane (and its sockets: the keyboard goes back to the learner). */
export function stopFollowing(): void {
  stop();
  const pane = document.getElementById('ws-follow');
  if (pane) pane.hidden = true;
}

/** Whom the pane follows now (the dashboard marks that row's button). */
export function following(): string | undefined {
  return current?.sid;
}

/** Opens the follow pane on a learner's session (its first started terminal, or `terminal`). */
export async function follow(host: HTMLElement, wid: string, key: string, sid: string, terminal?: string): Promise<void> {
  stop();
  const base = `/api/workshops/${encodeURIComponent(wid)}/follow/${encodeURIComponent(sid)}`;
  let pane = document.getElementById('ws-follow');
  if (!pane) {
    pane = document.createElement('section');
    pane.id = 'ws-follow';
    pane.className = 'ws-card ws-follow';
    pane.setAttribute('aria-labelledby', 'ws-follow-h');
    // Under the roster, above the live demo.
    const demo = host.querySelector('.ws-demo');
    if (demo) demo.before(pane);
    else host.append(pane);
  }
  pane.hidden = false;
  // Followed from the click on: the row's button is pressed while the pane loads, and a second
  // click (another learner, or Stop) during the load wins over this one.
  const state: NonNullable<typeof current> = { sid };
  current = state;
  markRows();
  let info: FollowInfo;
  try {
    info = await api<FollowInfo>('GET', base, undefined, key);
    if (current !== state) return;
  } catch (e) {
    if (current !== state) return;
    current = undefined;
    markRows();
    pane.innerHTML = `<h2 id="ws-follow-h">${esc(t('follow.h', { name: '' }))}</h2><p class="ws-muted" role="alert">${esc((e as ApiError).message)}</p>`;
    return;
  }
  const name = terminal ?? info.terminals[0]?.name;
  pane.innerHTML = `
    <div class="ws-follow-head">
      <h2 id="ws-follow-h">${esc(t('follow.h', { name: info.name }))}</h2>
      ${info.terminals.length > 1 ? `<div class="ws-follow-tabs" role="group" aria-label="${esc(t('follow.terminals'))}">${info.terminals
        .map((x) => `<button class="btn" data-term="${esc(x.name)}" aria-pressed="${x.name === name}">${esc(x.title)}</button>`)
        .join('')}</div>` : ''}
      <span class="spacer"></span>
      <button class="btn" id="ws-kb" aria-pressed="false" ${name ? '' : 'disabled'}>${esc(t('follow.take'))}</button>
      <button class="btn" id="ws-unfollow">${esc(t('follow.stop'))}</button>
    </div>
    <p class="ws-muted ws-follow-state" id="ws-follow-state" role="status" aria-live="polite">${esc(name ? t('follow.readOnly') : t('follow.noTerminal'))}</p>
    <div class="ws-follow-body">
      <div class="ws-follow-term" id="ws-follow-term" aria-label="${esc(t('follow.termLabel', { name: info.name }))}" role="region"></div>
      <aside class="ws-follow-kv" id="ws-follow-kv" aria-label="${esc(t('follow.kvLabel', { name: info.name }))}" tabindex="0"></aside>
    </div>`;
  $('ws-unfollow').onclick = () => {
    const sidNow = current?.sid;
    stopFollowing();
    host.querySelector<HTMLButtonElement>(`[data-follow="${sidNow}"]`)?.focus();
  };
  pane.scrollIntoView({ block: 'nearest' });
  for (const b of pane.querySelectorAll<HTMLButtonElement>('[data-term]')) b.onclick = () => void follow(host, wid, key, sid, b.dataset.term);
  // The learner's kernel view, from their event bus (read-only for the instructor).
  state.events = new EventSocket({ id: sid, token: key } as CreateSessionResponse, undefined, `${base}/events`);
  const ctx = { onEvent: (fn) => state.events!.subscribe(fn) } as Pick<PageContext, 'onEvent'>;
  state.unmountKv = mountKernelView($('ws-follow-kv'), ctx as PageContext);
  if (!name) return;
  const kb = $('ws-kb') as HTMLButtonElement;
  const showKeyboard = (mine: boolean) => {
    kb.setAttribute('aria-pressed', String(mine));
    kb.textContent = t(mine ? 'follow.give' : 'follow.take');
    $('ws-follow-state').textContent = mine ? t('follow.typing', { name: info.name }) : t('follow.readOnly');
    pane!.classList.toggle('ws-typing', mine);
    state.view?.setReadOnly(!mine);
    if (mine) state.view?.focus();
  };
  state.view = new TermView($('ws-follow-term'), {
    sessionId: sid,
    token: key,
    name,
    path: `${base}/terminals/${encodeURIComponent(name)}`,
    readOnly: true,
    onState: () => undefined,
    onFatal: (_code, reason) => ($('ws-follow-state').textContent = t('follow.closed', { reason })),
    onKeyboard: showKeyboard,
  });
  pageHooks.terminals.follow = state.view.term;
  kb.onclick = async () => {
    const take = kb.getAttribute('aria-pressed') !== 'true';
    try {
      const r = await api<{ instructor: boolean }>('POST', `${base}/keyboard`, { take, terminal: name }, key);
      showKeyboard(r.instructor);
    } catch (e) {
      $('ws-follow-state').textContent = (e as ApiError).message;
    }
  };
}

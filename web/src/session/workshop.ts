// The workshop a learner joined: `/?join=CODE` asks their name once (the join dialog), the choice
// is kept in this browser, the top bar shows it (the workshop chip), the help button raises a hand
// on the instructor's dashboard, and the instructor's announcements show in the banner.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import type { ServerEventMessage } from '../../../server/protocol/events.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import { lang, t } from '../i18n/index.js';
import { showBanner } from './status.js';
import { endingText } from '../instructor/messages.js';
import './workshop.css';

const WORKSHOP_KEY = 'isoplay.workshop';

/** The workshop this browser joined (code, name, title), kept across visits. */
export interface JoinedWorkshop {
  code: string;
  name: string;
  title: string;
  /** The workshop's path of labs (the lab-complete card suggests the next one). */
  path?: string[];
}

export function joinedWorkshop(): JoinedWorkshop | undefined {
  try {
    return JSON.parse(localStorage.getItem(WORKSHOP_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined; // a value we cannot read is no workshop: the learner can join again
  }
}

/** The workshop is gone (another server, or wiped): the learner carries on without it. */
export function forgetWorkshop(): void {
  localStorage.removeItem(WORKSHOP_KEY);
  showWorkshopChip();
}

export function showWorkshopChip(): void {
  const w = joinedWorkshop();
  const chip = $('workshop-chip');
  chip.hidden = !w;
  chip.textContent = w ? t('ws.chip', { title: w.title, name: w.name }) : '';
  $('help').hidden = !w;
}

/**
 * `/?join=CODE`: asks the learner's name once, then every session carries the workshop's code.
 * `joined` says the learner joined just now (a session from before does not carry the workshop);
 * `error` is a message for the learner (no such workshop).
 */
export async function joinFromUrl(): Promise<{ joined: boolean; error?: string }> {
  const params = new URLSearchParams(location.search);
  const code = params.get('join')?.trim().toUpperCase();
  if (!code) return { joined: false };
  params.delete('join');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  let title: string;
  let path: string[] | undefined;
  try {
    const info = await api<{ title: string; path?: string[] }>('GET', `/api/workshops/join/${encodeURIComponent(code)}`);
    title = info.title;
    path = info.path;
  } catch (e) {
    return { joined: false, error: (e as ApiError).message };
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
  if (!name) return { joined: false };
  localStorage.setItem(WORKSHOP_KEY, JSON.stringify({ code, name, title, ...(path ? { path } : {}) } satisfies JoinedWorkshop));
  return { joined: true };
}

// This file's own texts (help with a line of text, resolved requests, announcements), in the page's language.
const TEXTS = {
  en: {
    helpH: 'Ask your instructor for help',
    helpLabel: 'What are you stuck on? (optional, one line)',
    helpPlaceholder: 'e.g. unshare says Operation not permitted',
    helpSend: 'Ask for help',
    helpCancel: 'Cancel',
    resolved: 'Your instructor marked your request for help as resolved.',
    region: 'Announcements from your instructor',
    dismiss: 'Dismiss',
    dismissLabel: 'Dismiss the announcement: {text}',
  },
  'pt-BR': {
    helpH: 'Peça ajuda ao instrutor',
    helpLabel: 'Onde você travou? (opcional, uma linha)',
    helpPlaceholder: 'ex.: unshare diz Operation not permitted',
    helpSend: 'Pedir ajuda',
    helpCancel: 'Cancelar',
    resolved: 'O instrutor marcou seu pedido de ajuda como resolvido.',
    region: 'Avisos do instrutor',
    dismiss: 'Dispensar',
    dismissLabel: 'Dispensar o aviso: {text}',
  },
};
const tx = (k: keyof (typeof TEXTS)['en'], vars: Record<string, string> = {}) =>
  TEXTS[lang() === 'pt-BR' ? 'pt-BR' : 'en'][k].replace(/\{(\w+)\}/g, (_, v: string) => vars[v] ?? '');
/** The longest line a help request carries (the server refuses more). */
const HELP_TEXT_MAX = 200;

/** The dialog that asks for the optional line of text, made once. */
function helpDialog(): HTMLDialogElement {
  let d = document.getElementById('help-dialog') as HTMLDialogElement | null;
  if (d) return d;
  d = document.createElement('dialog');
  d.id = 'help-dialog';
  d.className = 'join-dialog help-dialog';
  d.setAttribute('aria-labelledby', 'help-dialog-h');
  d.innerHTML = `<form method="dialog" id="help-form"><h2 id="help-dialog-h">${esc(tx('helpH'))}</h2>
    <label>${esc(tx('helpLabel'))}<input id="help-text" maxlength="${HELP_TEXT_MAX}" autocomplete="off" placeholder="${esc(tx('helpPlaceholder'))}" /></label>
    <div class="help-actions"><button class="btn" type="button" id="help-cancel">${esc(tx('helpCancel'))}</button>
    <button class="btn btn-primary" type="submit" id="help-send">${esc(tx('helpSend'))}</button></div></form>`;
  document.body.append(d);
  return d;
}

/** Opens the dialog; resolves with the text (maybe empty) or undefined when cancelled. */
function askText(): Promise<string | undefined> {
  const d = helpDialog();
  const input = $('help-text') as HTMLInputElement;
  input.value = '';
  return new Promise((resolve) => {
    const done = (v: string | undefined) => {
      d.onclose = null;
      if (d.open) d.close();
      $('help').focus();
      resolve(v);
    };
    $('help-cancel').onclick = () => done(undefined);
    d.onclose = () => done(undefined);
    ($('help-form') as HTMLFormElement).onsubmit = (e) => {
      e.preventDefault();
      done(input.value.trim().slice(0, HELP_TEXT_MAX));
    };
    d.showModal();
    input.focus();
  });
}

// A raised hand for the instructor's dashboard (per session: a new sandbox starts with it down).
export function setHelp(on: boolean): void {
  $('help').setAttribute('aria-pressed', String(on));
  $('help').textContent = t(on ? 'top.help.on' : 'top.help');
}

/** Wires the help button to the current session (none while one is starting). */
export function mountHelpButton(session: () => CreateSessionResponse | undefined): void {
  $('help').onclick = async () => {
    const s = session();
    if (!s) return;
    const on = $('help').getAttribute('aria-pressed') !== 'true';
    // Raising the hand asks for an optional line of text; lowering it does not.
    const text = on ? await askText() : undefined;
    if (on && text === undefined) return;
    try {
      await api('POST', `/api/sessions/${s.id}/help`, { on, ...(text ? { text } : {}) }, s.token);
      setHelp(on);
    } catch (e) {
      showBanner((e as ApiError).message);
    }
  };
}

const DISMISSED_KEY = 'isoplay.announcements.dismissed';
const DISMISSED_MAX = 100;
/** The latest list from the server (its expiries are judged by this browser's clock: a snapshot replayed later carries an old `at`). */
let shown: { id: string; text: string; expiresAt: number }[] = [];
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function dismissed(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The announcements under the top bar: the unexpired ones this browser has not dismissed. */
function renderAnnouncements(): void {
  let box = document.getElementById('announcements');
  if (!box) {
    box = document.createElement('div');
    box.id = 'announcements';
    box.className = 'announcements';
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', tx('region'));
    box.setAttribute('aria-live', 'polite');
    $('banner').after(box);
    box.onclick = (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-dismiss]');
      if (!b) return;
      localStorage.setItem(DISMISSED_KEY, JSON.stringify([...dismissed().filter((id) => id !== b.dataset.dismiss), b.dataset.dismiss!].slice(-DISMISSED_MAX)));
      renderAnnouncements();
    };
  }
  const now = Date.now();
  const gone = new Set(dismissed());
  const list = shown.filter((a) => a.expiresAt > now && !gone.has(a.id));
  box.hidden = list.length === 0;
  box.innerHTML = list
    .map(
      (a) => `<div class="announcement" data-id="${esc(a.id)}"><span>${esc(t('ws.announce', { text: a.text }))}</span>
        <button class="btn" data-dismiss="${esc(a.id)}" aria-label="${esc(tx('dismissLabel', { text: a.text }))}">${esc(tx('dismiss'))}</button></div>`,
    )
    .join('');
  // The next expiry takes its announcement away, without a word from the server.
  clearTimeout(expiryTimer);
  const next = Math.min(...list.map((a) => a.expiresAt));
  if (Number.isFinite(next)) expiryTimer = setTimeout(renderAnnouncements, Math.max(0, next - now) + 100);
}

/**
 * An event-socket subscriber: the workshop's announcements (a snapshot, replayed when the page
 * connects or reconnects), shown until they expire or the learner dismisses them; the instructor
 * resolving the learner's request for help lowers the hand and says so.
 */
export function showAnnouncement(m: ServerEventMessage): void {
  if (m.type === 'announcements') {
    shown = m.list;
    renderAnnouncements();
  } else if (m.type === 'event' && m.kind === 'help-resolved') {
    setHelp(false);
    showBanner(tx('resolved'), 'info');
  } else if (m.type === 'event' && m.kind === 'workshop-ending') {
    // The workshop ends soon (10 and 2 minutes before), or was extended.
    showBanner(endingText(m.endsAt, m.extended), 'info');
    $('banner').dataset.workshop = m.extended ? 'extended' : 'ending';
    $('banner').dataset.warnings = String(Number($('banner').dataset.warnings ?? 0) + 1);
  }
}

// The workshop a learner joined: `/?join=CODE` asks their name once (the join dialog), the choice
// is kept in this browser, the top bar shows it (the workshop chip), the help button raises a hand
// on the instructor's dashboard, and the instructor's announcements show in the banner.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import type { ServerEventMessage } from '../../../server/protocol/events.js';
import { api, ApiError } from '../api.js';
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';
import { showBanner } from './status.js';
import { endingText } from '../instructor/messages.js';

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
    try {
      await api('POST', `/api/sessions/${s.id}/help`, { on }, s.token);
      setHelp(on);
    } catch (e) {
      showBanner((e as ApiError).message);
    }
  };
}

/** An event-socket subscriber: the instructor's announcement to the room, in the banner. */
export function showAnnouncement(m: ServerEventMessage): void {
  if (m.type === 'event' && m.kind === 'announce') showBanner(t('ws.announce', { text: m.text }), 'info');
  // The workshop ends soon (10 and 2 minutes before), or was extended.
  if (m.type === 'event' && m.kind === 'workshop-ending') {
    showBanner(endingText(m.endsAt, m.extended), 'info');
    $('banner').dataset.workshop = m.extended ? 'extended' : 'ending';
    $('banner').dataset.warnings = String(Number($('banner').dataset.warnings ?? 0) + 1);
  }
}

// The workshop's shape on the instructor page: the create form (title, the server's instructor key,
// a path of labs, a learner limit, start and end), the settings card (extend, end, delete, each
// asked first; the CSV and command-history downloads), and the per-learner "End session" with a
// reason the learner's page shows.
import type { CreateWorkshopResponse, LabSummary, WorkshopDashboard } from '../../../server/protocol/api.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import { lang, t, withLang } from '../i18n/index.js';
import { st } from './messages.js';
import './room.css';

const ADMIN_KEY = 'isoplay.instructor.serverKey';

const clock = (ms: number) => new Date(ms).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
const when = (ms: number) => new Date(ms).toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' });

/** The create form; `done` gets the new workshop. `banner` shows a failure the form cannot place. */
export async function mountCreateForm(host: HTMLElement, done: (w: CreateWorkshopResponse) => void, banner: (s: string | undefined) => void): Promise<void> {
  let labs: LabSummary[] = [];
  try {
    labs = (await api<{ labs: LabSummary[] }>('GET', withLang('/api/labs'))).labs;
  } catch {
    labs = []; // the form still creates a workshop without a path
  }
  const vmSeats = (l: LabSummary) => (l.terminals.some((x) => x.name === 'vm') ? 2 : 1);
  host.innerHTML = `
    <h1>${esc(t('instr.create.h'))}</h1>
    <p>${esc(t('instr.create.intro'))}</p>
    <form id="ws-form" class="ws-setup">
      <div class="ws-row"><input id="ws-title" required maxlength="80" aria-label="${esc(t('instr.create.label'))}" placeholder="${esc(t('instr.create.placeholder'))}" /></div>
      <div class="ws-field"><label for="ws-admin-key">${esc(st('key.label'))}</label>
        <input id="ws-admin-key" type="password" required autocomplete="off" spellcheck="false" aria-describedby="ws-admin-help ws-admin-err" />
        <div class="ws-muted ws-small" id="ws-admin-help">${esc(st('key.help'))}</div><div class="ws-err" id="ws-admin-err" role="alert"></div></div>
      <fieldset class="ws-path"><legend>${esc(st('path.legend'))}</legend>
        ${labs.length ? `<ol class="ws-path-list" id="ws-path">${labs
          .map((l) => `<li><label><input type="checkbox" name="path" value="${esc(l.id)}"${l.available ? '' : ' disabled'} />
            <span>${esc(l.title)}</span> <span class="ws-muted ws-small">${l.minutes} min${vmSeats(l) > 1 ? ` · ${esc(st('path.vm', { n: vmSeats(l) }))}` : ''}${l.available ? '' : ` · ${esc(l.reason ?? '')}`}</span>
            <span class="ws-order ws-small" aria-hidden="true"></span></label></li>`)
          .join('')}</ol>` : ''}
        <div class="ws-muted ws-small" id="ws-path-sum">${esc(st('path.none'))}</div></fieldset>
      <div class="ws-grid">
        <div class="ws-field"><label for="ws-limit">${esc(st('limit.label'))}</label><input id="ws-limit" type="number" min="1" max="10000" inputmode="numeric" placeholder="${esc(st('limit.help'))}" /></div>
        <div class="ws-field"><label for="ws-start">${esc(st('start.label'))}</label><input id="ws-start" type="datetime-local" /></div>
        <div class="ws-field"><label for="ws-end">${esc(st('end.label'))}</label><input id="ws-end" type="datetime-local" aria-describedby="ws-times-help" /></div>
      </div>
      <div class="ws-muted ws-small" id="ws-times-help">${esc(st('times.help'))}</div>
      <div class="ws-row ws-submit"><button class="btn btn-primary" type="submit">${esc(t('instr.create.ok'))}</button></div>
    </form>`;
  const keyInput = $('ws-admin-key') as HTMLInputElement;
  keyInput.value = localStorage.getItem(ADMIN_KEY) ?? '';
  // The path is the ticked labs in the order they were ticked: each shows its place.
  const order: string[] = [];
  const boxes = [...host.querySelectorAll<HTMLInputElement>('input[name="path"]')];
  const showOrder = () => {
    for (const b of boxes) (b.closest('label')!.querySelector('.ws-order') as HTMLElement).textContent = b.checked ? st('path.order', { n: order.indexOf(b.value) + 1 }) : '';
    $('ws-path-sum').textContent = order.length ? order.map((id) => labs.find((l) => l.id === id)?.title ?? id).join(' → ') : st('path.none');
  };
  for (const b of boxes) {
    b.onchange = () => {
      const i = order.indexOf(b.value);
      if (b.checked && i < 0) order.push(b.value);
      if (!b.checked && i >= 0) order.splice(i, 1);
      showOrder();
    };
  }
  ($('ws-form') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    $('ws-admin-err').textContent = '';
    const num = (id: string) => (($(id) as HTMLInputElement).value ? Number(($(id) as HTMLInputElement).value) : undefined);
    const time = (id: string) => (($(id) as HTMLInputElement).value ? new Date(($(id) as HTMLInputElement).value).getTime() : undefined);
    const body = { title: ($('ws-title') as HTMLInputElement).value.trim(), path: order.length ? order : undefined, learnerLimit: num('ws-limit'), startsAt: time('ws-start'), endsAt: time('ws-end') };
    try {
      const w = await api<CreateWorkshopResponse>('POST', '/api/workshops', body, keyInput.value.trim());
      localStorage.setItem(ADMIN_KEY, keyInput.value.trim());
      done(w);
    } catch (err) {
      const e2 = err as ApiError;
      if (e2.code === 'ISOPLAY_ERR_ADMIN_KEY') {
        $('ws-admin-err').textContent = st('key.wrong');
        keyInput.focus();
      } else banner(e2.message);
    }
  };
}

/** Saves `text` as a file from an authorized GET (the key goes in a header, never in a link). */
async function download(path: string, key: string, name: string, banner: (s: string | undefined) => void): Promise<void> {
  const r = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
  if (!r.ok) return banner(((await r.json().catch(() => ({}))) as { message?: string }).message ?? r.statusText);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface SettingsCard {
  update(d: WorkshopDashboard): void;
}

/** The settings card: the shape as set, time left, extend, end now, delete, downloads. */
export function mountSettings(host: HTMLElement, id: string, key: string, banner: (s: string | undefined) => void, labTitles: Map<string, string>, gone: () => void): SettingsCard {
  const base = `/api/workshops/${encodeURIComponent(id)}`;
  host.innerHTML = `
    <h2>${esc(st('settings.h'))}</h2>
    <dl class="ws-settings" id="ws-settings"></dl>
    <div class="ws-ended" id="ws-ended" role="status" hidden></div>
    <form class="ws-row" id="ws-extend-form"><label for="ws-extend-min">${esc(st('settings.extendBy'))}</label>
      <input id="ws-extend-min" type="number" min="1" max="1440" value="10" required />
      <button class="btn" type="submit" id="ws-extend">${esc(st('settings.extend'))}</button>
      <span class="ws-spacer"></span>
      <button class="btn ws-danger" type="button" id="ws-end-now">${esc(st('settings.endNow'))}</button>
      <button class="btn ws-danger" type="button" id="ws-delete">${esc(st('settings.delete'))}</button></form>
    <div class="ws-row ws-exports"><button class="btn" type="button" id="ws-export">${esc(st('export.csv'))}</button>
      <button class="btn" type="button" id="ws-history">${esc(st('export.history'))}</button></div>`;
  let joinCode = '';
  ($('ws-extend-form') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    try {
      await api('POST', `${base}/extend`, { minutes: Number(($('ws-extend-min') as HTMLInputElement).value) }, key);
    } catch (err) {
      banner((err as ApiError).message);
    }
  };
  $('ws-export').onclick = () => void download(`${base}/export.csv`, key, `workshop-${joinCode}.csv`, banner);
  $('ws-history').onclick = () => void download(`${base}/history.csv`, key, `workshop-${joinCode}-history.csv`, banner);
  $('ws-end-now').onclick = async () => {
    if (!confirm(st('settings.confirmEnd'))) return;
    try {
      await api('POST', `${base}/end`, undefined, key);
    } catch (err) {
      banner((err as ApiError).message);
    }
  };
  $('ws-delete').onclick = async () => {
    if (!confirm(st('settings.confirmDelete'))) return;
    try {
      await api('DELETE', base, undefined, key);
      gone();
    } catch (err) {
      banner((err as ApiError).message);
    }
  };
  return {
    update(d) {
      joinCode = d.joinCode;
      const path = d.path?.length ? d.path.map((l) => esc(labTitles.get(l) ?? l)).join(' → ') : esc(st('settings.noPath'));
      const left = d.endsAt && !d.endedAt ? ` <span class="ws-muted">(${esc(st('settings.left', { min: Math.max(0, Math.ceil((d.endsAt - d.now) / 60_000)) }))})</span>` : '';
      $('ws-settings').innerHTML = `
        <div><dt>${esc(st('settings.path'))}</dt><dd id="ws-set-path">${path}</dd></div>
        <div><dt>${esc(st('settings.limit'))}</dt><dd id="ws-set-limit">${d.learnerLimit ? `${d.learners.length} / ${d.learnerLimit}` : esc(st('settings.noLimit'))}</dd></div>
        <div><dt>${esc(st('settings.start'))}</dt><dd>${d.startsAt ? esc(when(d.startsAt)) : esc(st('settings.noTime'))}</dd></div>
        <div><dt>${esc(st('settings.end'))}</dt><dd id="ws-set-end">${d.endsAt ? esc(when(d.endsAt)) : esc(st('settings.noTime'))}${left}</dd></div>`;
      const ended = !!d.endedAt;
      $('ws-ended').hidden = !ended;
      $('ws-ended').textContent = ended ? st('settings.ended', { time: clock(d.endedAt!) }) : '';
      for (const b of ['ws-extend', 'ws-end-now', 'ws-extend-min']) ($(b) as HTMLButtonElement).disabled = ended;
    },
  };
}

/** The "End session" column's button, for a learner with a live session. */
export function killButton(sessionId: string | undefined, name: string): string {
  if (!sessionId) return '';
  return `<button class="btn ws-kill" type="button" data-session="${esc(sessionId)}" data-name="${esc(name)}" aria-label="${esc(`${st('kill.button')}: ${name}`)}">${esc(st('kill.button'))}</button>`;
}

/** One dialog for every row's "End session": asks the reason, then ends that learner's session. */
export function mountKillSwitch(rows: HTMLElement, id: string, key: string, banner: (s: string | undefined) => void): void {
  const dialog = document.createElement('dialog');
  dialog.className = 'ws-kill-dialog';
  dialog.id = 'ws-kill-dialog';
  dialog.setAttribute('aria-labelledby', 'ws-kill-title');
  dialog.innerHTML = `<form method="dialog" id="ws-kill-form"><h2 id="ws-kill-title"></h2>
    <label for="ws-kill-reason">${esc(st('kill.label'))}</label>
    <input id="ws-kill-reason" required maxlength="60" />
    <div class="ws-row"><button class="btn" type="button" id="ws-kill-cancel">${esc(st('kill.cancel'))}</button>
    <button class="btn btn-primary ws-danger-solid" type="submit" id="ws-kill-ok">${esc(st('kill.ok'))}</button></div></form>`;
  document.body.append(dialog);
  let target: { session: string; button: HTMLElement } | undefined;
  rows.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('.ws-kill');
    if (!b) return;
    target = { session: b.dataset.session!, button: b };
    $('ws-kill-title').textContent = `${st('kill.button')}: ${b.dataset.name}`;
    ($('ws-kill-reason') as HTMLInputElement).value = st('kill.default');
    dialog.showModal();
    ($('ws-kill-reason') as HTMLInputElement).select();
  });
  $('ws-kill-cancel').onclick = () => dialog.close();
  ($('ws-kill-form') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    const reason = ($('ws-kill-reason') as HTMLInputElement).value.trim();
    dialog.close();
    if (!target || !reason) return;
    try {
      await api('POST', `/api/workshops/${encodeURIComponent(id)}/sessions/${encodeURIComponent(target.session)}/end`, { reason }, key);
    } catch (err) {
      banner((err as ApiError).message);
    }
  };
}

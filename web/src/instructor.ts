// The instructor's page: create a workshop (a join code for the room, an instructor key kept in
// this URL's fragment, never sent in a request line), then a dashboard of every learner, refreshed
// every two seconds: lab and step, connected or not, last command, sandbox memory, OOM kills.
import './style.css';
import './instructor.css';
import type { CreateWorkshopResponse, WorkshopDashboard, WorkshopLearner } from '../../server/protocol/api.js';
import { api, ApiError } from './api.js';
import { $, esc } from './dom.js';

const MiB = 1024 * 1024;
const RECENT_KEY = 'isoplay.instructor.workshops';
/** A learner online but without a command for this long may be stuck. */
const IDLE_MS = 5 * 60_000;

function banner(text: string | undefined): void {
  $('banner').hidden = !text;
  $('banner').textContent = text ?? '';
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${Math.floor(s / 3600)} h ago`;
}

type Recent = { id: string; key: string; title: string; joinCode: string };
const recent = (): Recent[] => JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as Recent[];

function createView(): void {
  const list = recent();
  $('ws-main').innerHTML = `
    <section class="ws-card ws-create">
      <h1>Run a workshop</h1>
      <p>Create a workshop, show its join code to the room, and follow every learner from here.</p>
      <form id="ws-form"><input id="ws-title" required maxlength="80" aria-label="Workshop title" placeholder="Workshop title, e.g. Containers 101" />
      <button class="btn btn-primary" type="submit">Create workshop</button></form>
    </section>
    ${list.length ? `<section class="ws-card"><h2>Your workshops on this browser</h2><ul class="ws-recent">${list
      .map((w) => `<li><a href="#id=${w.id}&key=${encodeURIComponent(w.key)}">${esc(w.title)}</a> <span class="ws-code-small">${w.joinCode}</span></li>`)
      .join('')}</ul></section>` : ''}`;
  ($('ws-form') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    try {
      const w = await api<CreateWorkshopResponse>('POST', '/api/workshops', { title: ($('ws-title') as HTMLInputElement).value.trim() });
      localStorage.setItem(RECENT_KEY, JSON.stringify([{ id: w.id, key: w.instructorKey, title: w.title, joinCode: w.joinCode }, ...list].slice(0, 20)));
      location.hash = `id=${w.id}&key=${encodeURIComponent(w.instructorKey)}`;
    } catch (err) {
      banner((err as ApiError).message);
    }
  };
}

function row(l: WorkshopLearner, now: number): string {
  const pct = l.steps ? Math.round((l.passed / l.steps) * 100) : 0;
  const done = l.steps > 0 && l.passed === l.steps;
  const idle = l.online && l.lastActivityAt !== undefined && now - l.lastActivityAt > IDLE_MS;
  const mem = l.memory ? `${(l.memory.current / MiB).toFixed(0)} / ${l.memory.max ? (l.memory.max / MiB).toFixed(0) : '∞'} MiB` : '—';
  const help = l.helpRequestedAt !== undefined ? ` <span class="ws-help" title="asked ${ago(now - l.helpRequestedAt)}">asks for help</span>` : '';
  return `<tr class="${idle ? 'ws-idle' : ''}${help ? ' ws-helprow' : ''}" data-name="${esc(l.name)}">
    <td><span class="ws-dot ${l.online ? 'ws-on' : ''}" role="img" aria-label="${l.online ? 'connected' : 'not connected'}" title="${l.online ? 'connected' : 'not connected'}"></span>${esc(l.name)}${help}</td>
    <td>${l.labTitle ? esc(l.labTitle) : '<span class="ws-muted">free sandbox</span>'}</td>
    <td>${l.steps ? `<div class="ws-progress" title="${l.passed} of ${l.steps} steps"><div style="width:${pct}%" class="${done ? 'ws-done' : ''}"></div></div>
      <span class="ws-step">${done ? '✓ done' : `${l.passed}/${l.steps} · ${esc(l.currentStep ?? '')}`}</span>` : ''}</td>
    <td>${l.lastActivityAt ? ago(now - l.lastActivityAt) : '<span class="ws-muted">no command yet</span>'}${idle ? ' <span class="ws-flag">idle</span>' : ''}</td>
    <td class="ws-num">${mem}</td>
    <td class="ws-num">${l.oomKills ? `<span class="ws-oom">${l.oomKills}</span>` : '0'}</td>
  </tr>`;
}

async function dashboardView(id: string, key: string): Promise<void> {
  let timer: number | undefined;
  const joinUrl = (code: string) => `${location.origin}/?join=${code}`;
  async function refresh(): Promise<void> {
    let d: WorkshopDashboard;
    try {
      d = await api<WorkshopDashboard>('GET', `/api/workshops/${encodeURIComponent(id)}`, undefined, key);
      banner(undefined);
    } catch (err) {
      const e = err as ApiError;
      banner(e.status === 401 ? 'This link does not carry the right instructor key for that workshop.' : `Cannot load the dashboard: ${e.message}`);
      if (e.status === 401 || e.status === 400) return;
      timer = window.setTimeout(refresh, 5000);
      return;
    }
    if (!$('ws-main').querySelector('.ws-head')) {
      $('ws-main').innerHTML = `
        <section class="ws-head ws-card">
          <div><h1 id="ws-name"></h1><p class="ws-muted">Learners open <a id="ws-link" target="_blank" rel="noopener"></a> and type their name.
          <button class="btn" id="ws-copy">Copy link</button></p></div>
          <div class="ws-join"><div class="ws-muted">join code</div><div class="ws-code" id="ws-code"></div></div>
        </section>
        <section class="ws-card"><form id="ws-announce" class="ws-announce"><input id="ws-announce-text" maxlength="300" aria-label="Message to every learner" placeholder="Tell every learner something, e.g. 5 minutes left" required />
          <button class="btn" type="submit">Send to everyone</button><span class="ws-muted" id="ws-announce-done"></span></form></section>
        <section class="ws-card"><div class="ws-summary" id="ws-summary"></div>
          <table class="ws-table"><thead><tr><th>learner</th><th>lab</th><th>progress</th><th>last command</th><th>memory</th><th>OOM kills</th></tr></thead>
          <tbody id="ws-rows"></tbody></table>
          <p class="ws-muted ws-foot">Keep this page's address private: it holds the instructor key. <span id="ws-updated"></span></p></section>`;
      $('ws-copy').onclick = () => void navigator.clipboard?.writeText(joinUrl(d.joinCode));
      ($('ws-announce') as HTMLFormElement).onsubmit = async (e) => {
        e.preventDefault();
        const input = $('ws-announce-text') as HTMLInputElement;
        try {
          const r = await api<{ delivered: number }>('POST', `/api/workshops/${encodeURIComponent(id)}/announce`, { text: input.value.trim() }, key);
          $('ws-announce-done').textContent = `Sent to ${r.delivered} sandbox${r.delivered === 1 ? '' : 'es'}.`;
          input.value = '';
        } catch (err) {
          banner((err as ApiError).message);
        }
      };
    }
    $('ws-name').textContent = d.title;
    $('ws-code').textContent = d.joinCode;
    ($('ws-link') as HTMLAnchorElement).href = joinUrl(d.joinCode);
    $('ws-link').textContent = joinUrl(d.joinCode);
    const online = d.learners.filter((l) => l.online).length;
    const done = d.learners.filter((l) => l.steps > 0 && l.passed === l.steps).length;
    const byLab = new Map<string, number>();
    for (const l of d.learners) if (l.labTitle) byLab.set(l.labTitle, (byLab.get(l.labTitle) ?? 0) + 1);
    const helpCount = d.learners.filter((l) => l.helpRequestedAt !== undefined).length;
    $('ws-summary').innerHTML = `${helpCount ? `<span class="ws-help">${helpCount} asking for help</span> · ` : ''}<b>${d.learners.length}</b> learner${d.learners.length === 1 ? '' : 's'} · <b>${online}</b> connected · <b>${done}</b> finished their lab${
      byLab.size ? ` · ${[...byLab].map(([t, n]) => `${esc(t)}: ${n}`).join(' · ')}` : ''}`;
    $('ws-rows').innerHTML = d.learners.length ? d.learners.map((l) => row(l, d.now)).join('') : '<tr><td colspan="6" class="ws-muted">Nobody has joined yet. Show the join code to the room.</td></tr>';
    $('ws-updated').textContent = `Updated ${new Date(d.now).toLocaleTimeString()}.`;
    timer = window.setTimeout(refresh, 2000);
  }
  window.addEventListener('hashchange', () => window.clearTimeout(timer), { once: true });
  await refresh();
}

function route(): void {
  const h = new URLSearchParams(location.hash.slice(1));
  const id = h.get('id');
  const key = h.get('key');
  if (id && key) void dashboardView(id, key);
  else createView();
}
window.addEventListener('hashchange', route);
route();

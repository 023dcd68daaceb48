// The instructor's page: create a workshop (a join code for the room, an instructor key kept in
// this URL's fragment, never sent in a request line), then a dashboard of every learner, refreshed
// every two seconds: lab and step, connected or not, last command, sandbox memory, OOM kills.
import './style.css';
import './instructor.css';
import type { CreateWorkshopResponse, WorkshopDashboard, WorkshopLearner } from '../../server/protocol/api.js';
import { api, ApiError } from './api.js';
import { $, esc } from './dom.js';
import { applyI18n, lang, mountLangPicker, t, withLang } from './i18n/index.js';
import { follow, following, stopFollowing } from './instructor/follow.js';
import { mountBroadcast } from './instructor/broadcast.js';
import { setFollowOpener } from './instructor/follow-hook.js';
import type { LabSummary } from '../../server/protocol/api.js';
import { killButton, mountCreateForm, mountKillSwitch, mountSettings } from './instructor/setup.js';
import { mountJoinPanel } from './instructor/qr.js';
import { mountCapacity } from './instructor/capacity.js';
import { st } from './instructor/messages.js';
import { announcementsCard, mountAnnouncements, renderAnnouncements } from './instructor/announcements.js';
import { heatmapCards, mountHeatmap, renderHeatmap, type InsightContext } from './instructor/heatmap.js';
import { helpCard, mountHelp, renderHelp } from './instructor/help.js';

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
  return s < 60 ? t('instr.ago.s', { n: s }) : s < 3600 ? t('instr.ago.min', { n: Math.floor(s / 60) }) : t('instr.ago.h', { n: Math.floor(s / 3600) });
}

type Recent = { id: string; key: string; title: string; joinCode: string };
const recent = (): Recent[] => JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as Recent[];

function createView(): void {
  const list = recent();
  $('ws-main').innerHTML = `
    <section class="ws-card ws-create" id="ws-create"></section>
    ${list.length ? `<section class="ws-card"><h2>${esc(t('instr.recent'))}</h2><ul class="ws-recent">${list
      .map((w) => `<li><a href="#id=${w.id}&key=${encodeURIComponent(w.key)}">${esc(w.title)}</a> <span class="ws-code-small">${w.joinCode}</span></li>`)
      .join('')}</ul></section>` : ''}`;
  // The form (title, the server's key, path, limit, times) is the workshop shape's (instructor/setup.ts).
  void mountCreateForm($('ws-create'), (w) => {
    localStorage.setItem(RECENT_KEY, JSON.stringify([{ id: w.id, key: w.instructorKey, title: w.title, joinCode: w.joinCode }, ...list].slice(0, 20)));
    location.hash = `id=${w.id}&key=${encodeURIComponent(w.instructorKey)}`;
  }, banner);
}

function row(l: WorkshopLearner, now: number): string {
  const pct = l.steps ? Math.round((l.passed / l.steps) * 100) : 0;
  const done = l.steps > 0 && l.passed === l.steps;
  const idle = l.online && l.lastActivityAt !== undefined && now - l.lastActivityAt > IDLE_MS;
  const mem = l.memory ? `${(l.memory.current / MiB).toFixed(0)} / ${l.memory.max ? (l.memory.max / MiB).toFixed(0) : '∞'} MiB` : '—';
  const help = l.helpRequestedAt !== undefined ? ` <span class="ws-help" title="${esc(t('instr.asked', { ago: ago(now - l.helpRequestedAt) }))}">${esc(t('instr.asksHelp'))}</span>` : '';
  const onlineText = esc(t(l.online ? 'conn.connected' : 'instr.notConnected'));
  return `<tr class="${idle ? 'ws-idle' : ''}${help ? ' ws-helprow' : ''}" data-name="${esc(l.name)}">
    <td><span class="ws-dot ${l.online ? 'ws-on' : ''}" role="img" aria-label="${onlineText}" title="${onlineText}"></span>${esc(l.name)}${help}${
      l.sessionId && l.online ? ` <button class="btn ws-follow-btn" data-follow="${l.sessionId}" aria-pressed="${following() === l.sessionId}" aria-label="${esc(t('follow.btnLabel', { name: l.name }))}">${esc(t('follow.btn'))}</button>` : ''}</td>
    <td>${l.labTitle ? esc(l.labTitle) : `<span class="ws-muted">${esc(t('instr.freeSandbox'))}</span>`}</td>
    <td>${l.steps ? `<div class="ws-progress" title="${esc(t('instr.progress', { passed: l.passed, steps: l.steps }))}"><div style="width:${pct}%" class="${done ? 'ws-done' : ''}"></div></div>
      <span class="ws-step">${done ? esc(t('instr.done')) : `${l.passed}/${l.steps} · ${esc(l.currentStep ?? '')}`}</span>` : ''}</td>
    <td>${l.lastActivityAt ? ago(now - l.lastActivityAt) : `<span class="ws-muted">${esc(t('instr.noCommand'))}</span>`}${idle ? ` <span class="ws-flag">${esc(t('instr.idle'))}</span>` : ''}</td>
    <td class="ws-num">${mem}</td>
    <td class="ws-num">${l.oomKills ? `<span class="ws-oom">${l.oomKills}</span>` : '0'}</td>
    <td>${l.online || l.sessionId ? killButton(l.sessionId, l.name) : ''}</td>
  </tr>`;
}

async function dashboardView(id: string, key: string): Promise<void> {
  let timer: number | undefined;
  let settings: ReturnType<typeof mountSettings> | undefined;
  let refreshes = 0;
  const labTitles = new Map<string, string>();
  const titlesLoaded = api<{ labs: LabSummary[] }>('GET', withLang('/api/labs')).then((r) => r.labs.forEach((l) => labTitles.set(l.id, l.title)), () => undefined);
  /** The newest poll: an older one still in flight when an action polled again schedules nothing. */
  let gen = 0;
  const joinUrl = (code: string) => `${location.origin}/?join=${code}`;
  async function refresh(): Promise<void> {
    const mine = ++gen;
    let d: WorkshopDashboard;
    try {
      d = await api<WorkshopDashboard>('GET', `/api/workshops/${encodeURIComponent(id)}`, undefined, key);
      banner(undefined);
    } catch (err) {
      const e = err as ApiError;
      banner(e.status === 401 ? t('instr.badKey') : t('instr.loadFailed', { error: e.message }));
      if (e.status === 401 || e.status === 400) return;
      if (mine === gen) timer = window.setTimeout(refresh, 5000);
      return;
    }
    if (mine !== gen) return; // a newer poll renders
    if (!$('ws-main').querySelector('.ws-head')) {
      $('ws-main').innerHTML = `
        <section class="ws-head ws-card">
          <div><h1 id="ws-name"></h1><p class="ws-muted">${esc(t('instr.joinHow.before'))} <a id="ws-link" target="_blank" rel="noopener"></a> ${esc(t('instr.joinHow.after'))}
          <button class="btn" id="ws-copy">${esc(t('instr.copyLink'))}</button></p></div>
          <div class="ws-join"><div class="ws-muted">${esc(t('instr.joinCode'))}</div><div class="ws-code" id="ws-code"></div></div>
        </section>
        <div class="ws-side"><section class="ws-card" id="ws-qr"></section>
          <div class="ws-stack"><section class="ws-card" id="ws-set"></section><section class="ws-card" id="ws-cap" hidden></section></div></div>
        ${helpCard()}
        ${announcementsCard()}
        ${heatmapCards()}
        <section class="ws-card"><div class="ws-summary" id="ws-summary"></div>
          <table class="ws-table"><thead><tr>${(['instr.th.learner', 'instr.th.lab', 'instr.th.progress', 'instr.th.lastCommand', 'instr.th.memory', 'instr.th.oom'] as const).map((k) => `<th>${esc(t(k))}</th>`).join('')}<th>${esc(st('kill.th'))}</th></tr></thead>
          <tbody id="ws-rows"></tbody></table>
          <p class="ws-muted ws-foot">${esc(t('instr.private'))} <span id="ws-updated"></span></p></section>`;
      // Follow a learner (a button on their row) and the live demo: instructor/follow.ts, broadcast.ts.
      $('ws-rows').onclick = (e) => {
        const b = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-follow]');
        if (!b) return;
        if (following() === b.dataset.follow) stopFollowing();
        else void follow($('ws-main'), id, key, b.dataset.follow!);
      };
      mountBroadcast($('ws-main'), id, key);
      // "Open" on a help request follows that learner (instructor/follow-hook.ts).
      setFollowOpener((sid) => {
        if (following() !== sid) void follow($('ws-main'), id, key, sid);
      });
      $('ws-copy').onclick = () => void navigator.clipboard?.writeText(joinUrl(d.joinCode));
      // Join from the room, capacity, the shape's settings and the kill switch (instructor/*.ts).
      void mountJoinPanel($('ws-qr'), id, key, d.joinCode);
      void mountCapacity($('ws-cap'), id, key);
      settings = mountSettings($('ws-set'), id, key, banner, labTitles, () => {
        localStorage.setItem(RECENT_KEY, JSON.stringify(recent().filter((w) => w.id !== id)));
        location.hash = '';
        banner(st('settings.deleted'));
      });
      mountKillSwitch($('ws-rows'), id, key, banner);
      // The help queue, announcements and heatmap (web/src/instructor/*): an action polls again at once.
      const insight: InsightContext = { id, key, banner, refresh: () => (window.clearTimeout(timer), void refresh()) };
      mountHelp(insight);
      mountAnnouncements(insight);
      mountHeatmap(insight);
    }
    settings?.update(d);
    // Seats in use change as learners come and go: the capacity card follows every 5th refresh.
    if (settings && ++refreshes % 5 === 0) void mountCapacity($('ws-cap'), id, key);
    renderHelp(d);
    renderAnnouncements(d);
    renderHeatmap(d);
    $('ws-name').textContent = d.title;
    $('ws-code').textContent = d.joinCode;
    ($('ws-link') as HTMLAnchorElement).href = joinUrl(d.joinCode);
    $('ws-link').textContent = joinUrl(d.joinCode);
    const online = d.learners.filter((l) => l.online).length;
    const done = d.learners.filter((l) => l.steps > 0 && l.passed === l.steps).length;
    const byLab = new Map<string, number>();
    for (const l of d.learners) if (l.labTitle) byLab.set(l.labTitle, (byLab.get(l.labTitle) ?? 0) + 1);
    const helpCount = d.learners.filter((l) => l.helpRequestedAt !== undefined).length;
    $('ws-summary').innerHTML = `${helpCount ? `<span class="ws-help">${esc(t('instr.sum.help', { n: helpCount }))}</span> · ` : ''}${t(d.learners.length === 1 ? 'instr.sum.learners.one' : 'instr.sum.learners.other', { n: d.learners.length })} · ${t('instr.sum.online', { n: online })} · ${t('instr.sum.done', { n: done })}${
      byLab.size ? ` · ${[...byLab].map(([t, n]) => `${esc(t)}: ${n}`).join(' · ')}` : ''}`;
    // The rows are redrawn: a focused Follow button keeps the focus.
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.follow;
    $('ws-rows').innerHTML = d.learners.length ? d.learners.map((l) => row(l, d.now)).join('') : `<tr><td colspan="7" class="ws-muted">${esc(t('instr.nobody'))}</td></tr>`;
    if (focused) $('ws-rows').querySelector<HTMLElement>(`[data-follow="${focused}"]`)?.focus();
    $('ws-updated').textContent = t('instr.updated', { time: new Date(d.now).toLocaleTimeString(lang()) });
    if (mine === gen) timer = window.setTimeout(refresh, 2000);
  }
  window.addEventListener('hashchange', () => window.clearTimeout(timer), { once: true });
  await titlesLoaded; // the settings card names the path's labs by their titles
  await refresh();
}

function route(): void {
  const h = new URLSearchParams(location.hash.slice(1));
  const id = h.get('id');
  const key = h.get('key');
  if (id && key) void dashboardView(id, key);
  else createView();
}
// The static HTML's texts in the instructor's language, and the picker (before the link to a sandbox).
applyI18n();
document.title = t('instr.docTitle');
mountLangPicker(document.querySelector('.topbar')!, document.querySelector('.topbar a.btn'));
window.addEventListener('hashchange', route);
route();

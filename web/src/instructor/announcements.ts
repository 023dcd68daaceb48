// Announcements on the instructor's dashboard: send one to the room for a chosen time (15 minutes
// unless the instructor picks another), see the ones still showing with the time they have left,
// and expire one now.
import type { WorkshopDashboard } from '../../../server/protocol/api.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import type { InsightContext } from './heatmap.js';
import { patch, tt } from './strings.js';

const MINUTES = [5, 15, 30, 60, 120];
const DEFAULT_MINUTES = 15;

export function announcementsCard(): string {
  return `<section class="ws-card" aria-labelledby="an-h"><h2 id="an-h">${esc(tt('an.h'))}</h2>
    <form id="ws-announce" class="ws-announce"><input id="ws-announce-text" maxlength="300" aria-label="${esc(tt('an.label'))}" placeholder="${esc(tt('an.placeholder'))}" required />
      <label class="an-for" for="an-minutes">${esc(tt('an.for'))}</label>
      <select id="an-minutes">${MINUTES.map((m) => `<option value="${m}"${m === DEFAULT_MINUTES ? ' selected' : ''}>${esc(tt('an.min', { n: m }))}</option>`).join('')}</select>
      <button class="btn" type="submit">${esc(tt('an.send'))}</button><span class="ws-muted" id="ws-announce-done" role="status"></span></form>
    <div id="an-body"></div></section>`;
}

export function mountAnnouncements(ctx: InsightContext): void {
  ($('ws-announce') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    const input = $('ws-announce-text') as HTMLInputElement;
    try {
      const r = await api<{ delivered: number }>(
        'POST',
        `/api/workshops/${encodeURIComponent(ctx.id)}/announce`,
        { text: input.value.trim(), minutes: Number(($('an-minutes') as HTMLSelectElement).value) },
        ctx.key,
      );
      $('ws-announce-done').textContent = tt(r.delivered === 1 ? 'an.sent.one' : 'an.sent.other', { n: r.delivered });
      input.value = '';
      ctx.refresh();
    } catch (err) {
      ctx.banner((err as ApiError).message);
    }
  };
  $('an-body').onclick = async (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-announcement]');
    if (!b) return;
    b.disabled = true;
    try {
      await api('DELETE', `/api/workshops/${encodeURIComponent(ctx.id)}/announcements/${encodeURIComponent(b.dataset.announcement!)}`, undefined, ctx.key);
      $('ws-announce-text').focus();
      ctx.refresh();
    } catch (err) {
      b.disabled = false;
      ctx.banner((err as ApiError).message);
    }
  };
}

export function renderAnnouncements(d: WorkshopDashboard): void {
  const list = d.insight?.announcements ?? [];
  patch(
    $('an-body'),
    list.length
      ? `<ul class="an-list">${list
          .map(
            (a) => `<li><span class="an-text">${esc(a.text)}</span> <span class="ws-muted an-left">${esc(tt('an.expires', { t: tt('an.min', { n: Math.max(1, Math.ceil((a.expiresAt - d.now) / 60_000)) }) }))}</span>
              <button class="btn" data-announcement="${esc(a.id)}" data-key="an-${esc(a.id)}" aria-label="${esc(tt('an.expireLabel', { text: a.text }))}">${esc(tt('an.expire'))}</button></li>`,
          )
          .join('')}</ul>`
      : `<p class="ws-muted">${esc(tt('an.none'))}</p>`,
  );
}

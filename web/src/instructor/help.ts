// The help queue on the instructor's dashboard: requests oldest first, each with the learner's line
// of text and a waiting time that ticks every second; "Open" hands the learner to the follow view
// (follow-hook.ts), "Resolve" closes the request and the learner's page says so.
import type { WorkshopDashboard } from '../../../server/protocol/api.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import { openFollow } from './follow-hook.js';
import type { InsightContext } from './heatmap.js';
import { duration, patch, tt } from './strings.js';

/** Server time minus this browser's (the waiting times are the server's). */
let skew = 0;
let ticker: number | undefined;

export function helpCard(): string {
  return `<section class="ws-card hq-card" aria-labelledby="hq-h"><h2 id="hq-h">${esc(tt('hq.h'))} <span class="hq-count" id="hq-count"></span></h2><div id="hq-body"></div></section>`;
}

function tick(): void {
  const now = Date.now() + skew;
  for (const el of document.querySelectorAll<HTMLElement>('#hq-body [data-since]')) el.textContent = tt('hq.waiting', { t: duration(now - Number(el.dataset.since)) });
}

export function mountHelp(ctx: InsightContext): void {
  $('hq-body').onclick = async (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (!b) return;
    const session = b.dataset.session!;
    if (b.dataset.action === 'open') return openFollow(session);
    b.disabled = true;
    try {
      await api('POST', `/api/workshops/${encodeURIComponent(ctx.id)}/help/${encodeURIComponent(session)}/resolve`, {}, ctx.key);
      // The request leaves the list: the focus goes to the queue's heading, not to the page's top.
      $('hq-h').tabIndex = -1;
      $('hq-h').focus();
      ctx.refresh();
    } catch (err) {
      b.disabled = false;
      ctx.banner((err as ApiError).message);
    }
  };
  window.clearInterval(ticker);
  ticker = window.setInterval(tick, 1000);
}

export function renderHelp(d: WorkshopDashboard): void {
  const list = d.insight?.help ?? [];
  skew = d.now - Date.now();
  $('hq-count').textContent = list.length ? `(${list.length})` : '';
  patch(
    $('hq-body'),
    list.length
      ? `<ol class="hq-list">${list
          .map(
            (h) => `<li class="hq-item">
              <span class="hq-name">${esc(h.name)}</span>
              ${h.text ? `<q class="hq-text">${esc(h.text)}</q>` : ''}
              <span class="hq-wait" data-since="${h.at}"></span>
              <span class="hq-actions"><button class="btn" data-action="open" data-session="${esc(h.sessionId)}" data-key="open-${esc(h.sessionId)}" aria-label="${esc(tt('hq.openLabel', { name: h.name }))}">${esc(tt('hq.open'))}</button>
              <button class="btn btn-primary" data-action="resolve" data-session="${esc(h.sessionId)}" data-key="resolve-${esc(h.sessionId)}" aria-label="${esc(tt('hq.resolveLabel', { name: h.name }))}">${esc(tt('hq.resolve'))}</button></span>
            </li>`,
          )
          .join('')}</ol>`
      : `<p class="ws-muted">${esc(tt('hq.none'))}</p>`,
  );
  tick();
}

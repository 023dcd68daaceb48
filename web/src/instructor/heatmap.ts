// Where the room is stuck: the heatmap of learners × steps (a table: a row header per learner, a
// column per step grouped by lab, a symbol and a label in every cell, a text legend), the stuck
// limit the instructor sets, and the most common failed-check reasons per step. Re-rendered only
// when what it shows changed, so the focus stays where the instructor left it.
import type { HeatCell, Heatmap, WorkshopDashboard } from '../../../server/protocol/api.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import './insight.css';
import { patch, tt } from './strings.js';

const SYMBOL: Record<HeatCell, string> = { passed: '✓', current: '▸', stuck: '!', help: '?', todo: '' };
const STATE_KEY = { passed: 'hm.passed', current: 'hm.current', stuck: 'hm.stuck', help: 'hm.help', todo: 'hm.todo' } as const;

export interface InsightContext {
  id: string;
  key: string;
  /** Polls the dashboard again now (after the instructor changed something). */
  refresh(): void;
  banner(text: string | undefined): void;
}

/** The heatmap's and the failure reasons' cards, once: their content comes with every poll. */
export function heatmapCards(): string {
  return `
    <section class="ws-card hm-card" aria-labelledby="hm-h">
      <div class="hm-head"><h2 id="hm-h">${esc(tt('hm.h'))}</h2>
        <div class="hm-tools"><label class="hm-order">${esc(tt('hm.order'))} <select id="hm-order">
          <option value="joined">${esc(tt('hm.order.joined'))}</option><option value="attention">${esc(tt('hm.order.attention'))}</option><option value="behind">${esc(tt('hm.order.behind'))}</option></select></label>
        <form id="hm-stuck" class="hm-limit"><label for="hm-stuck-min">${esc(tt('hm.stuckLabel'))}</label>
        <input id="hm-stuck-min" type="number" min="1" max="240" required />
        <button class="btn" type="submit">${esc(tt('hm.stuckSet'))}</button></form></div></div>
      <p class="ws-muted hm-intro" id="hm-intro"></p>
      <p class="hm-legend" id="hm-legend"></p>
      <p class="hm-sum" id="hm-sum" role="status"></p>
      <div class="hm-scroll" id="hm-scroll" role="region" tabindex="0" aria-label="${esc(tt('hm.region'))}"></div>
    </section>
    <section class="ws-card" aria-labelledby="fr-h">
      <h2 id="fr-h">${esc(tt('fr.h'))}</h2>
      <p class="ws-muted">${esc(tt('fr.intro'))}</p>
      <div id="fr-body"></div>
    </section>`;
}

/** The last dashboard, to re-order at once when the instructor picks another order. */
let last: WorkshopDashboard | undefined;
const ORDER_KEY = 'isoplay.instructor.heatmapOrder';

export function mountHeatmap(ctx: InsightContext): void {
  const order = $('hm-order') as HTMLSelectElement;
  order.value = localStorage.getItem(ORDER_KEY) ?? 'joined';
  order.onchange = () => {
    localStorage.setItem(ORDER_KEY, order.value);
    if (last) renderHeatmap(last);
  };
  ($('hm-stuck') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    const minutes = Number(($('hm-stuck-min') as HTMLInputElement).value);
    try {
      await api('PUT', `/api/workshops/${encodeURIComponent(ctx.id)}/stuck`, { minutes }, ctx.key);
      ctx.refresh();
    } catch (err) {
      ctx.banner((err as ApiError).message);
    }
  };
}

function stepLabel(hm: Heatmap, col: number): string {
  const c = hm.columns[col];
  return `${c.step + 1}. ${c.title}`;
}

function table(hm: Heatmap, now: number): string {
  // Lab groups for the first header row.
  const groups: { title: string; span: number }[] = [];
  for (const c of hm.columns) {
    const last = groups.at(-1);
    if (last && last.title === c.labTitle) last.span++;
    else groups.push({ title: c.labTitle, span: 1 });
  }
  const head1 = `<tr><td class="hm-corner"></td>${groups.map((g) => `<th scope="colgroup" colspan="${g.span}" class="hm-lab">${esc(g.title)}</th>`).join('')}</tr>`;
  const head2 = `<tr><th scope="col" class="hm-name">${esc(tt('hm.learner'))}</th>${hm.columns
    .map((c, i) => `<th scope="col" class="hm-step" title="${esc(`${c.labTitle}: ${stepLabel(hm, i)}`)}"><abbr title="${esc(c.title)}">${c.step + 1}</abbr></th>`)
    .join('')}</tr>`;
  const body = hm.rows
    .map((r) => {
      const online = tt(r.online ? 'hm.online' : 'hm.offline');
      const cells = r.cells
        .map((cell, i) => {
          const c = hm.columns[i];
          let state = tt(STATE_KEY[cell]);
          if (i === r.currentCol && r.since !== undefined && cell !== 'todo') state += ` ${tt('hm.forMin', { n: Math.floor((now - r.since) / 60_000) })}`;
          if (i === r.currentCol && r.reason) state += `, ${tt('hm.failing', { reason: r.reason })}`;
          const label = tt('hm.cell', { name: r.name, n: c.step + 1, lab: c.labTitle, title: c.title, state });
          return `<td class="hm-cell hm-${cell}" aria-label="${esc(label)}" title="${esc(label)}">${SYMBOL[cell]}</td>`;
        })
        .join('');
      return `<tr${r.sessionId ? ` data-session="${esc(r.sessionId)}"` : ''}><th scope="row" class="hm-name" tabindex="-1" data-key="row-${esc(r.sessionId ?? r.name)}"><span class="ws-dot ${r.online ? 'ws-on' : ''}" role="img" aria-label="${esc(online)}" title="${esc(online)}"></span><span class="hm-who">${esc(r.name)}</span>${r.help ? ` <span class="hm-cell hm-help hm-badge" role="img" aria-label="${esc(tt('hm.help'))}" title="${esc(tt('hm.help'))}">?</span>` : ''}</th>${cells}</tr>`;
    })
    .join('');
  return `<table class="hm-table"><thead>${head1}${head2}</thead><tbody>${body}</tbody></table>`;
}

function reasons(hm: Heatmap): string {
  if (!hm.reasons.length) return `<p class="ws-muted">${esc(tt('fr.none'))}</p>`;
  const rows = hm.reasons
    .map((s) =>
      s.reasons
        .map(
          (r, i) => `<tr>${i === 0 ? `<th scope="rowgroup" rowspan="${s.reasons.length}" class="fr-step">${esc(hm.columns[s.col].labTitle)} · ${esc(stepLabel(hm, s.col))}</th>` : ''}
            <td><code>${esc(r.id)}</code>${r.message ? `<div class="fr-msg">${esc(r.message)}</div>` : ''}</td>
            <td class="ws-num">${r.learners}</td><td class="ws-num">${r.checks}</td></tr>`,
        )
        .join(''),
    )
    .join('');
  return `<table class="ws-table fr-table"><thead><tr><th scope="col">${esc(tt('fr.step'))}</th><th scope="col">${esc(tt('fr.reason'))}</th><th scope="col">${esc(tt('fr.learners'))}</th><th scope="col">${esc(tt('fr.checks'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Needs the instructor first: asked for help (longest waiting first), then stuck, then on a step; else join order. */
const URGENCY: Record<HeatCell, number> = { help: 0, stuck: 1, current: 2, todo: 3, passed: 4 };
function ordered(hm: Heatmap, how: string): Heatmap {
  if (how === 'joined') return hm;
  const rows = hm.rows.map((r, i) => ({ r, i }));
  const urgency = (r: Heatmap['rows'][number]) => (r.help ? 0 : r.currentCol === undefined ? 3 : URGENCY[r.cells[r.currentCol]]);
  const passed = (r: Heatmap['rows'][number]) => r.cells.filter((c) => c === 'passed').length;
  rows.sort((a, b) =>
    how === 'attention'
      ? urgency(a.r) - urgency(b.r) || (a.r.since ?? 0) - (b.r.since ?? 0) || a.i - b.i
      : passed(a.r) - passed(b.r) || a.i - b.i,
  );
  return { ...hm, rows: rows.map((x) => x.r) };
}

export function renderHeatmap(d: WorkshopDashboard): void {
  last = d;
  const hm = d.insight?.heatmap && ordered(d.insight.heatmap, ($('hm-order') as HTMLSelectElement).value);
  if (!hm) return;
  const input = $('hm-stuck-min') as HTMLInputElement;
  if (document.activeElement !== input) input.value = String(hm.stuckMinutes);
  $('hm-intro').textContent = tt('hm.intro', { n: hm.stuckMinutes });
  patch(
    $('hm-legend'),
    `<span class="hm-legend-h">${esc(tt('hm.legend'))}:</span> ${(['passed', 'current', 'stuck', 'help', 'todo'] as const)
      .map((c) => `<span class="hm-key"><span class="hm-cell hm-${c}" aria-hidden="true">${SYMBOL[c]}</span> ${esc(c === 'stuck' ? `${tt('hm.stuck')} (> ${hm.stuckMinutes} min)` : tt(STATE_KEY[c]))}</span>`)
      .join(' ')}`,
  );
  const count = (c: HeatCell) => hm.rows.filter((r) => (c === 'help' ? r.help : r.cells.includes(c))).length;
  const done = hm.rows.filter((r) => r.cells.length > 0 && r.cells.every((c) => c === 'passed')).length;
  $('hm-sum').textContent = hm.columns.length ? tt('hm.sum', { stuck: count('stuck'), help: count('help'), current: count('current'), done }) : '';
  patch($('hm-scroll'), hm.columns.length && hm.rows.length ? table(hm, d.now) : `<p class="ws-muted">${esc(tt('hm.empty'))}</p>`);
  patch($('fr-body'), reasons(hm));
}

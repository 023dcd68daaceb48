// Capacity before the start: how many learners this host holds at the configured limits, by the
// formula the README states (also in the tooltip), and how many seats this workshop's labs need (a
// lab that boots a VM costs more).
import type { WorkshopCapacityView } from '../../../server/protocol/api.js';
import { api } from '../api.js';
import { esc } from '../dom.js';
import { st, type ShapeKey } from './messages.js';

export async function mountCapacity(host: HTMLElement, workshopId: string, key: string): Promise<void> {
  let c: WorkshopCapacityView;
  try {
    c = await api<WorkshopCapacityView>('GET', `/api/workshops/${encodeURIComponent(workshopId)}/capacity`, undefined, key);
  } catch {
    host.hidden = true;
    return;
  }
  host.hidden = false;
  const open = host.querySelector('details')?.open ?? false;
  const by = st(`cap.by.${c.limitedBy}` as ShapeKey);
  const detail = `memory ${c.by.memory} · CPU ${c.by.cpu} · pids ${c.by.pids} · max sessions ${c.by.maxSessions}`;
  host.innerHTML = `
    <h2>${esc(st('cap.h'))}</h2>
    <p id="ws-cap-seats">${st('cap.seats', { seats: c.seats, by: esc(by) })}</p>
    <p id="ws-cap-need">${st('cap.need', { total: c.need.total, learners: c.need.learners, per: c.need.perLearner })}
      ${c.need.vmLabs.length ? esc(st('cap.needVm', { labs: c.need.vmLabs.join(', '), per: c.need.perLearner })) : ''}</p>
    <p class="${c.fits ? 'ws-cap-ok' : 'ws-cap-short'}" id="ws-cap-verdict">${esc(st(c.fits ? 'cap.fits' : 'cap.short'))} <span class="ws-muted">${esc(st('cap.used', { used: c.used }))}</span></p>
    <details class="ws-cap-formula"${open ? ' open' : ''}><summary title="${esc(c.formula)}">${esc(st('cap.formula'))}</summary><p>${esc(c.formula)}</p><p class="ws-muted">${esc(detail)}</p></details>`;
}

// The event-socket messages a sampler publishes, built from a worker pass's bounded lists.
import type { CgroupsMessage, ProcessesMessage } from '../protocol/events.js';
import type { BoundedList, PassResult } from './sample-pass.js';

/** The fields a bounded list adds to its message: only when something was left out. */
function truncation(b: BoundedList<unknown>): { more?: number; moreIsLowerBound?: true } {
  return {
    ...(b.more > 0 || b.moreIsLowerBound ? { more: b.more } : {}),
    ...(b.moreIsLowerBound ? { moreIsLowerBound: true as const } : {}),
  };
}

export function processesMessage(at: number, p: NonNullable<PassResult['processes']>): ProcessesMessage {
  return { type: 'processes', at, hostNs: p.hostNs, list: p.list, ...truncation(p) };
}

export function cgroupsMessage(at: number, mode: 'v1' | 'v2', c: NonNullable<PassResult['cgroups']>): CgroupsMessage {
  return { type: 'cgroups', at, mode, list: c.list, ...truncation(c) };
}

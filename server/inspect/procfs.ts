// Parsers of /proc text for the kernel view, and the namespace reader, with an injectable proc root
// for unit tests. The bounded readers that use them are in sample-pass.ts. Reads are synchronous on
// purpose: /proc answers from memory in microseconds, they run in the kernel view's worker thread
// (never on the event loop that serves terminals), and a promise-based read costs thread-pool round
// trips that dominated the sampler's CPU (bench/run.ts --only sampler).
import fs from 'node:fs';
import { NAMESPACE_KINDS, type NamespaceKind } from '../protocol/events.js';

/** One pass over the lines of /proc/PID/status, keeping only the fields the view shows. */
export function parseStatus(text: string): { name: string; ppid: number; uid: number; nsPids: number[]; rssKb?: number } {
  let rssKb: number | undefined;
  let name = '';
  let ppid = 0;
  let uid = 0;
  let nsPids: number[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Name') name = value;
    else if (key === 'PPid') ppid = Number(value) || 0;
    else if (key === 'Uid') uid = Number(value.split(/\s+/)[0]) || 0;
    else if (key === 'NSpid') nsPids = value.split(/\s+/).filter(Boolean).map(Number);
    else if (key === 'VmRSS') rssKb = Number.parseInt(value, 10) || 0;
  }
  return { name, ppid, uid, nsPids, ...(rssKb !== undefined ? { rssKb } : {}) };
}

/** `pid:[4026531836]` -> 4026531836 */
export function parseNsLink(link: string): number | undefined {
  const m = /\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** Maps a host uid to the uid inside through a uid_map text (`inside outside count` lines). */
export function uidInside(hostUid: number, uidMap: string): number {
  for (const line of uidMap.split('\n')) {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(count) && hostUid >= outside && hostUid < outside + count) return inside + (hostUid - outside);
  }
  return 65534; // the overflow uid: unmapped
}

export function readNamespaces(procRoot: string, pid: number | 'self'): Partial<Record<NamespaceKind, number>> {
  const out: Partial<Record<NamespaceKind, number>> = {};
  const dir = `${procRoot}/${pid}/ns/`;
  for (const k of NAMESPACE_KINDS) {
    try {
      const ino = parseNsLink(fs.readlinkSync(dir + k));
      if (ino !== undefined) out[k] = ino;
    } catch {
      /* kernel without this namespace kind, or the process is gone */
    }
  }
  return out;
}

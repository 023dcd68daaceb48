// Row order for the kernel view's process tables, pure so that it is unit-tested: the process
// tree depth first, the sandbox's init first, siblings by their PID inside the sandbox. Host PIDs
// are no order: they wrap (pid_max), so a newer process can get a lower one and jump to the top.
import type { ProcessInfo } from '../../../server/protocol/events.js';

/** The PID a process has in the sandbox's own PID namespace (nsPids[0] is the host's). */
const sandboxPid = (p: ProcessInfo): number => p.nsPids[1] ?? p.hostPid;

export interface ProcessRow {
  p: ProcessInfo;
  depth: number;
}

export function orderProcesses(list: readonly ProcessInfo[]): ProcessRow[] {
  const byPid = new Map(list.map((p) => [p.hostPid, p]));
  const kids = new Map<number, ProcessInfo[]>();
  const roots: ProcessInfo[] = [];
  for (const p of list) {
    if (p.ppid !== p.hostPid && byPid.has(p.ppid)) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
    else roots.push(p);
  }
  const bySandboxPid = (a: ProcessInfo, b: ProcessInfo) => sandboxPid(a) - sandboxPid(b) || a.hostPid - b.hostPid;
  const rows: ProcessRow[] = [];
  const seen = new Set<number>();
  const walk = (p: ProcessInfo, depth: number) => {
    if (seen.has(p.hostPid)) return;
    seen.add(p.hostPid);
    rows.push({ p, depth });
    for (const c of (kids.get(p.hostPid) ?? []).sort(bySandboxPid)) walk(c, depth + 1);
  };
  roots.sort(bySandboxPid).forEach((r) => walk(r, 0));
  // A ppid loop (PIDs read a moment apart, one reused in between) has no root: list it anyway.
  [...list].sort(bySandboxPid).forEach((p) => walk(p, 0));
  return rows;
}

// One kernel-view pass over one session's sandbox: its cgroup tree, its processes and their
// namespaces, the stats of its cgroups, each bounded per session and per pass, so a learner who
// makes 1500 cgroups or 250 processes costs a bounded amount of reading and slows only their own
// view. Synchronous on purpose: it runs in the sampler's worker thread (sample-thread.ts), never on
// the event loop that serves terminals, and /proc and cgroupfs answer from memory. Unit tests call
// it directly on a fake /proc and a fake cgroupfs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupInfo, KernelInfo, NamespaceKind, ProcessInfo } from '../protocol/events.js';
import type { CgroupDriver, CgroupHandle } from '../sandbox/cgroups/driver.js';
import type { CgroupLayout } from '../sandbox/cgroups/detect.js';
import { CgroupV1Driver } from '../sandbox/cgroups/v1.js';
import { CgroupV2Driver } from '../sandbox/cgroups/v2.js';
import { parseStatus, readNamespaces, uidInside } from './procfs.js';

/** What the sampler reads per session and per pass, at most. */
export const SAMPLE_BOUNDS = {
  /** Processes read (status, cmdline, namespaces) and listed; the rest are counted. */
  processes: 200,
  /** Cgroups whose stats are read and listed (the session's own first); the rest are counted. */
  cgroups: 64,
  /** Cgroup directories found while walking the tree; past it the counts are lower bounds. */
  dirsWalked: 2048,
  /** Bytes read of one cgroup.procs (a v1 cgroup's pids are capped by pids.max anyway). */
  procsFileBytes: 64 * 1024,
  /** Bytes read of /proc/PID/status: NSpid sits in the first kilobyte, unless a learner gives a
   * process thousands of supplementary groups, which only hides it from its own view. */
  statusBytes: 4096,
  /** Bytes read of /proc/PID/cmdline, which can be ARG_MAX (2 MiB); the view shows 200 characters. */
  cmdlineBytes: 1024,
  /**
   * The share of the worker's time one session's tree walk may take: a walk that took W ms is
   * reused, not repeated, for W / walkShare ms. A small tree (well under a millisecond) is walked
   * every pass; 1500 cgroups (about 100 ms on the development host) every 2 s, while the stats of
   * the cgroups listed are still read every pass.
   */
  walkShare: 0.05,
} as const;
export type SampleBounds = { [K in keyof typeof SAMPLE_BOUNDS]: number };

/** Which driver reads the cgroup stats: plain data, so it crosses to the worker thread. */
export type DriverPlan = { mode: 'v1'; layout: CgroupLayout } | { mode: 'v2' };

/** What a pass needs to know about a session: paths and ids only (read nothing on the main thread). */
export interface PassPlan {
  session: string;
  procRoot: string;
  driver: DriverPlan;
  cgroup: CgroupHandle;
  /**
   * The directory whose subtree is the learner's cgroup tree as the view lists it: on v1 the memory
   * hierarchy's session directory (where the learner's processes and children are), on v2 the unified one.
   */
  treeDir: string;
  /** The session's cumulative CPU counter (v1 cpuacct.usage, v2 cpu.stat): unchanged means idle. */
  cpuFile: string | undefined;
  uidMap: string;
}

export interface BoundedList<T> {
  list: T[];
  /** How many the pass saw but did not list; 0 when the list is complete. */
  more: number;
  /** The walk stopped at its bound: there may be more than `more`. */
  moreIsLowerBound: boolean;
}

export interface PassResult {
  session: string;
  /** Nothing ran in the sandbox since the last pass (its CPU counter did not move): nothing was read. */
  idle: boolean;
  /** Present only when they changed since the last pass of this session. */
  processes?: BoundedList<ProcessInfo> & { hostNs: Partial<Record<NamespaceKind, number>> };
  cgroups?: BoundedList<CgroupInfo>;
}

/** What the worker remembers of a session between passes (lost with the worker: then all is resent). */
export interface PassState {
  /** The last walk of the session's tree, and when it may be walked again (walkShare). */
  tree?: CgroupTree;
  nextWalkAt?: number;
  lastSignal?: string;
  lastPids?: string;
  lastProcesses?: string;
  lastCgroups?: string;
}

/** Reads at most `maxBytes` of a file; undefined when it cannot be read (gone, no such file). */
export function readBounded(file: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined; // the process exited or the cgroup was removed while we looked
  }
  try {
    const buf = Buffer.allocUnsafe(maxBytes);
    let n = 0;
    // /proc files may come in several reads (one page each); stop at the bound or at the end.
    while (n < maxBytes) {
      const got = fs.readSync(fd, buf, n, maxBytes - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.toString('utf8', 0, n);
  } catch {
    return undefined; // ESRCH and friends: gone between open and read
  } finally {
    fs.closeSync(fd);
  }
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

export interface CgroupTree {
  /** Paths as the learner sees them ('/' is the session), pre-order, siblings in natural name order. */
  paths: string[];
  /** Directories found (the session's included). */
  found: number;
  /** false when the walk stopped at bounds.dirsWalked: `found` and `pids` are lower bounds. */
  complete: boolean;
  /** Every pid in the directories visited, sorted, without duplicates. */
  pids: number[];
}

/**
 * Walks a session's cgroup tree once: the pids of each directory (cgroup.procs, bounded in bytes)
 * and the first `bounds.cgroups` paths in pre-order, counting every directory found up to
 * `bounds.dirsWalked`. Directory entries are read a few at a time, so a directory with a huge number
 * of children costs no more than the bound either.
 */
export function walkCgroupTree(base: string, bounds: Pick<SampleBounds, 'cgroups' | 'dirsWalked' | 'procsFileBytes'>): CgroupTree {
  const paths: string[] = [];
  const pids = new Set<number>();
  let found = 1;
  let complete = true;
  const visit = (dir: string, rel: string): void => {
    if (paths.length < bounds.cgroups) paths.push(rel);
    const procs = readBounded(path.join(dir, 'cgroup.procs'), bounds.procsFileBytes) ?? '';
    for (const line of procs.split('\n')) {
      const pid = Number(line);
      if (line && Number.isInteger(pid)) pids.add(pid);
    }
    const children: string[] = [];
    let d: fs.Dir;
    try {
      d = fs.opendirSync(dir);
    } catch {
      return; // removed while we walked
    }
    try {
      for (let e = d.readSync(); e; e = d.readSync()) {
        if (!e.isDirectory()) continue;
        if (found >= bounds.dirsWalked) {
          complete = false;
          break;
        }
        found++;
        children.push(e.name);
      }
    } catch {
      /* removed while we read it: what was read so far stands */
    } finally {
      d.closeSync();
    }
    children.sort(byName);
    for (const c of children) visit(path.join(dir, c), rel === '/' ? `/${c}` : `${rel}/${c}`);
  };
  visit(base, '/');
  return { paths, found, complete, pids: [...pids].sort((a, b) => a - b) };
}

/** One process from /proc, each file read up to its bound; undefined when it exited meanwhile. */
export function readProcessBounded(procRoot: string, pid: number, uidMap: string, bounds: Pick<SampleBounds, 'statusBytes' | 'cmdlineBytes'>): ProcessInfo | undefined {
  const dir = path.join(procRoot, String(pid));
  const status = readBounded(path.join(dir, 'status'), bounds.statusBytes);
  if (status === undefined) return undefined;
  // A zombie has an empty cmdline; a process that exited right now has none at all.
  const cmdline = readBounded(path.join(dir, 'cmdline'), bounds.cmdlineBytes) ?? '';
  const st = parseStatus(status);
  return {
    hostPid: pid,
    nsPids: st.nsPids.length ? st.nsPids : [pid],
    ppid: st.ppid,
    comm: st.name,
    args: cmdline.split('\0').filter(Boolean).join(' ').slice(0, 200),
    uid: { inside: uidInside(st.uid, uidMap), host: st.uid },
    ns: readNamespaces(procRoot, pid),
    ...(st.rssKb !== undefined ? { rssKb: st.rssKb } : {}),
  };
}

/** The session's cumulative CPU counter as text (cpu.stat: its first line, usage_usec). */
export function readCpuSignal(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const t = readBounded(file, 4096);
  if (t === undefined) return undefined;
  return file.endsWith('cpu.stat') ? t.slice(0, t.indexOf('\n')) : t;
}

const drivers = new Map<string, CgroupDriver>();

/** The driver that reads stats, built once per plan (the prefix only matters for creating). */
export function driverFor(plan: DriverPlan): CgroupDriver {
  const key = JSON.stringify(plan);
  let d = drivers.get(key);
  if (!d) {
    d = plan.mode === 'v2' ? new CgroupV2Driver('', '') : new CgroupV1Driver(plan.layout, '');
    drivers.set(key, d);
  }
  return d;
}

const hostNsByRoot = new Map<string, Partial<Record<NamespaceKind, number>>>();

/**
 * One pass for one session. Idle (the CPU counter did not move and `full` is false) reads one small
 * file. Otherwise the cgroup tree is walked (or its last walk reused, see walkShare) and the stats
 * of its first cgroups read; processes are re-read when the set of pids changed or on a `full` pass
 * (after a command, and every few seconds). Lists are returned only when they differ from the last
 * ones this state saw.
 */
export async function runPass(plan: PassPlan, state: PassState, full: boolean, bounds: SampleBounds = SAMPLE_BOUNDS, clock: () => number = performance.now.bind(performance)): Promise<PassResult> {
  const signal = readCpuSignal(plan.cpuFile);
  const idle = signal !== undefined && signal === state.lastSignal && !full;
  state.lastSignal = signal;
  if (idle) return { session: plan.session, idle: true };
  const result: PassResult = { session: plan.session, idle: false };

  let tree = state.tree;
  const t0 = clock();
  if (!tree || t0 >= (state.nextWalkAt ?? 0)) {
    tree = state.tree = walkCgroupTree(plan.treeDir, bounds);
    state.nextWalkAt = t0 + (clock() - t0) / bounds.walkShare;
  }
  const pidsKey = tree.pids.join(',');
  if (pidsKey !== state.lastPids || full) {
    state.lastPids = pidsKey;
    // The server's own namespaces do not change: read them once.
    let hostNs = hostNsByRoot.get(plan.procRoot);
    if (!hostNs) hostNsByRoot.set(plan.procRoot, (hostNs = readNamespaces(plan.procRoot, 'self')));
    const read = tree.pids.slice(0, bounds.processes);
    const list = read
      .map((p) => readProcessBounded(plan.procRoot, p, plan.uidMap, bounds))
      // The monitor (a host process without a pid inside) is not the learner's.
      .filter((p): p is ProcessInfo => !!p && p.nsPids.length > 1);
    const more = tree.pids.length - read.length;
    const key = JSON.stringify([list.map((p) => [p.hostPid, p.nsPids, p.comm, p.args, p.ns]), more, tree.complete]);
    if (key !== state.lastProcesses) {
      state.lastProcesses = key;
      result.processes = { hostNs, list, more, moreIsLowerBound: !tree.complete };
    }
  }

  const driver = driverFor(plan.driver);
  const list: CgroupInfo[] = [];
  for (const p of tree.paths) list.push({ path: p, ...(await driver.stats(plan.cgroup, p)) });
  const more = tree.found - tree.paths.length;
  const key = JSON.stringify([list, more, tree.complete]);
  if (key !== state.lastCgroups) {
    state.lastCgroups = key;
    result.cgroups = { list, more, moreIsLowerBound: !tree.complete };
  }
  return result;
}

/** The host's kernel, as the kernel view shows it beside the sandbox's. */
export function readHostKernel(procRoot: string, release = os.release()): KernelInfo {
  const bootId = readBounded(path.join(procRoot, 'sys/kernel/random/boot_id'), 128) ?? '';
  const uptime = readBounded(path.join(procRoot, 'uptime'), 128) ?? '0';
  return { release, bootId: bootId.trim(), uptimeSec: Math.floor(Number(uptime.split(' ')[0])) };
}

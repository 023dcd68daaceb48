// Reads /proc/self/mountinfo text and reports the host's cgroup mode and where each controller lives.
// Pure: tests pass mountinfo samples of v1, v2 and hybrid hosts.
import type { HostCgroupMode } from './driver.js';

export interface CgroupHierarchy {
  mountPoint: string;
  version: 1 | 2;
  /** v1: the hierarchy's controllers (e.g. ['memory'], ['cpu','cpuacct'], ['name=systemd']); v2: []. */
  controllers: string[];
}

export interface CgroupLayout {
  mode: HostCgroupMode;
  hierarchies: CgroupHierarchy[];
  /** The v2 mount, if any (the whole tree on v2, hugetlb-only 'unified' on hybrid hosts). */
  unified?: CgroupHierarchy;
}

const V1_CONTROLLERS = new Set(['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'blkio',
  'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc']);

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function detectCgroups(mountinfo: string): CgroupLayout {
  const hierarchies: CgroupHierarchy[] = [];
  const seen = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const fstype = right[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const mountPoint = unescapeMount(left[4]);
    // The same hierarchy may be mounted twice (e.g. inside containers); keep the first.
    const key = `${fstype}:${right[2] ?? ''}`;
    if (seen.has(key) && fstype === 'cgroup') continue;
    seen.add(key);
    if (fstype === 'cgroup2') {
      hierarchies.push({ mountPoint, version: 2, controllers: [] });
    } else {
      const opts = (right[2] ?? '').split(',');
      const controllers = opts.filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));
      hierarchies.push({ mountPoint, version: 1, controllers });
    }
  }
  const v1 = hierarchies.filter((h) => h.version === 1);
  const unified = hierarchies.find((h) => h.version === 2);
  const mode: HostCgroupMode = v1.length === 0 ? 'v2' : unified ? 'hybrid' : 'v1';
  return { mode, hierarchies, unified };
}

/** The hierarchy that carries a v1 controller, if any. */
export function findV1(layout: CgroupLayout, controller: string): CgroupHierarchy | undefined {
  return layout.hierarchies.find((h) => h.version === 1 && h.controllers.includes(controller));
}

/** The name a hierarchy gets under /sys/fs/cgroup inside the sandbox (the host's own name). */
export function hierarchyName(h: CgroupHierarchy): string {
  const base = h.mountPoint.split('/').filter(Boolean).pop() ?? '';
  return base || (h.version === 2 ? 'unified' : h.controllers.join(','));
}

/**
 * Where a process is in each of these hierarchies, from the text of its /proc/PID/cgroup (read in
 * the host's cgroup namespace): the hierarchy's directory for it. v1 lines name their controllers
 * (`4:memory:/path`, `2:cpu,cpuacct:/path`, `1:name=systemd:/path`), the v2 line names none (`0::/path`).
 */
export function cgroupDirsOf(hierarchies: CgroupHierarchy[], procCgroup: string): Map<CgroupHierarchy, string> {
  const lines = procCgroup.split('\n').filter(Boolean).map((l) => {
    const first = l.indexOf(':');
    const second = l.indexOf(':', first + 1);
    return { controllers: l.slice(first + 1, second), path: l.slice(second + 1) };
  });
  const out = new Map<CgroupHierarchy, string>();
  for (const h of hierarchies) {
    const line = lines.find((l) => {
      if (h.version === 2) return l.controllers === '';
      const cs = l.controllers.split(',');
      return cs.length === h.controllers.length && h.controllers.every((c) => cs.includes(c));
    });
    if (line) out.set(h, `${h.mountPoint}${line.path === '/' ? '' : line.path}`);
  }
  return out;
}

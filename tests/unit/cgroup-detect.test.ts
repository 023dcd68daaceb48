import { describe, expect, it } from 'vitest';
import { detectCgroups, hierarchyName } from '../../server/sandbox/cgroups/detect.js';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V2 = `24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;
const V1 = `32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids`;

describe('cgroup detection', () => {
  it('reports hybrid when v1 controllers sit beside a cgroup2 mount', () => {
    const l = detectCgroups(HYBRID);
    expect(l.mode).toBe('hybrid');
    expect(l.hierarchies.map((h) => h.mountPoint)).toEqual([
      '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpuacct', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified',
    ]);
    expect(l.hierarchies.find((h) => h.mountPoint.endsWith('systemd'))!.controllers).toEqual(['name=systemd']);
    expect(l.unified?.mountPoint).toBe('/sys/fs/cgroup/unified');
  });

  it('reports v2 when only cgroup2 is mounted', () => {
    const l = detectCgroups(V2);
    expect(l.mode).toBe('v2');
    expect(l.hierarchies).toEqual([{ mountPoint: '/sys/fs/cgroup', version: 2, controllers: [] }]);
  });

  it('reports v1 and keeps co-mounted controllers together', () => {
    const l = detectCgroups(V1);
    expect(l.mode).toBe('v1');
    expect(l.hierarchies[0].controllers).toEqual(['cpu', 'cpuacct']);
    expect(hierarchyName(l.hierarchies[0])).toBe('cpu,cpuacct');
  });

  it('decodes escaped mount points', () => {
    const l = detectCgroups('35 31 0:32 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory');
    expect(l.hierarchies[0].mountPoint).toBe('/sys/fs/cgroup/my mem');
  });
});

describe('where a process is, from /proc/PID/cgroup', () => {
  it('maps each hierarchy to its directory by its exact controller set, v2 by the empty one', async () => {
    const { cgroupDirsOf } = await import('../../server/sandbox/cgroups/detect.js');
    const hs = [
      { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', version: 1 as const, controllers: ['cpu', 'cpuacct'] },
      { mountPoint: '/sys/fs/cgroup/cpu', version: 1 as const, controllers: ['cpu'] },
      { mountPoint: '/sys/fs/cgroup/systemd', version: 1 as const, controllers: ['name=systemd'] },
      { mountPoint: '/sys/fs/cgroup/unified', version: 2 as const, controllers: [] },
    ];
    const text = '5:cpuacct,cpu:/isoplay-server\n1:name=systemd:/user.slice/x:y.scope\n0::/\n';
    const dirs = cgroupDirsOf(hs, text);
    expect(dirs.get(hs[0])).toBe('/sys/fs/cgroup/cpu,cpuacct/isoplay-server');
    expect(dirs.has(hs[1])).toBe(false); // `cpu` alone is not `cpu,cpuacct`
    expect(dirs.get(hs[2])).toBe('/sys/fs/cgroup/systemd/user.slice/x:y.scope');
    expect(dirs.get(hs[3])).toBe('/sys/fs/cgroup/unified');
  });
});

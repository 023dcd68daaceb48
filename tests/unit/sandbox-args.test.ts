import { describe, expect, it } from 'vitest';
import { PROJECT_TOOLS_DIR } from '../../server/sandbox/rootfs/etc-files.js';
import { buildCreateArgs, buildEnterArgs, cgroupMounts, type HostFacts } from '../../server/sandbox/namespaces/args.js';
import type { SandboxSpec } from '../../server/sandbox/spec.js';
import type { CgroupHandle } from '../../server/sandbox/cgroups/driver.js';

const spec: SandboxSpec = {
  id: 'sabcdefghij', prefix: 'isoplay', hostname: 'sandbox', namespaces: ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'],
  idBase: 1_000_065_536, idCount: 65536, rootfsBytes: 64 << 20,
  limits: { memoryBytes: 256 << 20, pids: 256, cpuQuotaUsec: 50000, cpuPeriodUsec: 100000, cpuWeight: 100 },
};
const hybrid: HostFacts = {
  mode: 'v1',
  hierarchies: [
    { mountPoint: '/sys/fs/cgroup/memory', version: 1, controllers: ['memory'] },
    { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', version: 1, controllers: ['cpu', 'cpuacct'] },
    { mountPoint: '/sys/fs/cgroup/systemd', version: 1, controllers: ['name=systemd'] },
    { mountPoint: '/sys/fs/cgroup/unified', version: 2, controllers: [] },
  ],
};
const v1Handle: CgroupHandle = {
  path: 'isoplay/sabcdefghij',
  dirs: { memory: '/sys/fs/cgroup/memory/isoplay/sabcdefghij' },
  procsFiles: ['/sys/fs/cgroup/memory/isoplay/sabcdefghij/cgroup.procs', '/sys/fs/cgroup/unified/isoplay/sabcdefghij/cgroup.procs'],
  leafProcsFiles: ['/sys/fs/cgroup/memory/isoplay/sabcdefghij/cgroup.procs', '/sys/fs/cgroup/unified/isoplay/sabcdefghij/cgroup.procs'],
};
const v2Handle: CgroupHandle = {
  path: 'isoplay/sabcdefghij',
  dirs: { unified: '/sys/fs/cgroup/isoplay/sabcdefghij' },
  procsFiles: ['/sys/fs/cgroup/isoplay/sabcdefghij/cgroup.procs'],
  leafProcsFiles: ['/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs'],
};

function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('sandbox argument builder', () => {
  it('passes the id map, hostname and root size', () => {
    const args = buildCreateArgs(spec, v1Handle, hybrid);
    expect(args[0]).toBe('create');
    expect(values(args, '--uid-base')).toEqual(['1000065536']);
    expect(values(args, '--uid-count')).toEqual(['65536']);
    expect(values(args, '--hostname')).toEqual(['sandbox']);
    expect(values(args, '--rootfs-bytes')).toEqual([String(64 << 20)]);
  });

  it('binds the project tools (isoplay-vm and its image) read-only at /opt/isoplay, the rest at their own paths', () => {
    const binds = values(buildCreateArgs(spec, v1Handle, hybrid), '--ro-bind');
    expect(binds).toContain('/etc/alternatives');
    expect(binds.filter((b) => b.endsWith(':/opt/isoplay'))).toEqual([`${PROJECT_TOOLS_DIR}:/opt/isoplay`]);
    expect(PROJECT_TOOLS_DIR).toMatch(/\/build\/vm$/);
  });

  it('joins the session in every hierarchy before clone (v1/hybrid) and stays there', () => {
    const args = buildCreateArgs(spec, v1Handle, hybrid);
    expect(values(args, '--join-procs')).toEqual(v1Handle.procsFiles);
    expect(values(args, '--init-procs')).toEqual([]);
    expect(values(args, '--return-procs')).toEqual([]);
  });

  it('on v2 moves init and the monitor into the leaf (no internal processes)', () => {
    const args = buildCreateArgs(spec, v2Handle, { mode: 'v2', hierarchies: [{ mountPoint: '/sys/fs/cgroup', version: 2, controllers: [] }] });
    expect(values(args, '--join-procs')).toEqual(['/sys/fs/cgroup/isoplay/sabcdefghij/cgroup.procs']);
    expect(values(args, '--init-procs')).toEqual(['/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs']);
    expect(values(args, '--return-procs')).toEqual(['/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs']);
    expect(values(args, '--cgroup-mount')).toEqual(['cgroup2::.']);
  });

  it('mounts every hierarchy inside under its host name, named ones with none,name=', () => {
    expect(cgroupMounts(hybrid)).toEqual(['cgroup:memory:memory', 'cgroup:cpu,cpuacct:cpu,cpuacct', 'cgroup:none,name=systemd:systemd', 'cgroup2::unified']);
  });

  it('writes a curated /etc with the hostname', () => {
    const files = values(buildCreateArgs(spec, v1Handle, hybrid), '--file');
    expect(files.find((f) => f.startsWith('/etc/hostname='))).toBe('/etc/hostname=sandbox\n');
    expect(files.find((f) => f.startsWith('/etc/passwd='))).toMatch(/^\/etc\/passwd=root:x:0:0:/);
  });

  it('enters by pid, joining the leaf cgroups, then the command after --', () => {
    const args = buildEnterArgs(4242, v2Handle, ['/bin/bash', '-l'], { cwd: '/tmp', env: { ISOPLAY_STEP: '2' } });
    expect(args).toEqual(['enter', '--pid', '4242', '--join-procs', '/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs', '--cwd', '/tmp', '--env', 'ISOPLAY_STEP=2', '--', '/bin/bash', '-l']);
  });

  it('refuses an environment name that could smuggle options', () => {
    expect(() => buildEnterArgs(1, v1Handle, ['true'], { env: { 'A=B --pid': 'x' } })).toThrow(/bad environment variable name/);
  });
});

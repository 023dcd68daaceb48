// The pure builder from a SandboxSpec to isoplay-init's setup operations and enter arguments,
// tested on exact output, including hostile input.
import { describe, expect, it } from 'vitest';
import { PROJECT_TOOLS_DIR } from '../../server/sandbox/rootfs/etc-files.js';
import { buildCreateOps, buildEnterArgs, cgroupMounts, kernelViewEnv, type EnterTarget, type HostFacts, type LaunchFacts } from '../../server/sandbox/namespaces/args.js';
import { decodeOpFields, encodeOps, type SetupOp } from '../../server/sandbox/init/ops.js';
import { buildRootLayout } from '../../server/sandbox/rootfs/layout.js';
import type { SandboxSpec } from '../../server/sandbox/spec.js';
import type { CgroupHandle } from '../../server/sandbox/cgroups/driver.js';

const spec: SandboxSpec = {
  id: 'sabcdefghij', prefix: 'isoplay', hostname: 'sandbox', namespaces: ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'],
  idBase: 1_000_065_536, idCount: 65536, rootfsBytes: 64 << 20,
  limits: { memoryBytes: 256 << 20, pids: 256, cpuQuotaUsec: 50000, cpuPeriodUsec: 100000, cpuWeight: 100 },
};
const hybrid: HostFacts = {
  mode: 'v1',
  mergedUsr: ['bin', 'sbin', 'lib', 'lib64'],
  hierarchies: [
    { mountPoint: '/sys/fs/cgroup/memory', version: 1, controllers: ['memory'] },
    { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', version: 1, controllers: ['cpu', 'cpuacct'] },
    { mountPoint: '/sys/fs/cgroup/systemd', version: 1, controllers: ['name=systemd'] },
    { mountPoint: '/sys/fs/cgroup/unified', version: 2, controllers: [] },
  ],
};
const pureV2: HostFacts = { mode: 'v2', mergedUsr: ['bin'], hierarchies: [{ mountPoint: '/sys/fs/cgroup', version: 2, controllers: [] }] };
const launch: LaunchFacts = { serverPid: 4321, returnProcs: ['/sys/fs/cgroup/memory/cgroup.procs'], ptyMax: 32 };
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
const target: EnterTarget = { initPid: 4242, initStart: '987654', monitorPid: 4240, cgroupPath: '/isoplay/sabcdefghij', namespaces: spec.namespaces, seccomp: true };

const named = <K extends SetupOp['op']>(ops: SetupOp[], op: K) => ops.filter((o): o is Extract<SetupOp, { op: K }> => o.op === op);

describe('setup operations for create', () => {
  it('starts with the settings: id, hostname, the server to die with, the id map and owner, namespaces, seccomp', () => {
    const ops = buildCreateOps(spec, v1Handle, hybrid, launch);
    expect(ops.slice(0, 6)).toEqual([
      { op: 'id', id: 'sabcdefghij' },
      { op: 'hostname', name: 'sandbox' },
      { op: 'server-pid', pid: 4321 },
      { op: 'map', base: 1_000_065_536, count: 65536 },
      { op: 'namespaces', kinds: ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] },
      { op: 'seccomp', on: true },
    ]);
    expect(named(buildCreateOps({ ...spec, seccomp: false }, v1Handle, hybrid, launch), 'seccomp')).toEqual([{ op: 'seccomp', on: false }]);
  });

  it('joins the session in every hierarchy before clone, and sends the monitor back out after (v1/hybrid)', () => {
    const ops = buildCreateOps(spec, v1Handle, hybrid, launch);
    expect(named(ops, 'join-procs').map((o) => o.file)).toEqual(v1Handle.procsFiles);
    expect(named(ops, 'init-procs')).toEqual([]);
    expect(named(ops, 'return-procs').map((o) => o.file)).toEqual(launch.returnProcs);
  });

  it('on v2 moves init into the leaf (no internal processes) and mounts cgroup2 as /sys/fs/cgroup itself', () => {
    const ops = buildCreateOps(spec, v2Handle, pureV2, launch);
    expect(named(ops, 'join-procs').map((o) => o.file)).toEqual(['/sys/fs/cgroup/isoplay/sabcdefghij/cgroup.procs']);
    expect(named(ops, 'init-procs').map((o) => o.file)).toEqual(['/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs']);
    expect(named(ops, 'cgroup')).toEqual([{ op: 'cgroup', path: '/sys/fs/cgroup', type: 'cgroup2', options: '' }]);
    expect(named(ops, 'tmpfs').some((o) => o.path === '/sys/fs/cgroup')).toBe(false);
  });

  it('mounts every hierarchy inside under its host name, named ones with none,name=', () => {
    expect(cgroupMounts(hybrid)).toEqual(['cgroup:memory:memory', 'cgroup:cpu,cpuacct:cpu,cpuacct', 'cgroup:none,name=systemd:systemd', 'cgroup2::unified']);
  });

  it('refuses a spec that would share the host: no user, pid or mount namespace, or one it cannot make', () => {
    expect(() => buildCreateOps({ ...spec, namespaces: ['pid', 'mnt'] }, v1Handle, hybrid, launch)).toThrow(/needs a user namespace/);
    expect(() => buildCreateOps({ ...spec, namespaces: ['user', 'pid'] }, v1Handle, hybrid, launch)).toThrow(/needs a mnt namespace/);
    expect(() => buildCreateOps({ ...spec, namespaces: [...spec.namespaces, 'time'] }, v1Handle, hybrid, launch)).toThrow(/not supported/);
    // Fewer namespaces than all is the spec's choice and is honoured (no fixed clone flags).
    expect(named(buildCreateOps({ ...spec, namespaces: ['user', 'mnt', 'pid', 'uts'] }, v1Handle, hybrid, launch), 'namespaces')[0].kinds).toEqual(['user', 'pid', 'mnt', 'uts']);
  });

  it('refuses hostile ids, hostnames and id ranges', () => {
    for (const bad of ['', 'A', '../x', 'a'.repeat(65), 'x\0y', 'x y']) expect(() => buildCreateOps({ ...spec, id: bad }, v1Handle, hybrid, launch), bad).toThrow(/bad sandbox id/);
    for (const bad of ['', '-lead', 'has space', 'a'.repeat(64), 'nul\0', 'semi;colon']) expect(() => buildCreateOps({ ...spec, hostname: bad }, v1Handle, hybrid, launch), bad).toThrow(/bad hostname/);
    expect(() => buildCreateOps({ ...spec, idBase: 0 }, v1Handle, hybrid, launch)).toThrow(/bad id range/);
    expect(() => buildCreateOps({ ...spec, idBase: 2 ** 32 - 10 }, v1Handle, hybrid, launch)).toThrow(/bad id range/);
  });
});

describe('the root layout', () => {
  const facts = { mergedUsr: ['bin', 'lib'], cgroupMounts: cgroupMounts(hybrid), ptyMax: 32 };

  it('is a tmpfs of the spec size first, and pivots last', () => {
    const ops = buildRootLayout(spec, facts);
    expect(ops[0]).toEqual({ op: 'root-tmpfs', bytes: 64 << 20, inodes: 65536 });
    expect(ops.at(-1)).toEqual({ op: 'pivot-root' });
    expect(ops.filter((o) => o.op === 'pivot-root')).toHaveLength(1);
  });

  it('binds the labs\' images read-only at /images (optional: a host without them still starts) and an unmapped /etc/shadow', () => {
    const ops = buildRootLayout(spec, facts);
    const images = ops.flatMap((o) => (o.op === 'image-bind' ? [[o.src.replace(/^.*\/build\//, 'build/'), o.dest]] : []));
    expect(images).toEqual([
      ['build/images/busybox', '/images/busybox'],
      ['build/images/debian', '/images/debian'],
      ['build/images/busybox.tar', '/images/busybox.tar'],
    ]);
    const shadow = named(ops, 'ro-bind').filter((o) => o.dest === '/etc/shadow');
    expect(shadow.map((o) => [o.src.replace(/^.*\/build\//, 'build/'), o.optional])).toEqual([['build/images/shadow', true]]);
    const files = Object.fromEntries(named(ops, 'file').map((o) => [o.path, o.content]));
    // Nested user namespaces get a range inside the sandbox's own map (root + 65536 ids).
    expect([files['/etc/subuid'], files['/etc/subgid']]).toEqual(['root:1:65536\n', 'root:1:65536\n']);
  });

  it('binds /usr read-only (required) and links only the merged-usr entries the host has', () => {
    const ops = buildRootLayout(spec, facts);
    expect(named(ops, 'ro-bind')[0]).toEqual({ op: 'ro-bind', src: '/usr', dest: '/usr', optional: false });
    expect(named(ops, 'symlink').filter((o) => o.target.startsWith('usr/'))).toEqual([
      { op: 'symlink', target: 'usr/bin', path: '/bin' },
      { op: 'symlink', target: 'usr/lib', path: '/lib' },
    ]);
  });

  it('binds the project tools (isoplay-vm and its image) at /opt/isoplay, optional, and extra binds as required', () => {
    const ops = buildRootLayout({ ...spec, extraRoBinds: ['/srv/assets:/opt/lab', '/etc/hostname'] }, facts);
    const binds = named(ops, 'ro-bind');
    expect(binds.find((b) => b.dest === '/opt/isoplay')).toEqual({ op: 'ro-bind', src: PROJECT_TOOLS_DIR, dest: '/opt/isoplay', optional: true });
    expect(binds.find((b) => b.dest === '/opt/lab')).toEqual({ op: 'ro-bind', src: '/srv/assets', dest: '/opt/lab', optional: false });
    expect(binds.find((b) => b.src === '/etc/hostname')).toEqual({ op: 'ro-bind', src: '/etc/hostname', dest: '/etc/hostname', optional: false });
    expect(binds.find((b) => b.src === '/etc/alternatives')?.optional).toBe(true);
  });

  it('builds /dev from binds of harmless devices and a devpts of its own with a pty cap, never a disk', () => {
    const ops = buildRootLayout(spec, { ...facts, ptyMax: 7 });
    expect(named(ops, 'dev-bind').map((o) => o.name)).toEqual(['null', 'zero', 'full', 'random', 'urandom', 'tty']);
    expect(named(ops, 'devpts')).toEqual([{ op: 'devpts', path: '/dev/pts', options: 'newinstance,ptmxmode=0666,mode=0620,max=7' }]);
    const devTmpfs = named(ops, 'tmpfs').find((o) => o.path === '/dev')!;
    expect(devTmpfs.flags).toEqual(expect.arrayContaining(['nosuid', 'noexec']));
  });

  it('mounts its own proc, a sysfs and a spare sysfs, and the cgroup hierarchies under a read-only tmpfs', () => {
    const ops = buildRootLayout(spec, facts);
    expect(named(ops, 'proc')).toEqual([{ op: 'proc', path: '/proc' }]);
    expect(named(ops, 'sysfs').map((o) => o.path)).toEqual(['/sys', '/run/.isoplay-sys']);
    expect(named(ops, 'cgroup').map((o) => `${o.type}:${o.options}:${o.path}`)).toEqual([
      'cgroup:memory:/sys/fs/cgroup/memory', 'cgroup:cpu,cpuacct:/sys/fs/cgroup/cpu,cpuacct', 'cgroup:none,name=systemd:/sys/fs/cgroup/systemd', 'cgroup2::/sys/fs/cgroup/unified',
    ]);
    const order = ops.map((o) => o.op + ('path' in o ? o.path : ''));
    expect(order.indexOf('tmpfs/sys/fs/cgroup')).toBeLessThan(order.indexOf('cgroup/sys/fs/cgroup/memory'));
    expect(order.indexOf('remount/sys/fs/cgroup')).toBeGreaterThan(order.indexOf('cgroup/sys/fs/cgroup/unified'));
    expect(named(ops, 'remount')[0].flags).toContain('ro');
  });

  it('writes a curated /etc with the hostname', () => {
    const files = named(buildRootLayout({ ...spec, hostname: 'box-1' }, facts), 'file');
    expect(files.find((f) => f.path === '/etc/hostname')).toEqual({ op: 'file', path: '/etc/hostname', mode: 0o644, content: 'box-1\n' });
    expect(files.find((f) => f.path === '/etc/passwd')?.content).toMatch(/^root:x:0:0:/);
  });
});

describe('the wire encoding', () => {
  it('is NUL-terminated fields: the name, then exactly the arity', () => {
    const buf = encodeOps([{ op: 'dir', path: '/a b', mode: 0o1777 }, { op: 'ro-bind', src: '/x', dest: '/y', optional: true }, { op: 'pivot-root' },
      { op: 'tmpfs', path: '/t', flags: [], options: '' }]);
    expect(decodeOpFields(buf)).toEqual(['dir', '/a b', '1777', 'ro-bind-try', '/x', '/y', 'pivot-root', 'tmpfs', '/t', '-', '-']);
  });

  it('refuses a field the wire cannot carry instead of cutting it', () => {
    expect(() => encodeOps([{ op: 'file', path: '/etc/x', mode: 0o644, content: 'a\0b' }])).toThrow(/NUL/);
  });

  it('carries a whole real plan, larger than the old 64-entry argv arrays', () => {
    const ops = buildCreateOps({ ...spec, extraRoBinds: Array.from({ length: 100 }, (_, i) => `/srv/a${i}:/opt/a${i}`) }, v1Handle, hybrid, launch);
    const fields = decodeOpFields(encodeOps(ops));
    expect(fields.filter((f) => f === 'ro-bind').length).toBeGreaterThan(100);
  });
});

describe('enter arguments', () => {
  it('name the init by pid, start time, monitor and cgroup, join the leaf cgroups, then the command after --', () => {
    const args = buildEnterArgs(target, v2Handle, ['/bin/bash', '-l'], { cwd: '/tmp', env: { ISOPLAY_STEP: '2' } });
    expect(args).toEqual(['enter', '--pid', '4242', '--start', '987654', '--monitor', '4240', '--cgroup', '/isoplay/sabcdefghij',
      '--ns', 'user,pid,mnt,uts,ipc,net,cgroup', '--join-procs', '/sys/fs/cgroup/isoplay/sabcdefghij/init/cgroup.procs', '--cwd', '/tmp',
      '--env', 'ISOPLAY_STEP=2', '--', '/bin/bash', '-l']);
  });

  it('a kernel-view command joins only uts, ipc, net and cgroup (never user or mnt), starts in / and is told where the session is', () => {
    const hybridDirs: CgroupHandle = { ...v1Handle, dirs: { memory: '/sys/fs/cgroup/memory/isoplay/sabcdefghij', pids: '/sys/fs/cgroup/pids/isoplay/sabcdefghij', 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/isoplay/sabcdefghij' } };
    const args = buildEnterArgs(target, hybridDirs, ['/bin/bash', '-s'], { view: 'kernel', env: { ISOPLAY_STEP: '1' } });
    expect(args.slice(args.indexOf('--ns'), args.indexOf('--ns') + 2)).toEqual(['--ns', 'uts,ipc,net,cgroup']);
    expect(args).toContain('--kernel-view');
    expect(buildEnterArgs(target, hybridDirs, ['true'])).not.toContain('--kernel-view');
    expect(args.slice(args.indexOf('--cwd'), args.indexOf('--cwd') + 2)).toEqual(['--cwd', '/']);
    const env = args.flatMap((a, i) => (a === '--env' ? [args[i + 1]] : []));
    expect(env).toEqual([
      'ISOPLAY_STEP=1',
      'ISOPLAY_INIT_PID=4242',
      'ISOPLAY_CGROUP=/sys/fs/cgroup/memory/isoplay/sabcdefghij',
      'ISOPLAY_CGROUP_MEMORY=/sys/fs/cgroup/memory/isoplay/sabcdefghij',
      'ISOPLAY_CGROUP_PIDS=/sys/fs/cgroup/pids/isoplay/sabcdefghij',
      'ISOPLAY_CGROUP_CPU=/sys/fs/cgroup/cpu,cpuacct/isoplay/sabcdefghij',
    ]);
    // A sandbox without its own network namespace: the kernel view joins only what the sandbox has.
    const noNet = buildEnterArgs({ ...target, namespaces: ['user', 'pid', 'mnt', 'uts'] }, v2Handle, ['true'], { view: 'kernel' });
    expect(noNet[noNet.indexOf('--ns') + 1]).toBe('uts');
    expect(kernelViewEnv(target, v2Handle).ISOPLAY_CGROUP_PIDS).toBe('/sys/fs/cgroup/isoplay/sabcdefghij');
  });

  it('passes --no-seccomp only for a sandbox made without the filter', () => {
    expect(buildEnterArgs({ ...target, seccomp: false }, v1Handle, ['true'])).toContain('--no-seccomp');
    expect(buildEnterArgs(target, v1Handle, ['true'])).not.toContain('--no-seccomp');
  });

  it('refuses an environment name that could smuggle options, and a start time that is not a number', () => {
    expect(() => buildEnterArgs(target, v1Handle, ['true'], { env: { 'A=B --pid': 'x' } })).toThrow(/bad environment variable name/);
    expect(() => buildEnterArgs({ ...target, initStart: '1 --pid 1' }, v1Handle, ['true'])).toThrow(/bad start time/);
  });
});

// Both drivers against a FAKE cgroupfs in a temp directory: the exact files and values written,
// delegation ownership, and a refused limit naming the key, the file and the kernel's error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCgroupDriver } from '../../server/sandbox/cgroups/index.js';
import type { IsoplayError } from '../../server/errors.js';

const limits = { memoryBytes: 64 << 20, pids: 100, cpuQuotaUsec: 50000, cpuPeriodUsec: 100000, cpuWeight: 200 };
let root: string;

/** A fake v1 hierarchy: a directory whose new children get the kernel's files (mkdir is ours). */
function fakeV1(): string {
  const mi: string[] = [];
  for (const c of ['memory', 'pids', 'cpu', 'cpuacct', 'cpuset']) {
    fs.mkdirSync(path.join(root, c), { recursive: true });
    mi.push(`1 1 0:1 / ${root}/${c} rw - cgroup cgroup rw,${c}`);
  }
  fs.writeFileSync(path.join(root, 'cpuset', 'cpuset.cpus'), '0-1');
  fs.writeFileSync(path.join(root, 'cpuset', 'cpuset.mems'), '0');
  return mi.join('\n');
}

const read = (...p: string[]) => fs.readFileSync(path.join(root, ...p), 'utf8');

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'FakeCgroupfs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('v1 driver on a fake cgroupfs', () => {
  it('makes the session in every hierarchy and writes the kernel files', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    expect(d.mode).toBe('v1');
    fs.mkdirSync(path.join(root, 'memory/isoplay/s1'), { recursive: true });
    fs.writeFileSync(path.join(root, 'memory/isoplay/s1/memory.memsw.limit_in_bytes'), '');
    const h = await d.create('isoplay/s1', limits);
    expect(read('memory/isoplay/s1/memory.limit_in_bytes')).toBe(String(64 << 20));
    expect(read('memory/isoplay/s1/memory.memsw.limit_in_bytes')).toBe(String(64 << 20));
    expect(read('pids/isoplay/s1/pids.max')).toBe('100');
    expect(read('cpu/isoplay/s1/cpu.cfs_quota_us')).toBe('50000');
    expect(read('cpu/isoplay/s1/cpu.cfs_period_us')).toBe('100000');
    expect(read('cpu/isoplay/s1/cpu.shares')).toBe('2048');
    // cpuset needs cpus and mems copied down, at every level, before a process may join.
    expect(read('cpuset/isoplay/cpuset.cpus')).toBe('0-1');
    expect(read('cpuset/isoplay/s1/cpuset.mems')).toBe('0');
    expect(h.procsFiles).toHaveLength(5);
    expect(h.procsFiles.every((f) => f.endsWith('/isoplay/s1/cgroup.procs'))).toBe(true);
  });

  it('does not write swap limits where the kernel has no memsw', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    await d.create('isoplay/s2', limits);
    expect(fs.existsSync(path.join(root, 'memory/isoplay/s2/memory.memsw.limit_in_bytes'))).toBe(false);
  });

  it('delegates only the directory, tasks and cgroup.procs, never the limits', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    const h = await d.create('isoplay/s3', limits);
    for (const f of ['tasks', 'cgroup.procs']) fs.writeFileSync(path.join(root, 'memory/isoplay/s3', f), '');
    await d.delegate(h, 123456, 654321);
    const st = (p: string) => fs.statSync(path.join(root, 'memory/isoplay/s3', p));
    expect([st('.').uid, st('.').gid]).toEqual([123456, 654321]);
    expect(st('tasks').uid).toBe(123456);
    expect(st('cgroup.procs').uid).toBe(123456);
    expect(st('memory.limit_in_bytes').uid).toBe(0);
  });

  it('reads stats from the kernel files', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    const h = await d.create('isoplay/s4', limits);
    const m = path.join(root, 'memory/isoplay/s4');
    fs.writeFileSync(path.join(m, 'memory.usage_in_bytes'), '1048576\n');
    fs.writeFileSync(path.join(m, 'memory.max_usage_in_bytes'), '2097152\n');
    fs.writeFileSync(path.join(m, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    fs.writeFileSync(path.join(root, 'pids/isoplay/s4/pids.current'), '7\n');
    fs.writeFileSync(path.join(root, 'cpuacct/isoplay/s4/cpuacct.usage'), '5000000\n');
    fs.writeFileSync(path.join(root, 'cpu/isoplay/s4/cpu.stat'), 'nr_periods 10\nnr_throttled 2\nthrottled_time 3000000\n');
    const s = await d.stats(h);
    expect(s).toEqual({
      memory: { current: 1048576, max: 64 << 20, peak: 2097152 },
      pids: { current: 7, max: 100 },
      cpu: { usageUsec: 5000, throttledUsec: 3000, quotaUsec: 50000, periodUsec: 100000 },
      oomKills: 3,
    });
    // A learner's child made only in the memory hierarchy: pids and cpu do not count it.
    fs.mkdirSync(path.join(m, 'demo'));
    expect((await d.stats(h, '/demo')).missing).toEqual(['pids', 'cpu']);
    fs.mkdirSync(path.join(root, 'pids/isoplay/s4/demo'));
    expect((await d.stats(h, '/demo')).missing).toEqual(['cpu']);
  });

  it('a limit the kernel refuses names the config key, the file and the error', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    // The "kernel" refuses: pids.max is a directory, so the write fails with EISDIR.
    fs.mkdirSync(path.join(root, 'pids/isoplay/s5/pids.max'), { recursive: true });
    const e = (await d.create('isoplay/s5', limits).catch((x) => x)) as IsoplayError;
    expect(e.code).toBe('ISOPLAY_ERR_CONFIG');
    expect(e.params.key).toBe('limits.pids');
    expect(e.message).toContain(path.join(root, 'pids/isoplay/s5/pids.max'));
    expect(e.message).toContain('EISDIR');
  });

  it('lists sessions under the prefix only', async () => {
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, fakeV1());
    fs.mkdirSync(path.join(root, 'memory/isoplay/sa'), { recursive: true });
    fs.mkdirSync(path.join(root, 'pids/isoplay/sb'), { recursive: true });
    fs.mkdirSync(path.join(root, 'memory/notours/sc'), { recursive: true });
    expect((await d.listSessions()).sort()).toEqual(['isoplay/sa', 'isoplay/sb']);
  });
});

describe('v2 driver on a fake cgroupfs', () => {
  const mi = () => `1 1 0:1 / ${root} rw - cgroup2 cgroup2 rw,nsdelegate`;

  it('enables controllers for the prefix, writes v2 files, makes the init leaf', async () => {
    fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'cpu memory pids io\n');
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, mi());
    expect(d.mode).toBe('v2');
    fs.mkdirSync(path.join(root, 'isoplay'));
    fs.writeFileSync(path.join(root, 'isoplay/cgroup.subtree_control'), '');
    fs.mkdirSync(path.join(root, 'isoplay/s1'));
    fs.writeFileSync(path.join(root, 'isoplay/s1/memory.swap.max'), '');
    await fs.promises.rmdir(path.join(root, 'isoplay/s1')).catch(() => undefined);
    const h = await d.create('isoplay/s9', limits).catch((e) => e);
    expect(h).not.toBeInstanceOf(Error);
    expect(read('isoplay/cgroup.subtree_control')).toBe('+memory +pids +cpu');
    expect(read('isoplay/s9/memory.max')).toBe(String(64 << 20));
    expect(read('isoplay/s9/pids.max')).toBe('100');
    expect(read('isoplay/s9/cpu.max')).toBe('50000 100000');
    expect(read('isoplay/s9/cpu.weight')).toBe('200');
    expect(fs.statSync(path.join(root, 'isoplay/s9/init')).isDirectory()).toBe(true);
    expect(h.leafProcsFiles).toEqual([path.join(root, 'isoplay/s9/init/cgroup.procs')]);
  });

  it('delegates the dir, procs, subtree_control and threads of the session and its leaf', async () => {
    fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'cpu memory pids\n');
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, mi());
    const h = await d.create('isoplay/s8', limits);
    for (const dir of ['isoplay/s8', 'isoplay/s8/init']) for (const f of ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) fs.writeFileSync(path.join(root, dir, f), '');
    await d.delegate(h, 777, 778);
    for (const p of ['isoplay/s8', 'isoplay/s8/cgroup.subtree_control', 'isoplay/s8/init/cgroup.procs']) expect(fs.statSync(path.join(root, p)).uid).toBe(777);
    expect(fs.statSync(path.join(root, 'isoplay/s8/memory.max')).uid).toBe(0);
  });

  it('refuses to start when the root does not delegate memory, pids and cpu, naming the fix', async () => {
    fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'cpu\n');
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, mi());
    const e = (await d.create('isoplay/s7', limits).catch((x) => x)) as IsoplayError;
    expect(e.code).toBe('ISOPLAY_ERR_HOST_UNSUPPORTED');
    expect(e.message).toContain('+memory +pids');
  });

  it('reads v2 stats', async () => {
    fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'cpu memory pids\n');
    const d = await createCgroupDriver({ cgroupRoot: root, prefix: 'isoplay' }, mi());
    const h = await d.create('isoplay/s6', limits);
    const dir = path.join(root, 'isoplay/s6');
    fs.writeFileSync(path.join(dir, 'memory.current'), '4096\n');
    fs.writeFileSync(path.join(dir, 'memory.peak'), '8192\n');
    fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n');
    fs.writeFileSync(path.join(dir, 'pids.current'), '3\n');
    fs.writeFileSync(path.join(dir, 'cpu.stat'), 'usage_usec 1234\nuser_usec 1000\nthrottled_usec 99\n');
    expect(await d.stats(h)).toEqual({
      memory: { current: 4096, max: 64 << 20, peak: 8192 },
      pids: { current: 3, max: 100 },
      cpu: { usageUsec: 1234, throttledUsec: 99, quotaUsec: 50000, periodUsec: 100000 },
      oomKills: 2,
    });
    // Where the kernel has memory.events.local, a child's OOM kill is not counted again here.
    fs.writeFileSync(path.join(dir, 'memory.events.local'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
    expect((await d.stats(h)).oomKills).toBe(0);
    // A child whose parent enabled only +memory has no pids.max or cpu.max.
    fs.mkdirSync(path.join(dir, 'demo'));
    fs.writeFileSync(path.join(dir, 'demo/memory.max'), 'max\n');
    expect((await d.stats(h, '/demo')).missing).toEqual(['pids', 'cpu']);
  });
});

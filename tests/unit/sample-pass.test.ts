// The kernel view's bounded pass on a fake /proc and a fake v1 cgroupfs in a temp dir: what it
// lists, what it counts, how much it reads, and the messages the main thread builds from it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupsMessage, processesMessage } from '../../server/inspect/messages.js';
import { SAMPLE_BOUNDS, readBounded, runPass, walkCgroupTree, type PassPlan, type PassState, type SampleBounds } from '../../server/inspect/sample-pass.js';
import { detectCgroups } from '../../server/sandbox/cgroups/detect.js';
import { CgroupV1Driver } from '../../server/sandbox/cgroups/v1.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'FakeSamplePass-'));
const proc = path.join(root, 'proc');
const cgroupRoot = path.join(root, 'cgroup');
const UID_MAP = '         0 1000000000      65536\n';

/** A process in the fake /proc: status with its NSpid, a cmdline, and two namespace links. */
function fakeProcess(pid: number, opts: { name?: string; inner?: number; cmdline?: string; uts?: number } = {}): void {
  const dir = path.join(proc, String(pid));
  fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
  const nspid = opts.inner === undefined ? `${pid}` : `${pid}\t${opts.inner}`;
  fs.writeFileSync(path.join(dir, 'status'), `Name:\t${opts.name ?? 'sleep'}\nPPid:\t1\nUid:\t1000000000\t1000000000\t1000000000\t1000000000\nNSpid:\t${nspid}\n`);
  fs.writeFileSync(path.join(dir, 'cmdline'), opts.cmdline ?? `${opts.name ?? 'sleep'}\x00300\x00`);
  fs.symlinkSync(`uts:[${opts.uts ?? 4026532179}]`, path.join(dir, 'ns', 'uts'));
  fs.symlinkSync('pid:[4026532181]', path.join(dir, 'ns', 'pid'));
}

/** A cgroup directory in every fake hierarchy, with the files the v1 driver reads. */
function fakeCgroup(rel: string, pids: number[] = []): void {
  for (const h of ['memory', 'pids', 'cpu,cpuacct']) {
    const dir = path.join(cgroupRoot, h, 'isoplay/s1', rel);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), pids.map((p) => `${p}\n`).join(''));
  }
  const mem = path.join(cgroupRoot, 'memory/isoplay/s1', rel);
  fs.writeFileSync(path.join(mem, 'memory.usage_in_bytes'), '1048576\n');
  fs.writeFileSync(path.join(mem, 'memory.limit_in_bytes'), '20971520\n');
  fs.writeFileSync(path.join(mem, 'memory.max_usage_in_bytes'), '2097152\n');
  fs.writeFileSync(path.join(mem, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
  fs.writeFileSync(path.join(cgroupRoot, 'pids/isoplay/s1', rel, 'pids.current'), `${pids.length}\n`);
  fs.writeFileSync(path.join(cgroupRoot, 'pids/isoplay/s1', rel, 'pids.max'), '256\n');
  fs.writeFileSync(path.join(cgroupRoot, 'cpu,cpuacct/isoplay/s1', rel, 'cpuacct.usage'), '5000000\n');
}

const MOUNTINFO = ['memory', 'pids', 'cpu,cpuacct']
  .map((h, i) => `${30 + i} 25 0:${30 + i} / ${cgroupRoot}/${h} rw - cgroup cgroup rw,${h}`)
  .join('\n');
const layout = detectCgroups(MOUNTINFO);
const driver = new CgroupV1Driver(layout, 'isoplay');
const handle = driver.handleFor('isoplay/s1');

function plan(): PassPlan {
  return {
    session: 's1',
    procRoot: proc,
    driver: { mode: 'v1', layout },
    cgroup: handle,
    treeDir: handle.dirs.memory,
    cpuFile: path.join(handle.dirs['cpu,cpuacct'], 'cpuacct.usage'),
    uidMap: UID_MAP,
  };
}

const small: SampleBounds = { ...SAMPLE_BOUNDS, processes: 3, cgroups: 4, dirsWalked: 10 };

beforeAll(() => {
  fs.mkdirSync(path.join(proc, 'self/ns'), { recursive: true });
  fs.symlinkSync('uts:[4026531838]', path.join(proc, 'self/ns/uts'));
  // The monitor (no pid inside), the sandbox's init and shell, then children with their own.
  fakeProcess(100, { name: 'isoplay-init' });
  fakeProcess(101, { name: 'isoplay-init', inner: 1 });
  fakeProcess(102, { name: 'bash', inner: 2 });
  for (let p = 103; p < 110; p++) fakeProcess(p, { inner: p - 100 });
  fakeCgroup('', [100, 101, 102]);
  // Children named so that natural order (c2 before c10) differs from byte order.
  for (const c of ['c10', 'c2', 'c1']) fakeCgroup(c, [103]);
  fakeCgroup('c1/deep', [104, 105]);
  // Twelve more, each with a pid of its own (not in the fake /proc: it exited), so the pids found
  // tell how many of them a bounded walk visited, whatever order the directory lists them in.
  for (let i = 0; i < 12; i++) fakeCgroup(`many/m${i}`, [300 + i]);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('walkCgroupTree: one bounded walk of a session cgroup tree', () => {
  it('lists the session first, then children in pre-order and natural name order, up to the bound', () => {
    const t = walkCgroupTree(handle.dirs.memory, { ...SAMPLE_BOUNDS, cgroups: 6 });
    expect(t.paths).toEqual(['/', '/c1', '/c1/deep', '/c2', '/c10', '/many']);
    expect(t.found).toBe(1 + 4 + 1 + 12);
    expect(t.complete).toBe(true);
    expect(t.pids).toEqual([100, 101, 102, 103, 104, 105, ...Array.from({ length: 12 }, (_, i) => 300 + i)]);
  });

  it('stops counting directories at the walk bound and says the counts are lower bounds', () => {
    const t = walkCgroupTree(handle.dirs.memory, { ...SAMPLE_BOUNDS, cgroups: 3, dirsWalked: 8 });
    expect(t.paths).toEqual(['/', '/c1', '/c1/deep']);
    expect(t.found).toBe(8);
    expect(t.complete).toBe(false);
    // Two of /many's children were found before the bound, and only their pids were read.
    expect(t.pids.filter((p) => p >= 300)).toHaveLength(2);
  });

  it('reads at most the byte bound of a cgroup.procs', () => {
    const dir = path.join(root, 'bigprocs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), Array.from({ length: 1000 }, (_, i) => `${10_000 + i}\n`).join(''));
    const t = walkCgroupTree(dir, { ...SAMPLE_BOUNDS, procsFileBytes: 60 });
    // 60 bytes hold ten 6-byte lines: a pid cut in the middle is read as a smaller number, never more.
    expect(t.pids.length).toBe(10);
  });
});

describe('readBounded', () => {
  it('reads no more than its bound of a huge file (a cmdline can be ARG_MAX)', () => {
    const file = path.join(root, 'huge');
    fs.writeFileSync(file, 'x'.repeat(2 * 1024 * 1024));
    expect(readBounded(file, 1024)).toHaveLength(1024);
    expect(readBounded(path.join(root, 'absent'), 1024)).toBeUndefined();
  });
});

describe('runPass: what one pass reads and returns', () => {
  it('lists processes and cgroups up to their bounds, counts the rest, and skips the monitor', async () => {
    const st: PassState = {};
    const r = await runPass(plan(), st, true, small);
    expect(r.idle).toBe(false);
    // Three pids read (100..102); 100 is the monitor (no pid inside), so two are listed.
    expect(r.processes?.list.map((p) => [p.hostPid, p.nsPids, p.comm])).toEqual([
      [101, [101, 1], 'isoplay-init'],
      [102, [102, 2], 'bash'],
    ]);
    // Ten pids found: 100..105 and the four of /many's children the walk reached (bound 10).
    expect(r.processes).toMatchObject({ more: 7, moreIsLowerBound: true, hostNs: { uts: 4026531838 } });
    expect(r.processes?.list[1]).toMatchObject({ args: 'bash 300', uid: { inside: 0, host: 1000000000 }, ns: { uts: 4026532179, pid: 4026532181 } });
    expect(r.cgroups?.list.map((c) => c.path)).toEqual(['/', '/c1', '/c1/deep', '/c2']);
    expect(r.cgroups?.list[1]).toMatchObject({ memory: { current: 1048576, max: 20971520, peak: 2097152 }, pids: { current: 1, max: 256 }, oomKills: 0 });
    expect(r.cgroups).toMatchObject({ more: 6, moreIsLowerBound: true });
  });

  it('cuts a long cmdline at its byte bound', async () => {
    fakeProcess(200, { inner: 1, cmdline: `${'a'.repeat(600_000)}\0` });
    const dir = path.join(root, 'cmdtree');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), '200\n');
    const r = await runPass({ ...plan(), session: 'cmd', treeDir: dir }, {}, true, { ...SAMPLE_BOUNDS, cmdlineBytes: 100 });
    expect(r.processes?.list[0].args).toBe('a'.repeat(100));
  });

  it('reads one file when nothing ran, and sends a list again only when it changed', async () => {
    const st: PassState = {};
    const first = await runPass(plan(), st, false, small);
    expect(first.processes && first.cgroups).toBeTruthy();
    // Same CPU counter, no command since: idle, nothing read, nothing sent.
    expect(await runPass(plan(), st, false, small)).toEqual({ session: 's1', idle: true });
    // A command ran (a full pass) but nothing the view shows changed: read, and no lists sent.
    expect(await runPass(plan(), st, true, small)).toEqual({ session: 's1', idle: false });
    // The counter moved and memory use changed in a listed cgroup: the cgroups list is sent, and
    // the processes (the same pids) are neither re-read nor sent.
    fs.writeFileSync(path.join(handle.dirs.memory, 'c1/memory.usage_in_bytes'), '3145728\n');
    fs.writeFileSync(plan().cpuFile!, '7000000\n');
    const changed = await runPass(plan(), st, false, small);
    expect(changed.processes).toBeUndefined();
    expect(changed.cgroups?.list.find((c) => c.path === '/c1')?.memory.current).toBe(3145728);
    expect(changed.cgroups?.list[0].cpu.usageUsec).toBe(7000);
  });

  it("reuses a slow walk of a session's tree for walk-time / walkShare, while stats are read every pass", async () => {
    // A clock that moves 5 ms per reading, so a walk takes 5 ms: with a share of 0.05 the tree is
    // walked again 100 ms after the last walk began.
    let now = 0;
    const clock = () => (now += 5);
    const st: PassState = {};
    await runPass(plan(), st, true, SAMPLE_BOUNDS, clock);
    fakeCgroup('later');
    fs.writeFileSync(path.join(handle.dirs.memory, 'memory.usage_in_bytes'), '4194304\n');
    now = 50;
    const reused = await runPass(plan(), st, true, SAMPLE_BOUNDS, clock);
    expect(reused.cgroups?.list.map((c) => c.path)).not.toContain('/later');
    expect(reused.cgroups?.list[0].memory.current).toBe(4194304);
    now = 300;
    const walked = await runPass(plan(), st, true, SAMPLE_BOUNDS, clock);
    expect(walked.cgroups?.list.map((c) => c.path)).toContain('/later');
    for (const h of ['memory', 'pids', 'cpu,cpuacct']) fs.rmSync(path.join(cgroupRoot, h, 'isoplay/s1/later'), { recursive: true });
    fs.writeFileSync(path.join(handle.dirs.memory, 'memory.usage_in_bytes'), '1048576\n');
  });
});

describe('messages built from a pass', () => {
  it('carry the more-count only when a list was cut', async () => {
    const cut = await runPass(plan(), {}, true, small);
    expect(cgroupsMessage(5, 'v1', cut.cgroups!)).toEqual({ type: 'cgroups', at: 5, mode: 'v1', list: cut.cgroups!.list, more: 6, moreIsLowerBound: true });
    expect(processesMessage(5, cut.processes!)).toMatchObject({ type: 'processes', at: 5, more: 7, moreIsLowerBound: true });
    const whole = await runPass(plan(), {}, true, SAMPLE_BOUNDS);
    const m = cgroupsMessage(5, 'v1', whole.cgroups!);
    expect(m.list).toHaveLength(18);
    expect('more' in m || 'moreIsLowerBound' in m).toBe(false);
    expect(Object.keys(processesMessage(5, whole.processes!)).sort()).toEqual(['at', 'hostNs', 'list', 'type']);
  });
});

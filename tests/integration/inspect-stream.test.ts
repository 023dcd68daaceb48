// The kernel view's stream from real kernel state: a namespace made in the sandbox appears with
// its kind and inode, a learner's cgroup appears with its limit, and an OOM kill is reported.
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupsMessage, ProcessesMessage, ServerEventMessage } from '../../server/protocol/events.js';
import { Sampler } from '../../server/inspect/sampler.js';
import { MemoryEventBus } from '../../server/sessions/event-bus.js';
import type { SessionInfo } from '../../server/sessions/types.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { until } from '../helpers/wait.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';

let kit: Kit;
let sb: Sandbox;
let sampler: Sampler;
const seen: ServerEventMessage[] = [];
const bus = new MemoryEventBus();

beforeAll(async () => {
  kit = await makeKit();
  sb = await newSandbox(kit);
  const session = { id: 'stest', sandbox: sb, bus } as unknown as SessionInfo;
  bus.subscribe((m) => seen.push(m));
  sampler = new Sampler(session, kit.driver, 10);
  await sampler.start();
});
afterAll(async () => {
  sampler?.stop();
  await sb?.destroy();
});


describe('kernel view stream', () => {
  it('shows host and sandbox on the same kernel', async () => {
    const k = await until(() => seen.find((m) => m.type === 'kernel'));
    if (k.type !== 'kernel') throw new Error();
    expect(k.host.release).toBe(os.release());
    expect(k.sandbox.release).toBe(k.host.release);
    expect(k.sandbox.bootId).toBe(fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  });

  // How fast it appears is a benchmark's question, not a test's (a loaded CI host took 1.8 s once).
  it('a namespace created in the sandbox appears in the kernel view, with its kind and inode', async () => {
    const before = (bus.snapshot().find((m) => m.type === 'processes') as ProcessesMessage).list;
    const initNs = before.find((p) => p.nsPids.at(-1) === 1)!.ns;
    expect(before.some((p) => p.comm === 'sleep')).toBe(false);
    await sh(sb, 'unshare --uts --ipc sleep 300 >/dev/null 2>&1 &');
    const proc = await until(() => {
      const m = bus.snapshot().find((x) => x.type === 'processes') as ProcessesMessage;
      return m.list.find((p) => p.comm === 'sleep');
    }, 10_000, 'the new namespace in the kernel view');
    const real = fs.readlinkSync(`/proc/${proc.hostPid}/ns/uts`);
    expect(real).toBe(`uts:[${proc.ns.uts}]`);
    expect(proc.ns.uts).not.toBe(initNs.uts);
    expect(proc.ns.ipc).not.toBe(initNs.ipc);
    expect(proc.ns.net).toBe(initNs.net);
    expect(proc.uid).toEqual({ inside: 0, host: sb.spec.idBase });
    expect(proc.nsPids).toHaveLength(2);
  });

  it('a cgroup the learner makes appears with its limit, and its OOM kill is an event', async () => {
    await sh(sb, 'mkdir /sys/fs/cgroup/memory/demo && echo 20M > /sys/fs/cgroup/memory/demo/memory.limit_in_bytes');
    const demo = await until(() => (bus.snapshot().find((m) => m.type === 'cgroups') as CgroupsMessage).list.find((c) => c.path === '/demo'));
    expect(demo.memory.max).toBe(20 * 1024 * 1024);
    await sh(sb, 'bash -c "echo \\$\\$ > /sys/fs/cgroup/memory/demo/cgroup.procs; head -c 100M /dev/zero | tail > /dev/null"; true');
    const oom = await until(() => seen.find((m) => m.type === 'event' && m.kind === 'oom'));
    expect(oom).toMatchObject({ kind: 'oom', path: '/demo', count: 1 });
    // Reported once, for the cgroup where it happened, not again for the sandbox above it: a second
    // report would come from the pass that saw the kill or a later one, so wait for a later pass
    // (one that published the cgroups again, the sandbox's own '/' among them) and look then.
    await sh(sb, 'true'); // CPU used in the sandbox: the next pass is not idle
    const later = await until(() => seen.find((m): m is CgroupsMessage => m.type === 'cgroups' && m.at > oom.at), 5000, 'a kernel view pass after the OOM kill');
    expect(later.list.map((c) => c.path)).toEqual(expect.arrayContaining(['/', '/demo']));
    expect(seen.filter((m) => m.type === 'event' && m.kind === 'oom').map((m) => (m as { path: string }).path)).toEqual(['/demo']);
  });

  it('a busy loop past the CPU quota is reported as a throttle event, with the kernel\'s throttled time', async () => {
    // Four loops against a quota of half a CPU: throttled even when a loaded host gives the sandbox
    // less than its share (one loop on a busy 2-core CI host was not, and nothing was reported).
    await sh(sb, "for i in 1 2 3 4; do { timeout 10 sh -c 'while :; do :; done' & } </dev/null >/dev/null 2>&1; done");
    const ev = await until(() => seen.find((m) => m.type === 'event' && m.kind === 'throttle'), 20_000, 'a throttle event');
    if (ev.type !== 'event' || ev.kind !== 'throttle') throw new Error();
    expect(ev.path).toBe('/');
    const now = await kit.driver.stats(sb.cgroup);
    expect(ev.throttledUsec).toBeGreaterThanOrEqual(100_000);
    expect(ev.throttledUsec).toBeLessThanOrEqual(now.cpu.throttledUsec);
  }, 30_000);
});

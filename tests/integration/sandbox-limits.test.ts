// Limits on the real kernel: a memory hog is OOM-killed inside its sandbox, a fork bomb stops at
// pids.max, and the host and the other sandboxes keep answering.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';
import { until } from '../helpers/wait.js';

let kit: Kit;
let victim: Sandbox;
let neighbour: Sandbox;

beforeAll(async () => {
  kit = await makeKit();
  victim = await newSandbox(kit, { memoryBytes: 64 << 20, pids: 64 });
  neighbour = await newSandbox(kit);
});
afterAll(async () => {
  await Promise.all([victim?.destroy(), neighbour?.destroy()]);
});

describe('sandbox limits', () => {
  it('OOM-kills a memory hog inside its sandbox, and the sandbox lives on', async () => {
    const r = await sh(victim, 'head -c 512M /dev/zero | tail > /dev/null; echo "status $?"');
    expect(r.stdout).toMatch(/status (137|141)/);
    const stats = await kit.driver.stats(victim.cgroup);
    expect(stats.oomKills).toBeGreaterThanOrEqual(1);
    expect(stats.memory.peak).toBeLessThanOrEqual(64 << 20);
    expect((await sh(victim, 'echo alive')).stdout.trim()).toBe('alive');
  });

  it('stops a fork bomb at pids.max while the host and a neighbour keep answering', async () => {
    const forksRefused = () => Number(/^max (\d+)/m.exec(fs.readFileSync(path.join(victim.cgroup.dirs.pids, 'pids.events'), 'utf8'))![1]);
    expect(forksRefused()).toBe(0);
    const bomb = sh(victim, 'bomb() { bomb | bomb & }; (bomb) >/dev/null 2>&1; sleep 2; echo bombed', 30_000);
    // The bomb is at the limit once the kernel starts refusing its forks.
    await until(() => forksRefused() > 0, 10_000, 'a fork refused at pids.max');
    const t0 = Date.now();
    expect((await sh(neighbour, 'echo neighbour-ok')).stdout.trim()).toBe('neighbour-ok');
    expect(Date.now() - t0).toBeLessThan(5000);
    const stats = await kit.driver.stats(victim.cgroup);
    expect(stats.pids.current).toBeLessThanOrEqual(64);
    expect(stats.pids.max).toBe(64);
    await bomb; // its own shell may fail to fork at the limit too; what matters is the kernel's count
    // Ending the sandbox ends the bomb with it.
    expect(await kit.driver.listSessions()).toContain(victim.cgroup.path);
    await victim.destroy();
    expect(await kit.driver.listSessions()).not.toContain(victim.cgroup.path);
    expect(fs.existsSync(victim.cgroup.dirs.pids)).toBe(false);
  });

  it('caps CPU with a quota that the kernel enforces (throttling is counted)', async () => {
    await sh(neighbour, 'timeout 1.5 sh -c "while :; do :; done"; true');
    const s = await kit.driver.stats(neighbour.cgroup);
    expect(s.cpu.quotaUsec).toBe(kit.config.limits.cpuQuotaUsec);
    expect(s.cpu.throttledUsec).toBeGreaterThan(0);
    expect(s.cpu.usageUsec).toBeLessThan(1.5e6 * (kit.config.limits.cpuQuotaUsec / kit.config.limits.cpuPeriodUsec) + 300_000);
  });
});

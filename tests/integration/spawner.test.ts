// The isoplay-spawner helper (server/sandbox/exec.ts, spawner-child.mjs) starts a sandbox's monitor
// and every host command, so no fork of the server happens on its event loop. What that changes for
// a sandbox: its monitor's parent is the helper, and it dies with the helper as it died with the server.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { spawner } from '../../server/sandbox/exec.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { pidAlive } from '../helpers/leaks.js';
import { makeKit, newSandbox, sh } from '../helpers/sandbox.js';

const ppid = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);

describe('the spawner helper starts sandboxes', () => {
  const made: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(made.map((s) => s.destroy()));
  });

  it("a sandbox's monitor is the helper's child, not this process's, and the sandbox works", async () => {
    const kit = await makeKit();
    const sb = await newSandbox(kit);
    made.push(sb);
    expect(spawner.pid).toBeDefined();
    expect(ppid(sb.monitorPid)).toBe(spawner.pid);
    expect(ppid(sb.monitorPid)).not.toBe(process.pid);
    expect((await sh(sb, 'echo $$; hostname')).stdout).toMatch(/^\d+\n/);
  });

  it('with ISOPLAY_SPAWNER=off the server starts the monitor itself (the benchmarks\' baseline)', async () => {
    process.env.ISOPLAY_SPAWNER = 'off';
    try {
      const kit = await makeKit();
      const sb = await newSandbox(kit);
      made.push(sb);
      expect(ppid(sb.monitorPid)).toBe(process.pid);
      expect((await sh(sb, 'echo ok')).stdout).toBe('ok\n');
    } finally {
      delete process.env.ISOPLAY_SPAWNER;
    }
  });

  it('a helper killed from outside takes its sandboxes with it (as the server would), and the next sandbox gets a new helper', async () => {
    const kit = await makeKit();
    const sb = await newSandbox(kit);
    made.push(sb);
    const helper = ppid(sb.monitorPid);
    expect(helper).toBe(spawner.pid);
    process.kill(helper, 'SIGKILL');
    // The monitor dies with its parent (PR_SET_PDEATHSIG), init with the monitor: the session ends.
    await sb.exited;
    await expect.poll(() => pidAlive(sb.initPid), { timeout: 10_000 }).toBe(false);
    const next = await newSandbox(kit);
    made.push(next);
    expect(ppid(next.monitorPid)).toBe(spawner.pid);
    expect(ppid(next.monitorPid)).not.toBe(helper);
    expect((await sh(next, 'echo again')).stdout).toBe('again\n');
  });
});

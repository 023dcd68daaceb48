// cgroup v2 end to end: run inside a pure-v2 VM by scripts/run-in-v2-vm.sh (npm run test:v2).
// On any other host every test skips, with the reason in its title.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../server/sandbox/cgroups/detect.js';
import { reapLeftovers } from '../../server/sandbox/reaper.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';

const mode = detectCgroups(fs.readFileSync('/proc/self/mountinfo', 'utf8')).mode;
const v2 = mode === 'v2';
const why = v2 ? '' : ` (skipped: this host is cgroup ${mode}, not pure v2; run npm run test:v2)`;

let kit: Kit;
let sb: Sandbox;
beforeAll(async () => {
  if (!v2) return;
  kit = await makeKit({ limits: { memoryBytes: 128 << 20, pids: 64, cpuQuotaUsec: 50000, cpuPeriodUsec: 100000, cpuWeight: 100 } });
  sb = await newSandbox(kit);
});
afterAll(async () => sb?.destroy());

describe.skipIf(!v2)(`cgroup v2${why}`, () => {
  it('uses the v2 driver and writes the v2 limit files', async () => {
    expect(kit.driver.mode).toBe('v2');
    const dir = sb.cgroup.dirs.unified;
    expect(fs.readFileSync(`${dir}/memory.max`, 'utf8').trim()).toBe(String(128 << 20));
    expect(fs.readFileSync(`${dir}/pids.max`, 'utf8').trim()).toBe('64');
    expect(fs.readFileSync(`${dir}/cpu.max`, 'utf8').trim()).toBe('50000 100000');
    // No process in the session itself: init lives in the leaf.
    expect(fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').trim()).toBe('');
    expect(fs.readFileSync(`${dir}/init/cgroup.procs`, 'utf8')).toContain(String(sb.initPid));
  });

  it('isolates like on v1: own PID 1, only lo, root inside, unprivileged outside', async () => {
    const r = await sh(sb, 'ps -eo pid=,comm= | head -1; ip -o link | wc -l; id -u; cat /proc/self/cgroup');
    const [ps1, links, uid, cg] = r.stdout.trim().split('\n');
    expect(ps1.trim()).toBe('1 isoplay-init');
    expect([links, uid]).toEqual(['1', '0']);
    expect(cg).toBe('0::/init');
  });

  it('delegates: the learner enables controllers, makes a 20 MiB child, and a hog is OOM-killed there', async () => {
    const r = await sh(sb, `set -e
      cat /sys/fs/cgroup/cgroup.controllers
      echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control
      mkdir /sys/fs/cgroup/demo
      echo 20M > /sys/fs/cgroup/demo/memory.max
      echo 0 > /sys/fs/cgroup/demo/memory.swap.max 2>/dev/null || true
      bash -c 'echo $$ > /sys/fs/cgroup/demo/cgroup.procs; head -c 100M /dev/zero | tail > /dev/null' || echo "hog status $?"
      grep oom_kill /sys/fs/cgroup/demo/memory.events`, 120_000);
    expect(r.stdout, r.stderr).toMatch(/memory/);
    expect(r.stdout).toMatch(/hog status 137/);
    expect(r.stdout).toMatch(/oom_kill [1-9]/);
    expect((await kit.driver.listChildren(sb.cgroup))).toContain('/demo');
    // Only +memory +pids were enabled: the kernel view must say cpu does not count /demo.
    const demo = await kit.driver.stats(sb.cgroup, '/demo');
    expect(demo.missing).toEqual(['cpu']);
    expect(demo.memory.max).toBe(20 << 20);
  });

  it('refuses to raise the session\'s own limits and shows nothing above the session', async () => {
    const r = await sh(sb, 'echo max > /sys/fs/cgroup/memory.max; echo 9999 > /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup | grep -c -e isoplay -e system.slice; true');
    expect(r.stderr).toMatch(/Permission denied[\s\S]*Permission denied/);
    expect(r.stdout.trim()).toBe('0');
    const dir = sb.cgroup.dirs.unified;
    expect(fs.readFileSync(`${dir}/memory.max`, 'utf8').trim()).toBe(String(128 << 20));
    expect(fs.readFileSync(`${dir}/pids.max`, 'utf8').trim()).toBe('64');
  });

  it('stops a fork bomb at pids.max', async () => {
    await sh(sb, 'bomb() { bomb | bomb & }; (bomb) >/dev/null 2>&1; sleep 2; true', 60_000);
    const s = await kit.driver.stats(sb.cgroup);
    expect(s.pids.max).toBe(64);
    expect(s.pids.current).toBeLessThanOrEqual(64);
  });

  it('teardown and the reaper leave nothing', async () => {
    const other = await newSandbox(kit);
    await sh(other, 'echo +memory > /sys/fs/cgroup/cgroup.subtree_control; mkdir -p /sys/fs/cgroup/a/b');
    await sb.destroy();
    expect(fs.existsSync(sb.cgroup.dirs.unified)).toBe(false);
    // Simulate a crash: forget `other`, let the reaper find it by its prefix.
    const report = await reapLeftovers(kit.config, kit.driver, { tag: kit.factory.instance.tag });
    expect(report.cgroups).toContain(other.cgroup.path);
    expect(fs.existsSync(other.cgroup.dirs.unified)).toBe(false);
    expect(fs.readdirSync('/sys/fs/cgroup').filter((n) => n.startsWith('isoplay'))).toEqual([]);
  });
});

// Teardown and the reaper on the real kernel: nothing named isoplay survives a session, 200
// sessions with nested learner cgroups leave zero directories, and a crashed server's sandboxes are
// removed at start-up while a cgroup that is not ours is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.js';
import { reapLeftovers } from '../../server/sandbox/reaper.js';
import { isoplayCgroupsNamed, isoplayMounts, isoplayLinks, pidAlive } from '../helpers/leaks.js';
import { makeKit, newSandbox, sh } from '../helpers/sandbox.js';

describe('sandbox teardown', () => {
  it('leaves no process, cgroup, mount or network object behind, and is idempotent', async () => {
    const kit = await makeKit();
    const sb = await newSandbox(kit);
    const id = sb.spec.id;
    const r = await sh(sb, 'mkdir /sys/fs/cgroup/memory/learner /sys/fs/cgroup/pids/learner; ip netns add isoplay-x; ip link add isoplay-v0 type veth peer name isoplay-v1; (sleep 1000 >/dev/null 2>&1 &) ; echo ok');
    expect(r.stdout).toContain('ok');
    const inner = Number((await sh(sb, 'pgrep -n sleep; true')).stdout.trim());
    expect(inner).toBeGreaterThan(0);
    expect(isoplayCgroupsNamed(id).length).toBeGreaterThan(5);
    await sb.destroy();
    await sb.destroy();
    expect(pidAlive(sb.initPid)).toBe(false);
    expect(isoplayCgroupsNamed(id)).toEqual([]);
    expect(isoplayMounts()).toEqual([]);
    expect(isoplayLinks()).toBe('');
    expect(fs.existsSync(path.join(kit.config.dataDir, 'sandboxes', `${id}.json`))).toBe(false);
  });

  it('200 sessions with nested learner cgroups end with zero isoplay directories', async () => {
    const kit = await makeKit();
    const ids: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const sbs = await Promise.all(Array.from({ length: 10 }, () => newSandbox(kit)));
      await Promise.all(sbs.map((sb, i) => sh(sb, i % 2 ? 'cgcreate -g memory,pids,cpu:a/b; cgexec -g memory:a/b sleep 1000 >/dev/null 2>&1 &' : 'mkdir -p /sys/fs/cgroup/memory/x/y')));
      ids.push(...sbs.map((s) => s.spec.id));
      await Promise.all(sbs.map((s) => s.destroy()));
    }
    expect(ids).toHaveLength(200);
    const left = ids.flatMap((id) => isoplayCgroupsNamed(id));
    expect(left).toEqual([]);
  }, 120_000);

  it('the reaper removes what a killed server left, and nothing that is not ours', async () => {
    const kit = await makeKit();
    // Not ours: a cgroup of another name with a process in it.
    const foreign = `/sys/fs/cgroup/memory/notours-${process.pid}`;
    fs.mkdirSync(foreign);
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(foreign, 'cgroup.procs'), String(sleeper.pid));
    try {
      // A separate process makes 3 sandboxes, reports them, and is killed with SIGKILL.
      const script = `
        import { loadConfig } from '${PROJECT_ROOT}/server/config.js';
        import { createCgroupDriver } from '${PROJECT_ROOT}/server/sandbox/cgroups/index.js';
        import { createSandboxFactory } from '${PROJECT_ROOT}/server/sandbox/index.js';
        const config = loadConfig([], {}, { dataDir: ${JSON.stringify(kit.config.dataDir)} });
        const f = createSandboxFactory(config, await createCgroupDriver(config));
        const made = [];
        for (let i = 0; i < 3; i++) made.push(await f.create(f.specFor('screap' + i + Math.random().toString(36).slice(2, 6))));
        console.log(JSON.stringify(made.map((s) => ({ id: s.spec.id, init: s.initPid }))));
        setInterval(() => {}, 1000);`;
      const file = path.join(kit.config.dataDir, 'crash.mts');
      fs.writeFileSync(file, script);
      const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [file], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
      const made = JSON.parse(line) as { id: string; init: number }[];
      // tsx runs node as a child; kill the whole group like a crash would.
      execFileSync('pkill', ['-KILL', '-f', file]);
      await new Promise((r) => setTimeout(r, 300));
      for (const m of made) expect(isoplayCgroupsNamed(m.id).length).toBeGreaterThan(0);
      const report = await reapLeftovers(kit.config, kit.driver);
      for (const m of made) {
        expect(report.cgroups).toContain(`isoplay/${m.id}`);
        expect(isoplayCgroupsNamed(m.id)).toEqual([]);
        expect(pidAlive(m.init)).toBe(false);
      }
      expect(fs.existsSync(foreign)).toBe(true);
      expect(pidAlive(sleeper.pid!)).toBe(true);
      expect(fs.readFileSync(path.join(foreign, 'cgroup.procs'), 'utf8')).toContain(String(sleeper.pid));
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      fs.rmdirSync(foreign);
    }
  }, 60_000);
});

// Teardown and the reaper on the real kernel: nothing named isoplay survives a session, 200
// sessions with nested learner cgroups leave zero directories, and a crashed server's sandboxes are
// removed at start-up while a cgroup that is not ours is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.js';
import { SLOTS_PER_INSTANCE } from '../../server/sandbox/instance.js';
import { reapLeftovers } from '../../server/sandbox/reaper.js';
import { isoplayCgroupsNamed, isoplayMounts, isoplayLinks, pidAlive } from '../helpers/leaks.js';
import { makeKit, newSandbox, sh } from '../helpers/sandbox.js';
import { until } from '../helpers/wait.js';

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
      const made = await Promise.all(sbs.map((sb, i) => sh(sb, i % 2 ? 'cgcreate -g memory,pids,cpu:a/b || exit 1; cgexec -g memory:a/b sleep 1000 >/dev/null 2>&1 & until grep -q . /sys/fs/cgroup/memory/a/b/cgroup.procs; do sleep 0.01; done; echo made' : 'mkdir -p /sys/fs/cgroup/memory/x/y && echo made')));
      // Each sandbox really holds its nested cgroup (with a process in a/b) when it is destroyed.
      for (const r of made) expect(r.stdout.trim(), r.stderr).toBe('made');
      ids.push(...sbs.map((s) => s.spec.id));
      await Promise.all(sbs.map((s) => s.destroy()));
    }
    const left = ids.flatMap((id) => isoplayCgroupsNamed(id));
    expect(left).toEqual([]);
  }, 120_000);

  it('the reaper removes what a killed server of its data directory left, and nothing that is not ours (another live server\'s sandbox, a foreign cgroup)', async () => {
    const kit = await makeKit();
    // Another live server's sandbox (another data directory, so another instance): not ours.
    const neighbour = await makeKit();
    const theirs = await newSandbox(neighbour);
    expect(neighbour.factory.instance.tag).not.toBe(kit.factory.instance.tag);
    // Its host uids come from its own range, apart from this data directory's.
    const range = (k: typeof kit) => [k.factory.instance.uidBase, k.factory.instance.uidBase + SLOTS_PER_INSTANCE * k.config.uidCount];
    expect(theirs.spec.idBase).toBeGreaterThanOrEqual(range(neighbour)[0]);
    expect(theirs.spec.idBase).toBeLessThan(range(neighbour)[1]);
    expect(range(neighbour)[0] >= range(kit)[1] || range(kit)[0] >= range(neighbour)[1]).toBe(true);
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
      const [line] = (await once(readline.createInterface({ input: child.stdout! }), 'line')) as [string];
      const made = JSON.parse(line) as { id: string; init: number }[];
      expect(made).toHaveLength(3);
      // tsx runs node as a child; kill both like a crash would (by this test's own file name).
      const serverProcs = () => spawnSync('pgrep', ['-f', file], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      expect(serverProcs().length).toBeGreaterThan(0);
      spawnSync('pkill', ['-KILL', '-f', file]);
      await until(() => serverProcs().length === 0, 5000, 'the killed server to be gone');
      // The sandboxes die with their monitors (PR_SET_PDEATHSIG); their cgroups and state files stay.
      await until(() => made.every((m) => !pidAlive(m.init)), 5000, "the sandboxes' init processes to die with the server");
      const stateFile = (id: string) => path.join(kit.config.dataDir, 'sandboxes', `${id}.json`);
      for (const m of made) {
        expect(isoplayCgroupsNamed(m.id).length).toBeGreaterThan(0);
        expect(fs.existsSync(stateFile(m.id))).toBe(true);
      }
      const report = await reapLeftovers(kit.config, kit.driver, { tag: kit.factory.instance.tag });
      for (const m of made) {
        expect(report.cgroups).toContain(`isoplay/${kit.factory.instance.tag}-${m.id}`);
        expect(report.stateFiles).toContain(`${m.id}.json`);
        expect(isoplayCgroupsNamed(m.id)).toEqual([]);
        expect(fs.existsSync(stateFile(m.id))).toBe(false);
      }
      expect(fs.existsSync(foreign)).toBe(true);
      // The neighbour's sandbox lives on, in its cgroup, with its shell answering.
      expect(report.cgroups).not.toContain(theirs.cgroup.path);
      expect(pidAlive(theirs.initPid)).toBe(true);
      expect((await sh(theirs, 'echo alive')).stdout.trim()).toBe('alive');
      expect(pidAlive(sleeper.pid!)).toBe(true);
      expect(fs.readFileSync(path.join(foreign, 'cgroup.procs'), 'utf8')).toContain(String(sleeper.pid));
    } finally {
      await theirs.destroy();
      const exited = sleeper.exitCode === null && sleeper.signalCode === null ? once(sleeper, 'exit') : Promise.resolve();
      sleeper.kill('SIGKILL');
      await exited;
      // rmdir is refused while the cgroup still lists a task.
      await until(() => fs.readFileSync(path.join(foreign, 'cgroup.procs'), 'utf8').trim() === '', 5000, `${foreign} to be empty`);
      fs.rmdirSync(foreign);
    }
  }, 60_000);
});

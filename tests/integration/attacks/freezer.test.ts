// Attack: freeze your own processes so that teardown cannot kill them (a frozen task ignores
// SIGKILL on the v1 freezer), keep re-freezing from a loop, and leave a 110 MB hog and the session's
// cgroups behind while the uid range is handed to the next learner. What holds now: teardown
// freezes the whole session first (nothing can fork or re-freeze), SIGKILLs every process,
// thaws every level, writes cgroup.kill on the v2/unified side, then removes the directories; and
// a uid slot is reused only once its cgroups are gone.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../server/sandbox/cgroups/detect.js';
import { newSessionId } from '../../../server/sessions/session.js';
import { isoplayCgroupsNamed, pidAlive, pidsInSession } from '../../helpers/leaks.js';
import { makeKit, newSandbox, sh, type Kit } from '../../helpers/sandbox.js';
import { until } from '../../helpers/wait.js';

const mode = detectCgroups(fs.readFileSync('/proc/self/mountinfo', 'utf8')).mode;
const hasV1Freezer = mode !== 'v2' && fs.existsSync('/sys/fs/cgroup/freezer');
/** Where the learner finds a cgroup2 freezer inside: the unified hierarchy of a hybrid host, or v2 itself. */
const unifiedInside = mode === 'v2' ? '/sys/fs/cgroup' : fs.existsSync('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : undefined;

let kit: Kit;
beforeAll(async () => {
  kit = await makeKit();
});
afterAll(async () => undefined);

// A background child applies its redirections after the fork (and a subshell that never execs keeps
// bash's saved copies of the originals): one frozen holding this script's stdout makes the runner
// wait for it until its timeout. So every freeze below comes after the children have exec'd (the
// sleeps), and the re-freezing loop is a script of its own, exec'd with its fds redirected.
const HOG = `{ python3 -c 'import time; b = bytearray(110 << 20); b[::4096] = b"x" * len(b[::4096]); time.sleep(1000)' & } </dev/null >/dev/null 2>&1`;
const SLEEPER = `{ sleep 1000 & } </dev/null >/dev/null 2>&1`;

async function expectGone(sb: Awaited<ReturnType<typeof newSandbox>>, pids: number[]): Promise<void> {
  // destroy() has resolved: nothing may be left, with no waiting.
  expect(isoplayCgroupsNamed(sb.spec.id)).toEqual([]);
  for (const p of pids) expect(pidAlive(p), `pid ${p}`).toBe(false);
  expect(fs.existsSync(`${kit.config.dataDir}/sandboxes/${sb.spec.id}.json`)).toBe(false);
}

describe.skipIf(!hasV1Freezer)(`attack: the v1 freezer${hasV1Freezer ? '' : ' (skipped: this host has no cgroup v1 freezer)'}`, () => {
  it('a frozen child with a 110 MB hog and sleepers: teardown leaves nothing', async () => {
    const sb = await newSandbox(kit);
    const r = await sh(sb, `set -e
      mkdir /sys/fs/cgroup/freezer/ice
      ${HOG}
      hog=$!
      ${SLEEPER}
      sl=$!
      sleep 0.5
      echo $hog > /sys/fs/cgroup/freezer/ice/cgroup.procs
      echo $sl > /sys/fs/cgroup/freezer/ice/cgroup.procs
      echo FROZEN > /sys/fs/cgroup/freezer/ice/freezer.state
      sleep 0.2
      cat /sys/fs/cgroup/freezer/ice/freezer.state`);
    expect(r.stdout.trim(), r.stderr).toBe('FROZEN');
    const pids = pidsInSession(sb.cgroup.dirs);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await sb.destroy();
    await expectGone(sb, pids);
  });

  it('a loop that keeps re-freezing nested children while teardown runs: nothing is left', async () => {
    const sb = await newSandbox(kit);
    const r = await sh(sb, `set -e
      mkdir -p /sys/fs/cgroup/freezer/a/b
      for i in 1 2 3; do ${SLEEPER}; echo $! > /sys/fs/cgroup/freezer/a/b/cgroup.procs; done
      sleep 0.2
      cat > /tmp/refreeze.sh <<'LOOP'
while :; do
  echo FROZEN > /sys/fs/cgroup/freezer/a/b/freezer.state; echo FROZEN > /sys/fs/cgroup/freezer/a/freezer.state
  echo THAWED > /sys/fs/cgroup/freezer/a/freezer.state; sleep 1000 & echo $! > /sys/fs/cgroup/freezer/a/cgroup.procs
done
LOOP
      sh /tmp/refreeze.sh </dev/null >/dev/null 2>&1 &
      sleep 0.3; echo started`);
    expect(r.stdout, r.stderr).toContain('started');
    const pids = pidsInSession(sb.cgroup.dirs);
    await sb.destroy();
    await expectGone(sb, pids);
  });

  it('a uid slot whose cgroups could not be removed is not handed to the next sandbox', async () => {
    // The driver reports what it could not remove (a task stuck in the kernel, say); the runtime
    // must then keep that uid range out of use. Here the real driver removes everything, and a
    // wrapper reports one directory left, as a stuck task would make it.
    const { SandboxRuntime } = await import('../../../server/sandbox/runtime.js');
    const stuck = Object.assign(Object.create(kit.driver), { destroy: async (h: Parameters<typeof kit.driver.destroy>[0]) => [...(await kit.driver.destroy(h)), '/sys/fs/cgroup/memory/isoplay/stuck'] });
    const runtime = new SandboxRuntime(kit.config, stuck, kit.driver.layout, kit.factory.instance);
    const first = await runtime.create(runtime.specFor(newSessionId()));
    await first.destroy();
    const next = await runtime.create(runtime.specFor(newSessionId()));
    expect(next.spec.idBase).not.toBe(first.spec.idBase);
    expect(runtime.slotsInUse).toBe(2);
    await next.destroy();
    // And with nothing left behind, a slot is reused.
    const clean = new SandboxRuntime(kit.config, kit.driver, kit.driver.layout, kit.factory.instance);
    const c1 = await clean.create(clean.specFor(newSessionId()));
    await c1.destroy();
    const c2 = await clean.create(clean.specFor(newSessionId()));
    expect(c2.spec.idBase).toBe(c1.spec.idBase);
    await c2.destroy();
  });
});

describe.skipIf(!unifiedInside)(`attack: the cgroup2 freezer (cgroup.freeze)${unifiedInside ? '' : ' (skipped: no cgroup2 hierarchy here)'}`, () => {
  it('processes frozen with cgroup.freeze in a child the learner made: teardown leaves nothing', async () => {
    const sb = await newSandbox(kit);
    const r = await sh(sb, `set -e
      cd ${unifiedInside}
      mkdir ice
      ${HOG}
      echo $! > ice/cgroup.procs
      ${SLEEPER}
      echo $! > ice/cgroup.procs
      sleep 0.5
      echo 1 > ice/cgroup.freeze
      sleep 0.2
      grep frozen ice/cgroup.events`);
    expect(r.stdout.trim(), r.stderr).toBe('frozen 1');
    const pids = pidsInSession(sb.cgroup.dirs);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await sb.destroy();
    await expectGone(sb, pids);
  });
});

describe('attack: DELETE of a frozen session over the API', () => {
  it.skipIf(!hasV1Freezer)(`answers after everything is gone${hasV1Freezer ? '' : ' (skipped: no v1 freezer)'}`, async () => {
    const { startServer, createSession } = await import('../../helpers/server.js');
    const srv = await startServer();
    try {
      const s = await createSession(srv.base);
      const sb = srv.app.registry.get(s.id)!.sandbox!;
      await sh(sb, `mkdir /sys/fs/cgroup/freezer/ice; ${HOG}; echo $! > /sys/fs/cgroup/freezer/ice/cgroup.procs; sleep 0.5; echo FROZEN > /sys/fs/cgroup/freezer/ice/freezer.state`);
      await until(() => fs.readFileSync(`${sb.cgroup.dirs.freezer}/ice/freezer.state`, 'utf8').trim() === 'FROZEN' || undefined, 3000, 'frozen');
      const pids = pidsInSession(sb.cgroup.dirs);
      const d = await fetch(`${srv.base}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
      expect(d.status).toBe(204);
      expect(isoplayCgroupsNamed(s.id)).toEqual([]);
      for (const p of pids) expect(pidAlive(p)).toBe(false);
    } finally {
      await srv.close();
    }
  });
});

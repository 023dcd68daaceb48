// The systemd Delegate=yes path on pure cgroup v2 (inside the VM of scripts/run-in-v2-vm.sh): this
// test's process joins a unit-like cgroup (`ops-delegate.service`, what systemd gives a unit), then
// the real driver with cgroupDelegate on moves it into a leaf, makes isoplay/ under the unit's
// cgroup, and a real server on that driver serves a session whose terminal works (the helper finds
// the init by the cgroup path the server names: the path from the mount, with the unit's prefix).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCgroupDriver, detectCgroups } from '../../server/sandbox/cgroups/index.js';
import { createSession, startServer, testConfig, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';

const mode = detectCgroups(fs.readFileSync('/proc/self/mountinfo', 'utf8')).mode;
const v2 = mode === 'v2';
const why = v2 ? '' : ` (skipped: this host is cgroup ${mode}, not pure v2; run npm run test:v2)`;
const UNIT = '/sys/fs/cgroup/ops-delegate.service';

let srv: TestServer | undefined;
afterAll(async () => {
  await srv?.close();
  if (!v2) return;
  // Back to the root cgroup, and the unit's cgroups away (systemd would remove them at stop).
  fs.writeFileSync('/sys/fs/cgroup/cgroup.procs', String(process.pid));
  for (const d of [`${UNIT}/isoplay`, `${UNIT}/isoplay-server`, UNIT]) {
    try {
      fs.rmdirSync(d);
    } catch {
      /* not made, or a process lingers: the VM is thrown away */
    }
  }
});

describe.skipIf(!v2)(`cgroup v2 delegation (systemd Delegate=yes)${why}`, () => {
  it('moves into a leaf of its own cgroup, makes isoplay/ there, and runs a session', async () => {
    fs.mkdirSync(UNIT, { recursive: true });
    fs.writeFileSync(`${UNIT}/cgroup.procs`, String(process.pid));
    const config = testConfig({ cgroupDelegate: true });
    const driver = await createCgroupDriver(config);
    expect(driver.base).toBe('ops-delegate.service');
    // Every process of the unit is in the leaf; the unit's cgroup itself holds none.
    expect(fs.readFileSync(`${UNIT}/cgroup.procs`, 'utf8').trim()).toBe('');
    expect(fs.readFileSync(`${UNIT}/isoplay-server/cgroup.procs`, 'utf8').trim().split('\n')).toContain(String(process.pid));
    expect(fs.readFileSync(`${UNIT}/cgroup.subtree_control`, 'utf8').trim().split(' ')).toEqual(expect.arrayContaining(['memory', 'pids', 'cpu']));

    srv = await startServer({ cgroupDelegate: true }, { driver });
    expect((await fetch(`${srv.base}/readyz`)).status).toBe(200);
    const s = await createSession(srv.base);
    // The session's cgroup is `isoplay/<instance tag>-<id>` (server/sandbox/instance.ts), under the unit.
    const named = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(`-${s.id}`)) : []);
    expect(named(`${UNIT}/isoplay`)).toHaveLength(1);
    expect(fs.existsSync(`${UNIT}/isoplay/${named(`${UNIT}/isoplay`)[0]}/init`)).toBe(true);
    expect(named('/sys/fs/cgroup/isoplay')).toEqual([]);
    const t = TermClient.for(srv.ws, s);
    await t.open();
    t.type('echo deleg-$((40+2)); cat /proc/self/cgroup\r');
    await t.waitForText(/deleg-42[\s\S]*0::\/init/, 120_000);
    t.close();
    await fetch(`${srv.base}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
    expect(named(`${UNIT}/isoplay`)).toEqual([]);
  }, 300_000);
});

// Attack: end your own sandbox's init, then get a reconnecting terminal (or a check, or a probe)
// to enter whatever process now carries that pid, which a second session's fork loop can arrange.
// What holds now: the session ends when its init exits; and `isoplay-init enter` never reopens a
// pid by number: it opens a pidfd and refuses unless the process still has the recorded start
// time, parent (the monitor) and cgroup, then joins with one setns(pidfd).
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../server/protocol/frames.js';
import { EXIT_STALE } from '../../../server/sandbox/runtime.js';
import { runCommand } from '../../../server/sandbox/exec.js';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { TermClient } from '../../helpers/ws.js';
import { isoplayCgroupsNamed, pidAlive } from '../../helpers/leaks.js';
import { until } from '../../helpers/wait.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv.close());

/** Starts a host process whose pid is `pid` (by steering ns_last_pid); undefined if the race was lost. */
async function occupyPid(pid: number): Promise<ReturnType<typeof spawn> | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const p = spawn('sleep', ['30'], { stdio: 'ignore' });
    if (p.pid === pid) return p;
    p.kill('SIGKILL');
  }
  return undefined;
}

for (const [how, cmd] of [
  ['kill -TERM 1', 'kill -TERM 1'],
  ['reboot(2)', `python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x01234567)'`],
] as const) {
  describe(`attack: end the sandbox's init with ${how}`, () => {
    it('ends the session: the terminal closes with 4002 and says why, nothing of it is left', async () => {
      const s = await createSession(srv.base);
      const t = TermClient.for(srv.ws, s);
      const events = new WebSocket(`${srv.ws}/api/sessions/${s.id}/events?token=${s.token}`);
      const eventsClosed = new Promise<{ code: number; reason: string }>((r) => events.once('close', (code, reason) => r({ code, reason: reason.toString() })));
      await t.open();
      await t.waitForText('# ');
      const initPid = srv.app.registry.get(s.id)!.sandbox!.initPid;
      t.type(`${cmd}\r`);
      await t.waitClosed(10_000);
      expect(t.closed!.code).toBe(CloseCode.expired);
      expect(t.closed!.reason).toMatch(/sandbox ended/);
      // The event socket (the kernel view, the lab panel) is told too, not left open on a dead session.
      expect(await eventsClosed).toEqual({ code: CloseCode.expired, reason: expect.stringMatching(/sandbox ended/) });
      expect(srv.app.registry.get(s.id)).toBeUndefined();
      const r = await fetch(`${srv.base}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
      expect(r.status).toBe(404);
      await until(() => isoplayCgroupsNamed(s.id).length === 0 || undefined, 3000, 'cgroups removed');
      expect(pidAlive(initPid)).toBe(false);
    });
  });
}

describe('attack: re-enter a dead init by its pid, now another process', () => {
  it('a reconnect to the ended session is refused with a close code, never another process\'s namespaces', async () => {
    const s = await createSession(srv.base);
    const sb = srv.app.registry.get(s.id)!.sandbox!;
    const stale = sb.enterCommand(['/bin/sh', '-c', 'hostname; echo ENTERED']);
    const t = TermClient.for(srv.ws, s);
    await t.open();
    await t.waitForText('# ');
    t.type('kill -TERM 1\r');
    await t.waitClosed();
    await sb.exited;
    const squatter = await occupyPid(sb.initPid);
    try {
      expect(squatter?.pid, 'a host process now carries the dead init\'s pid').toBe(sb.initPid);
      const again = TermClient.for(srv.ws, s);
      await again.waitClosed();
      expect(again.closed!.code).toBe(CloseCode.noSuchSession);
      // The helper itself, given the dead init's pid: whether a squatter got the pid or not, it
      // must refuse, naming why, and run nothing.
      const r = await runCommand(stale.file, stale.args, { reject: false, timeoutMs: 5000 });
      expect(r.exitCode).toBe(EXIT_STALE);
      expect(r.stderr).toMatch(/the sandbox is gone/);
      expect(r.stdout).not.toContain('ENTERED');
      expect(r.stderr).toMatch(/start time differs/);
    } finally {
      squatter?.kill('SIGKILL');
    }
  });

  it('refuses a live process that is not the recorded init: wrong start time, parent or cgroup', async () => {
    const s = await createSession(srv.base);
    const sb = srv.app.registry.get(s.id)!.sandbox!;
    const base = sb.enterCommand(['/bin/true']);
    const set = (flag: string, value: string) => base.args.map((a, i) => (base.args[i - 1] === flag ? value : a));
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const cases: [string, string[], RegExp][] = [
        ['wrong start time', set('--start', String(Number(sb.initStart) + 1)), /start time differs/],
        ['a stranger\'s pid with its real start time', set('--pid', String(stranger.pid)).map((a, i, all) => (all[i - 1] === '--start' ? String(fs.readFileSync(`/proc/${stranger.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]) : a)), /parent differs/],
        ['the right pid and start, another cgroup', set('--cgroup', '/isoplay/szzzzzzzzzz'), /not in the session's cgroup/],
        ['a pid that does not exist', set('--pid', '4194303'), /does not exist/],
      ];
      for (const [what, args, why] of cases) {
        const r = await runCommand(base.file, args, { reject: false, timeoutMs: 5000 });
        expect(r.exitCode, what).toBe(EXIT_STALE);
        expect(r.stderr, what).toMatch(why);
      }
      // The unaltered command still enters.
      expect((await runCommand(base.file, base.args, { reject: false, timeoutMs: 5000 })).exitCode).toBe(0);
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

// Attack: reach another learner's terminal through an inherited file descriptor. The server's PTY
// masters are not close-on-exec (node-pty cannot mark them), so before the fix a fresh shell held
// read-write /dev/ptmx fds of every terminal opened before it. What holds now: isoplay-init closes
// every fd above 2 as its first statement, in `create` and in `enter`.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { TermClient } from '../../helpers/ws.js';
import { runScript } from '../../../server/labs/checker.js';
import { pidsInSession } from '../../helpers/leaks.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv.close());

/** fd number -> link target, for every fd of a host pid. */
function fdsOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out[fd] = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Host pids of the processes visible INSIDE the session's sandbox (a pid in its pid namespace). */
function sandboxPids(cgroupDirs: Record<string, string>): number[] {
  return pidsInSession(cgroupDirs).filter((p) => {
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))![1].trim().split(/\s+/);
      return nspid.length > 1; // the host-side helpers have no pid inside
    } catch {
      return false;
    }
  });
}

/** A new session with its shell open at the prompt. */
async function openShell(): Promise<{ s: Awaited<ReturnType<typeof createSession>>; t: TermClient }> {
  const s = await createSession(srv.base);
  const t = TermClient.for(srv.ws, s);
  await t.open();
  await t.waitForText('# ');
  return { s, t };
}

describe('attack: inherited file descriptors', () => {
  it('a new shell holds only 0, 1, 2 (and bash\'s 255), never another terminal\'s PTY master or a server pipe', async () => {
    // Session A's terminal is open before B exists: its master lives in the server.
    const { t: ta } = await openShell();
    const { s: b, t: tb } = await openShell();
    tb.type('echo FDS:$(ls /proc/$$/fd | tr "\\n" " ")\r');
    await tb.waitForText(/FDS:[\d ]+\r\n/);
    const listed = /FDS:([\d ]+)\r\n/.exec(tb.text())![1].trim().split(' ').map(Number);
    // `ls` inside $( ) adds its own fds; bash itself must hold only these.
    const session = srv.app.registry.get(b.id)!;
    const bashPids = sandboxPids(session.sandbox!.cgroup.dirs).filter((p) => fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bash');
    expect(bashPids.length).toBeGreaterThan(0);
    for (const pid of bashPids) expect(Object.keys(fdsOf(pid)).map(Number).sort((x, y) => x - y)).toEqual([0, 1, 2, 255]);
    expect(listed).toEqual(expect.arrayContaining([0, 1, 2, 255]));
    // No process inside B holds a ptmx, or any pipe or socket the server process holds.
    const serverInodes = new Set(Object.values(fdsOf(process.pid)).filter((l) => /^(pipe|socket):/.test(l)));
    for (const pid of sandboxPids(session.sandbox!.cgroup.dirs)) {
      for (const [fd, link] of Object.entries(fdsOf(pid))) {
        expect(link, `pid ${pid} fd ${fd}`).not.toMatch(/ptmx/);
        expect(serverInodes.has(link), `pid ${pid} fd ${fd} is the server's ${link}`).toBe(false);
      }
    }
    ta.close();
    tb.close();
  });

  it('a check and a probe hold only their stdio', async () => {
    const s = await createSession(srv.base);
    const sb = srv.app.registry.get(s.id)!.sandbox!;
    // Listed into a file, not through a pipe: bash holds a pipe's ends while it starts the pipeline,
    // and ls would catch them.
    const check = await runScript(sb, 'ls /proc/$$/fd > /tmp/fds; tr "\\n" " " < /tmp/fds', 5000);
    expect(check.stdout.trim().split(' ').map(Number).filter((n) => n !== 255)).toEqual(expect.arrayContaining([0, 1, 2]));
    // $$ is the script's bash: everything beyond 0-2 (and 255, bash's own) would be inherited.
    expect(check.stdout.trim().split(' ').map(Number).filter((n) => n > 2 && n !== 255)).toEqual([]);
    const probe = await sb.run(['/bin/sh', '-c', 'ls /proc/self/fd | wc -l'], { timeoutMs: 5000 });
    // ls itself opens one fd for the directory it lists: 0, 1, 2 and that one.
    expect(Number(probe.stdout.trim())).toBe(4);
  });

  it('a process in session B cannot write into session A\'s shell through any fd', async () => {
    const { t: ta } = await openShell();
    const { t: tb } = await openShell();
    // The attack as a learner would write it: every inherited fd of this shell, written to by number
    // (reopening /proc/$$/fd/N of a ptmx would make a new pty, not reach the inherited master).
    tb.type(`for f in $(ls /proc/$$/fd); do [ "$f" -gt 2 ] && [ "$f" != 255 ] && printf 'echo PWNED-FROM-B\\r' >&$f 2>/dev/null; done; echo ATTACK-DONE\r`);
    await tb.waitForText(/ATTACK-DONE\r\n/, 20_000);
    ta.type('echo A-ALIVE\r');
    await ta.waitForText('A-ALIVE\r\n');
    expect(ta.text()).not.toContain('PWNED-FROM-B');
    ta.close();
    tb.close();
  });
});

// Attack: see, signal or trace processes of the host, the server or another learner, and read
// another learner's files. What holds: each sandbox's own pid namespace (nothing outside is even
// named), a non-dumpable init whose memory belongs to the host's user namespace, and a private
// tmpfs root per sandbox (no path leads to another one's files).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../../helpers/sandbox.js';

let kit: Kit;
let a: Sandbox;
let b: Sandbox;
beforeAll(async () => {
  kit = await makeKit();
  [a, b] = await Promise.all([newSandbox(kit), newSandbox(kit)]);
  await sh(b, '{ sleep 1000 & } </dev/null >/dev/null 2>&1; echo b-secret > /tmp/secret; echo b-root > /root/secret');
});
afterAll(async () => Promise.all([a?.destroy(), b?.destroy()]));

describe('attack: other processes', () => {
  it('sees only its own processes; the host\'s, the server\'s and the other learner\'s have no pid here', async () => {
    const r = await sh(a, 'ps -eo comm= | sort -u | tr "\\n" " "');
    expect(r.stdout).not.toMatch(/node|sleep|systemd|vitest/);
    const bSleep = Number((await sh(b, 'pgrep -n sleep')).stdout.trim());
    const hostPids = [process.pid, b.initPid, 1];
    const probe = await sh(a, hostPids.map((p) => `kill -0 ${p} 2>/dev/null && echo SIGNAL-${p}; [ -e /proc/${p}/environ ] && cat /proc/${p}/environ >/dev/null 2>&1 && echo READ-${p}`).join('; ') + `; kill -9 ${bSleep} 2>/dev/null && echo KILLED-B; echo done`);
    // pid 1 here is A's own init: signalling it with 0 is allowed and says nothing about the host.
    expect(probe.stdout.replace(/SIGNAL-1\n/, '').trim()).toBe('done');
    expect(fs.existsSync(`/proc/${b.initPid}`)).toBe(true);
  });

  it('cannot trace or join its own init (non-dumpable, its memory owned by the host\'s user namespace)', async () => {
    const r = await sh(a, `python3 -c "import ctypes; print('attach=%d' % ctypes.CDLL(None, use_errno=True).ptrace(16, 1, 0, 0))"; ls /proc/1/fd 2>&1 | head -1; nsenter --target 1 --all true 2>&1 || echo nsenter-refused`);
    expect(r.stdout).toContain('attach=-1');
    expect(r.stdout).toMatch(/Permission denied/);
    expect(r.stdout).toContain('nsenter-refused');
  });
});

describe('attack: other learners\' and the host\'s files', () => {
  it('another learner\'s /tmp and /root are not reachable by any path', async () => {
    const r = await sh(a, `cat /tmp/secret /root/secret 2>&1; for p in /proc/[0-9]*; do cat $p/root/tmp/secret $p/root/root/secret 2>/dev/null; done; find / -xdev -name secret 2>/dev/null; echo done`);
    expect(r.stdout).not.toMatch(/b-secret|b-root/);
    expect(r.stdout.trim().endsWith('done')).toBe(true);
  });

  it('the host\'s own files outside the read-only binds are absent, and the binds refuse writes', async () => {
    const r = await sh(a, 'ls /etc/shadow /home/* /boot /var/lib/dpkg 2>&1 | grep -c "No such file"; touch /usr/bin/isoplay-x 2>&1; echo x > /etc/os-release 2>&1; awk \'{print $5}\' /proc/self/mountinfo | grep -c -e "^/work" -e "^/boot" -e "^/home" || true');
    const lines = r.stdout.trim().split('\n');
    expect(Number(lines[0])).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toMatch(/touch: cannot touch '\/usr\/bin\/isoplay-x': Read-only file system/);
    expect(r.stdout).toMatch(/Read-only file system|Permission denied/);
    expect(lines.at(-1)).toBe('0');
  });
});

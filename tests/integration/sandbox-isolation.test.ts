// The isolation points of issue 4 item 3, on the real kernel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_TOOLS_DIR } from '../../server/sandbox/rootfs/etc-files.js';
import { newSessionId } from '../../server/sessions/session.js';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';

let kit: Kit;
let a: Sandbox;
let b: Sandbox;

beforeAll(async () => {
  kit = await makeKit();
  [a, b] = await Promise.all([newSandbox(kit), newSandbox(kit)]);
});
afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()]);
});

describe('a learner sandbox', () => {
  it('shows only its own processes, and PID 1 is its init', async () => {
    const r = await sh(a, 'ps -eo pid=,comm=');
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['1', 'isoplay-init']);
    expect(rows.length).toBeLessThanOrEqual(4); // init, bash, ps
    expect(r.stdout).not.toMatch(/node|vitest|systemd|sshd/);
  });

  it('changes only its own hostname', async () => {
    const host = os.hostname();
    const r = await sh(a, 'hostname changed-in-a && hostname');
    expect(r.stdout.trim()).toBe('changed-in-a');
    expect(os.hostname()).toBe(host);
    expect((await sh(b, 'hostname')).stdout.trim()).toBe('sandbox');
  });

  it('is root inside while the host sees an unprivileged uid', async () => {
    const inner = await sh(a, 'id -u; id -g');
    expect(inner.stdout.trim().split('\n')).toEqual(['0', '0']);
    const status = fs.readFileSync(`/proc/${a.initPid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    expect(uid).toBe(a.spec.idBase);
    expect(uid).toBeGreaterThanOrEqual(kit.config.uidBase);
  });

  it('binds host paths read-only inside, even from below /tmp (where the new root is staged)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-robind-'));
    fs.writeFileSync(path.join(dir, 'asset'), 'from the host\n');
    fs.chmodSync(dir, 0o777); // so that only the read-only mount can refuse a write
    const sb = await kit.factory.create(kit.factory.specFor(newSessionId(), { extraRoBinds: [`${dir}:/opt/lab-assets`] }));
    try {
      const r = await sh(sb, 'cat /opt/lab-assets/asset; touch /opt/lab-assets/x 2>&1 || echo refused; ls /opt/isoplay');
      expect(r.stdout).toMatch(/^from the host$/m);
      expect(r.stdout).toMatch(/Read-only file system/);
      // The project's own tools dir is bound the same way (the VM lab's isoplay-vm).
      if (fs.existsSync(PROJECT_TOOLS_DIR)) expect(r.stdout).toMatch(/^bin$/m);
    } finally {
      await sb.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs on the host kernel', async () => {
    expect((await sh(a, 'uname -r')).stdout.trim()).toBe(os.release());
  });

  it('has a network namespace with only lo', async () => {
    const r = await sh(a, 'ip -o link show | cut -d: -f2');
    expect(r.stdout.trim().split('\n').map((s) => s.trim())).toEqual(['lo']);
  });

  it('cannot see the other sandbox', async () => {
    await sh(b, 'sleep 300 >/dev/null 2>&1 & echo started');
    const r = await sh(a, 'ps -eo comm=');
    expect(r.stdout).not.toContain('sleep');
    expect(execFileSync('cat', [`/proc/${b.initPid}/status`], { encoding: 'utf8' })).toContain('isoplay-init');
  });

  it('nests every kind of namespace with unshare', async () => {
    const r = await sh(a, 'unshare --user --map-root-user --pid --fork --mount --mount-proc --uts --ipc --net --cgroup sh -c \'hostname nested; hostname; echo $$; id -u; readlink /proc/self/ns/net\'; readlink /proc/self/ns/net');
    expect(r.exitCode, r.stderr).toBe(0);
    const [host, pid, uid, innerNet, outerNet] = r.stdout.trim().split('\n');
    expect([host, pid, uid]).toEqual(['nested', '1', '0']);
    expect(innerNet).not.toBe(outerNet);
  });

  it('builds network namespaces with a veth pair, and ping crosses it', async () => {
    const r = await sh(a, `set -e
      ip netns add isoplay-red; ip netns add isoplay-blue
      ip link add veth-red type veth peer name veth-blue
      ip link set veth-red netns isoplay-red; ip link set veth-blue netns isoplay-blue
      ip netns exec isoplay-red ip addr add 10.77.0.1/24 dev veth-red
      ip netns exec isoplay-blue ip addr add 10.77.0.2/24 dev veth-blue
      ip netns exec isoplay-red ip link set veth-red up; ip netns exec isoplay-blue ip link set veth-blue up
      ip netns exec isoplay-red ping -c 1 -W 2 10.77.0.2 >/dev/null && echo PING-OK`);
    expect(r.stdout + r.stderr).toContain('PING-OK');
  });

  it('refuses the escapes we know of (tests/integration/attacks/ holds one file per attack class)', async () => {
    // Limit files by the host's cgroup mode: a path that does not exist would refuse trivially.
    const [mem, pids] = kit.driver.mode === 'v2' ? ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/pids.max'] : ['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max'];
    const r = await sh(a, `
      [ -e ${mem} ] && [ -e ${pids} ] || echo LIMIT-FILES-MISSING
      mknod /tmp/sda b 8 0 2>/dev/null && echo MKNOD-OK
      echo 9999999999 > ${mem} 2>/dev/null && echo RAISE-OK
      echo 9999 > ${pids} 2>/dev/null && echo PIDS-OK
      kill -0 ${process.pid} 2>/dev/null && echo SEE-SERVER
      [ -e /proc/${process.pid}/status ] && echo PROC-SERVER
      echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo SYSCTL-OK
      date -s 2000-01-01 >/dev/null 2>&1 && echo CLOCK-OK
      ls /sys/fs/cgroup/memory /sys/fs/cgroup 2>/dev/null | grep -q -e isoplay -e process_api -e system.slice && echo SEE-HOST-CGROUPS
      echo done`);
    expect(r.stdout.trim()).toBe('done');
  });

  it('a chroot does not escape the pivoted root', async () => {
    const r = await sh(a, 'ls /.oldroot 2>&1; ls / | tr "\\n" " "; cat /proc/1/mountinfo | wc -l');
    expect(r.stdout).toContain('No such file');
    expect(r.stdout).not.toMatch(/\bwork\b|\bboot\b/);
  });
});

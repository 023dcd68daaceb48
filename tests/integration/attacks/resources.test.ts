// Attack: exhaust a shared resource from one sandbox: processes, memory, the root and /dev/shm,
// inodes, thousands of mounts and network namespaces, CPU, ptys. For each, the test asserts what
// held it (the kernel's own counter or error) and that a second sandbox still answers at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newSessionId } from '../../../server/sessions/session.js';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { isoplayCgroupsNamed, isoplayMounts, isoplayLinks } from '../../helpers/leaks.js';
import { makeKit, newSandbox, sh, type Kit } from '../../helpers/sandbox.js';
import { until } from '../../helpers/wait.js';

let kit: Kit;
let attacker: Sandbox;
let neighbour: Sandbox;
beforeAll(async () => {
  kit = await makeKit({ ptysPerSandbox: 8 });
  neighbour = await newSandbox(kit);
});
afterAll(async () => neighbour?.destroy());
// A fresh attacker for each attack (a fork bomb, for one, never ends by itself); its teardown is
// checked after each.
beforeEach(async () => {
  attacker = await kit.factory.create(kit.factory.specFor(newSessionId(), {
    limits: { ...kit.config.limits, memoryBytes: 96 << 20, pids: 64 },
    rootfsBytes: 32 << 20,
  }));
});
afterEach(async () => {
  const id = attacker.spec.id;
  await attacker.destroy();
  expect(isoplayCgroupsNamed(id)).toEqual([]);
  expect(isoplayMounts()).toEqual([]);
});

async function neighbourAnswers(): Promise<void> {
  const r = await sh(neighbour, 'echo neighbour-ok', 10_000);
  expect(r.stdout.trim()).toBe('neighbour-ok');
}

const memDir = () => attacker.cgroup.dirs.memory ?? attacker.cgroup.dirs.unified;

describe('attack: resource exhaustion from one sandbox', () => {
  it('fork bomb: held at pids.max (the kernel counts refused forks)', async () => {
    void sh(attacker, `bash -c 'bomb() { bomb | bomb & }; bomb' >/dev/null 2>&1`, 20_000);
    const pidsDir = attacker.cgroup.dirs.pids ?? attacker.cgroup.dirs.unified;
    const refused = () => Number(/^max (\d+)/m.exec(fs.readFileSync(path.join(pidsDir, 'pids.events'), 'utf8'))?.[1] ?? 0);
    await until(() => refused() > 0 || undefined, 10_000, 'the kernel refusing the bomb\'s forks at pids.max');
    await neighbourAnswers();
    expect((await kit.driver.stats(attacker.cgroup)).pids.current).toBeLessThanOrEqual(64);
  });

  it('memory hog: held by its memory limit (an OOM kill inside, counted by the kernel)', async () => {
    const r = await sh(attacker, 'head -c 400M /dev/zero | tail > /dev/null; echo "status $?"');
    expect(r.stdout).toMatch(/status (137|141)/);
    await neighbourAnswers();
    expect((await kit.driver.stats(attacker.cgroup)).oomKills).toBeGreaterThan(0);
  });

  it('filling the root and /dev/shm: held by their sizes (ENOSPC), not by the host\'s disk', async () => {
    const r = await sh(attacker, 'dd if=/dev/zero of=/big bs=1M count=64 2>&1 | grep -i space; dd if=/dev/zero of=/dev/shm/big bs=1M count=64 2>&1 | grep -i space; df -m / /dev/shm | tail -2 | awk "{print \\$2}"; rm -f /big /dev/shm/big');
    expect(r.stdout.match(/No space left on device/g)?.length).toBe(2);
    expect(r.stdout.trim().split('\n').slice(-2).map(Number)).toEqual([32, 16]);
    await neighbourAnswers();
  });

  it('inodes: held by each tmpfs\'s own inode count', async () => {
    const r = await sh(attacker, 'cd /dev/shm && python3 -c "\nimport os\nn = 0\ntry:\n    while n < 100000:\n        open(str(n), \'w\').close(); n += 1\nexcept OSError as e:\n    print(n, e.strerror)"; rm -rf /dev/shm/*', 60_000);
    const [n, ...why] = r.stdout.trim().split(' ');
    expect(Number(n)).toBeLessThan(4096);
    expect(Number(n)).toBeGreaterThan(4000);
    expect(why.join(' ')).toBe('No space left on device');
    await neighbourAnswers();
  });

  it('two thousand mounts and two hundred network namespaces: charged to the sandbox, gone with it', async () => {
    // One process makes them all (a mount(2) and an unshare(2) each, no fork of mount or ip per item).
    const r = await sh(attacker, `python3 - <<'PY'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
os.makedirs("/mnt/m", exist_ok=True)
n = 0
while n < 2000 and libc.mount(b"isoplay-attack", b"/mnt/m", b"tmpfs", 0, b"size=4k") == 0:
    n += 1
os.makedirs("/run/netns", exist_ok=True)
k = 0
for i in range(200):
    r, w = os.pipe(); r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        libc.unshare(0x40000000); os.write(w, b"1"); os.read(r2, 1); os._exit(0)
    os.read(r, 1)
    f = "/run/netns/isoplay-ns%d" % i
    open(f, "w").close()
    ok = libc.mount(("/proc/%d/ns/net" % pid).encode(), f.encode(), None, 4096, None) == 0
    os.write(w2, b"1"); os.waitpid(pid, 0)
    for fd in (r, w, r2, w2): os.close(fd)
    if not ok:
        break
    k += 1
print(n, k)
PY
ip netns | wc -l`, 120_000);
    const [counts, listed] = r.stdout.trim().split('\n');
    expect(counts, r.stderr).toBe('2000 200');
    expect(Number(listed)).toBe(200); // ip netns sees them: they are real, named network namespaces
    await neighbourAnswers();
    // None of it is the host's: its mount table and its namespaces do not show them.
    expect(isoplayMounts().filter((l) => l.includes('isoplay-attack'))).toEqual([]);
    expect(isoplayLinks()).not.toContain('isoplay-ns');
  });

  it('CPU burners: held by the quota (throttled time grows) while the neighbour answers', async () => {
    await sh(attacker, 'for i in 1 2 3 4; do { timeout 3 sh -c "while :; do :; done" & } </dev/null >/dev/null 2>&1; done; true');
    await new Promise((r) => setTimeout(r, 500));
    await neighbourAnswers();
    await new Promise((r) => setTimeout(r, 1500));
    const st = await kit.driver.stats(attacker.cgroup);
    expect(st.cpu.throttledUsec).toBeGreaterThan(0);
  });

  it('ptys: held by the sandbox\'s own devpts (max=)', async () => {
    const r = await sh(attacker, 'python3 -c "\nimport os\nfds = []\ntry:\n    while len(fds) < 1000: fds += os.openpty()\nexcept OSError as e:\n    print(len(fds) // 2, e.strerror)"');
    const [n, ...why] = r.stdout.trim().split(' ');
    expect(Number(n)).toBe(kit.config.ptysPerSandbox);
    expect(why.join(' ')).toMatch(/No space left on device|No such file|Input\/output error/);
    await neighbourAnswers();
  });
});

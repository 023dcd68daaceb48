// Known cheats against the labs' checks, performed for real in sandboxes. Each fooled a check that
// judged from inside the sandbox; the kernel checks read the host's side (its /proc, the session's
// cgroup directories, the host's own binaries), so each cheat must now FAIL its check with the
// reason id the lab declares for it, and the honest solve must still PASS.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab, solveTimeoutMs, stepEnv, vmUnavailable, type Lab } from '../../server/labs/catalog.js';
import { runCheck, runScript, type CheckOutcome } from '../../server/labs/checker.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';

const vmMissing = vmUnavailable();
let kit: Kit;
const sandboxes: Sandbox[] = [];
beforeAll(async () => {
  kit = await makeKit();
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.destroy()));
});

const labOf = (id: string): Lab => loadLab(fileURLToPath(new URL(`../../labs/${id}`, import.meta.url)), { cgroupMode: kit.driver.mode, vmMissing });

async function fresh(): Promise<Sandbox> {
  const sb = await newSandbox(kit);
  sandboxes.push(sb);
  return sb;
}

/** Step n's (1-based) check, as the server runs it: its script, reasons and view. */
function check(sb: Sandbox, lab: Lab, n: number): Promise<CheckOutcome> {
  const s = lab.steps[n - 1];
  return runCheck(sb, s.checkScript, kit.config.checkTimeoutMs, stepEnv(lab, n - 1), s.failures, s.checkKind === 'file' ? 'sandbox' : 'kernel');
}

/** Step n's solve, run inside as the learner would; it must succeed. */
async function solve(sb: Sandbox, lab: Lab, n: number): Promise<void> {
  const s = lab.steps[n - 1];
  const r = await runScript(sb, s.solveScript, solveTimeoutMs(s, kit.config.checkTimeoutMs), stepEnv(lab, n - 1));
  expect(r.exitCode, `solve of step ${n}: ${r.stderr}`).toBe(0);
}

/** A learner's command inside the sandbox (the cheat itself); it must succeed. */
async function inside(sb: Sandbox, script: string, timeoutMs = 20_000): Promise<string> {
  const r = await sh(sb, script, timeoutMs);
  expect(r.exitCode, `${script}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function expectFails(sb: Sandbox, lab: Lab, n: number, reason: string): Promise<void> {
  const r = await check(sb, lab, n);
  expect(r, `step ${n} of ${lab.id}`).toMatchObject({ status: 'failed', reason });
  expect(Object.keys(lab.steps[n - 1].failures)).toContain(reason);
}

async function expectPasses(sb: Sandbox, lab: Lab, n: number): Promise<string> {
  const r = await check(sb, lab, n);
  expect(r, `step ${n} of ${lab.id}`).toMatchObject({ status: 'passed' });
  return r.message;
}

describe('first-namespace', () => {
  it('step 1: a fake hostname program bound over /usr/bin/hostname fools the sandbox, not the check', async () => {
    const lab = labOf('first-namespace');
    const sb = await fresh();
    const shown = await inside(
      sb,
      "mkdir -p /root/fake && printf '#!/bin/sh\\necho my-box\\n' > /root/fake/hostname && chmod +x /root/fake/hostname && mount --bind /root/fake/hostname /usr/bin/hostname && echo my-box > /etc/hostname && hostname",
    );
    expect(shown.trim()).toBe('my-box'); // the cheat works inside...
    expect((await inside(sb, 'cat /proc/sys/kernel/hostname')).trim()).toBe('sandbox'); // ...the kernel's name is unchanged
    await expectFails(sb, lab, 1, 'hostname-unchanged');

    await inside(sb, 'umount /usr/bin/hostname');
    await solve(sb, lab, 1);
    expect(await expectPasses(sb, lab, 1)).toContain('"my-box"');
  });

  it('steps 2 and 3: a fake nsenter, or a fake /proc, is not a namespace', async () => {
    const lab = labOf('first-namespace');
    const sb = await fresh();
    await solve(sb, lab, 1);
    // A new UTS namespace that kept the sandbox's name, and an nsenter inside that says "inner".
    await inside(
      sb,
      "unshare --uts sleep 1000 >/dev/null 2>&1 & printf '#!/bin/sh\\necho inner\\n' > /root/nsenter && chmod +x /root/nsenter && mount --bind /root/nsenter /usr/bin/nsenter && nsenter -t $! -u hostname | grep -qx inner",
    );
    await expectFails(sb, lab, 2, 'same-hostname');
    await inside(sb, 'umount /usr/bin/nsenter');
    await solve(sb, lab, 2);
    expect(await expectPasses(sb, lab, 2)).toContain('"inner"');

    // A /proc of the learner's own making, where a process claims two pids.
    await inside(sb, 'mount -t tmpfs none /proc && mkdir -p /proc/77 && printf "Name:\\tbash\\nNSpid:\\t77\\t1\\n" > /proc/77/status && grep -q NSpid /proc/77/status');
    await expectFails(sb, lab, 3, 'no-pid-namespace');
    await inside(sb, 'umount /proc');
    await solve(sb, lab, 3);
    expect(await expectPasses(sb, lab, 3)).toMatch(/is PID 1 in a PID namespace of its own/);
  });
});

describe('mount-rootfs', () => {
  it('step 2: the sandbox\'s own internet (a shared /run/netns) seen from a second mount namespace is not the learner\'s shared mount', async () => {
    const lab = labOf('mount-rootfs');
    const sb = await kit.factory.create(kit.factory.specFor(`lc${Date.now().toString(36)}`, { world: true }));
    sandboxes.push(sb);
    await inside(sb, 'grep -q " /run/netns .*shared:" /proc/self/mountinfo'); // ip netns add made it shared
    await inside(sb, '{ setsid unshare --mount --propagation unchanged sleep 1000 & } </dev/null >/dev/null 2>&1; sleep 0.3');
    // Old check: passed here ("/run/netns is the same shared mount … /run/netns/world is in both").
    await expectFails(sb, lab, 2, 'no-shared-mount');
    await inside(sb, 'mkdir -p /mnt/share && mount -t tmpfs share /mnt/share && mount --make-shared /mnt/share');
    await expectFails(sb, lab, 2, 'no-peer');
  });
});

describe('cgroup-memory', () => {
  it('a tmpfs or a fake file over the cgroup fakes neither the limit nor the OOM count', async () => {
    const lab = labOf('cgroup-memory');
    expect(lab.available, lab.reason).toBe(true);
    const v1 = kit.driver.mode === 'v1';
    const demo = v1 ? '/sys/fs/cgroup/memory/demo' : '/sys/fs/cgroup/demo';
    const limitFile = v1 ? 'memory.limit_in_bytes' : 'memory.max';
    const oomFile = v1 ? 'memory.oom_control' : 'memory.events';
    const fakeOom = v1 ? 'oom_kill_disable 0\\nunder_oom 0\\noom_kill 3\\n' : 'low 0\\nhigh 0\\nmax 9\\noom 3\\noom_kill 3\\n';
    const sb = await fresh();
    await expectFails(sb, lab, 1, 'no-demo-cgroup');
    await solve(sb, lab, 1);
    await expectPasses(sb, lab, 1);

    // A tmpfs over demo, holding a 20 MiB "limit" and three "OOM kills".
    const tmpfsCheat = `mount -t tmpfs none ${demo} && echo 20971520 > ${demo}/${limitFile} && printf '${fakeOom}' > ${demo}/${oomFile} && grep -qx 'oom_kill 3' ${demo}/${oomFile}`;
    await inside(sb, tmpfsCheat);
    await expectFails(sb, lab, 2, 'no-limit');
    await inside(sb, `umount ${demo}`);
    await solve(sb, lab, 2);
    await expectPasses(sb, lab, 2);

    await inside(sb, tmpfsCheat);
    await expectFails(sb, lab, 3, 'no-oom-kill');
    await inside(sb, `umount ${demo}`);
    // A fake count bound over the one file.
    await inside(sb, `printf '${fakeOom}' > /root/fake-oom && mount --bind /root/fake-oom ${demo}/${oomFile} && grep -qx 'oom_kill 3' ${demo}/${oomFile}`);
    await expectFails(sb, lab, 3, 'no-oom-kill');
    await inside(sb, `umount ${demo}/${oomFile}`);

    await solve(sb, lab, 3);
    expect(await expectPasses(sb, lab, 3)).toMatch(/OOM killer struck [1-9][0-9]* time/);
  }, 90_000);
});

describe('containers-vs-vms', () => {
  const fakeId = '12345678-1234-4234-8234-123456789abc';
  const fakeReport = `{"release":"6.1.0-fake","bootId":"${fakeId}","uptimeSec":1.2,"memTotalKb":90000}`;

  it('report files written by hand, without a qemu (or with sleep renamed to qemu), pass no step', async () => {
    const lab = labOf('containers-vs-vms');
    const sb = await fresh();
    await inside(sb, `mkdir -p /run/isoplay-vm && echo '${fakeReport}' > /run/isoplay-vm/vm-1.json && date +%s%N > /run/isoplay-vm/vm-1.start && echo ${fakeId} > /root/vm-boot-id`);
    await expectFails(sb, lab, 1, 'no-vm');
    await expectFails(sb, lab, 2, 'no-vm');
    // A process that is only called qemu-system-x86_64.
    await inside(sb, 'cp /bin/sleep /tmp/qemu-system-x86_64 && { /tmp/qemu-system-x86_64 1000 & } >/dev/null 2>&1; sleep 0.3; pgrep -x qemu-system-x86 >/dev/null');
    await expectFails(sb, lab, 1, 'fake-qemu');
    await expectFails(sb, lab, 2, 'no-vm');
    await expectFails(sb, lab, 4, 'no-vm');
    await expectPasses(sb, lab, 5); // and no VM is running, whatever the name says
  });

  it.skipIf(!!vmMissing)(`with a real VM, reports written by hand pass neither step 2 nor step 4 (the same image on two kernels)${vmMissing ? ` (skipped: ${vmMissing})` : ''}`, async () => {
    const lab = labOf('containers-vs-vms');
    const sb = await fresh();
    await expectFails(sb, lab, 1, 'no-vm');
    await solve(sb, lab, 1); // boots the VM and waits for its guest's report
    expect(await expectPasses(sb, lab, 1)).toMatch(/A virtual machine runs/);
    await expectFails(sb, lab, 2, 'no-answer');
    await inside(sb, `echo '${fakeReport}' > /run/isoplay-vm/vm-999.json && echo ${fakeId} > /root/vm-boot-id`);
    await expectFails(sb, lab, 2, 'wrong-boot-id');
    await inside(sb, 'cat /proc/sys/kernel/random/boot_id > /root/vm-boot-id');
    await expectFails(sb, lab, 2, 'container-boot-id');
    await inside(sb, 'rm /run/isoplay-vm/vm-999.json /root/vm-boot-id');
    await solve(sb, lab, 2);
    expect(await expectPasses(sb, lab, 2)).toMatch(/^Two kernels/);
    // Step 4, the same image on two kernels. A report of the VM's image written by hand, and a
    // container running from a root of its own: the VM never read its disk.
    const sum = (await inside(sb, 'sha256sum /images/busybox/bin/busybox')).slice(0, 64);
    await inside(sb, `echo '{"images":[{"root":"/img","sha256":"${sum}"}],"vdaReadSectors":9999}' > /run/isoplay-vm/vm-999.images`);
    await inside(sb, 'mkdir -p /tmp/fake/bin && cp /bin/busybox /tmp/fake/bin/ && { setsid chroot /tmp/fake /bin/busybox sleep 1000 & } </dev/null >/dev/null 2>&1');
    await expectFails(sb, lab, 4, 'vm-disk-not-read');
    // The VM unpacks its disk, but nothing runs from it there yet.
    await inside(sb, 'pkill -x busybox; echo "mkdir -p /img && tar -xf /dev/vda -C /img" > /tmp/isoplay-vm.in');
    await inside(sb, 'for i in $(seq 1 300); do grep -qE "vdaReadSectors.:([2-9][0-9]{3}|[1-9][0-9]{4,})" $(ls /run/isoplay-vm/vm-*.images | grep -v 999) && exit 0; sleep 0.2; done; cat /run/isoplay-vm/vm-*.images; exit 1', 70_000);
    await expectFails(sb, lab, 4, 'no-image-in-vm');
    // The image runs in the VM; the container runs nothing from it.
    await inside(sb, 'echo "chroot /img /bin/sleep 1000 &" > /tmp/isoplay-vm.in');
    await inside(sb, 'for i in $(seq 1 300); do grep -q sha256 $(ls /run/isoplay-vm/vm-*.images | grep -v 999) && exit 0; sleep 0.2; done; exit 1', 70_000);
    await expectFails(sb, lab, 4, 'no-image-in-container');
    // A program from another root (the Debian image): not the program the VM runs.
    await inside(sb, '{ setsid chroot /images/debian /bin/sleep 1000 & } </dev/null >/dev/null 2>&1; sleep 0.3');
    await expectFails(sb, lab, 4, 'different-programs');
    await inside(sb, 'mkdir -p /tmp/img && tar -xf /images/busybox.tar -C /tmp/img && { setsid chroot /tmp/img /bin/sleep 1000 & } </dev/null >/dev/null 2>&1; sleep 0.3');
    expect(await expectPasses(sb, lab, 4)).toMatch(/^The same image, unchanged, runs on two kernels: .*6\.1[0-9.]*-.*amd64/);
    await expectFails(sb, lab, 5, 'vm-running');
    await solve(sb, lab, 5);
    await expectPasses(sb, lab, 5);
  }, 300_000);
});

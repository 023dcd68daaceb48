// Attack: mount the host's disk, make /usr writable, unmount a bind to look beneath it, write the
// kernel's knobs through a fresh proc or sysfs, make or open device nodes. What holds: the root is
// built by host root and reaches the sandbox locked (read-only stays read-only, nothing can be
// unmounted), the sandbox's mounts are nodev, mknod needs the host's CAP_MKNOD, block filesystems
// mount only for the host's root, and /proc/sys and sysfs files belong to the host's root.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSessionId } from '../../../server/sessions/session.js';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../../helpers/sandbox.js';

/** The block device the host's / lives on, if it is one (a container's overlay root is not). */
function hostRootDevice(): string | undefined {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right || left.split(' ')[4] !== '/') continue;
    const src = right.split(' ')[1];
    if (src?.startsWith('/dev/') && fs.existsSync(src) && fs.statSync(src).isBlockDevice()) return src;
  }
  return undefined;
}

let kit: Kit;
let sb: Sandbox;
const disk = hostRootDevice();
beforeAll(async () => {
  kit = await makeKit();
  // The worst case: the host's disk node itself placed inside (read-only bind, nodev).
  sb = await kit.factory.create(kit.factory.specFor(newSessionId(), disk ? { extraRoBinds: [`${disk}:/hostdisk`] } : {}));
});
afterAll(async () => sb?.destroy());

describe('attack: mounts', () => {
  it.skipIf(!disk)(`cannot mount the host's disk even when its device node is inside${disk ? '' : ' (skipped: the host\'s / is not on a block device here)'}`, async () => {
    const r = await sh(sb, 'ls -l /hostdisk | cut -c1; mkdir -p /mnt/d; mount /hostdisk /mnt/d 2>&1; mount -t ext4 /hostdisk /mnt/d 2>&1; ls /mnt/d | wc -l; dd if=/hostdisk of=/dev/null bs=512 count=1 2>&1 | tail -1');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('b'); // the node is really there: the refusal below is not trivial
    expect(r.stdout).toMatch(/permission denied|Permission denied|not permitted/);
    expect(r.stdout).not.toMatch(/^lost\+found$/m);
    expect(r.stdout).toMatch(/Permission denied/); // dd: nodev refuses the open
  });

  it('cannot make /usr writable, unmount it, or resize its root: they came locked from host root', async () => {
    const r = await sh(sb, `mount -o remount,bind,rw /usr 2>/dev/null && echo USR-RW
      umount /usr 2>/dev/null && echo USR-UNMOUNTED
      umount -l /etc/os-release 2>/dev/null && echo BIND-UNMOUNTED
      mount -o remount,size=8g / 2>/dev/null && echo ROOT-RESIZED
      mount -o remount,size=1g /dev/shm 2>/dev/null && echo SHM-RESIZED
      touch /usr/isoplay-x 2>/dev/null && echo USR-WRITTEN
      grep -c " /usr .* ro," /proc/self/mountinfo`);
    expect(r.stdout.trim()).toBe('1');
  });

  it('a fresh proc and sysfs give no write to the host\'s kernel knobs', async () => {
    const r = await sh(sb, `mkdir -p /mnt/p /mnt/s; mount -t proc proc /mnt/p && echo proc-mounted
      echo '|/tmp/x' > /mnt/p/sys/kernel/core_pattern 2>/dev/null && echo CORE-PATTERN
      echo b > /mnt/p/sysrq-trigger 2>/dev/null && echo SYSRQ
      echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo SYSCTL
      echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo DROP-CACHES
      mount -t sysfs sysfs /mnt/s 2>/dev/null; echo 1 > /mnt/s/kernel/mm/ksm/run 2>/dev/null && echo KSM
      echo 1 > /sys/kernel/mm/transparent_hugepage/khugepaged/defrag 2>/dev/null && echo THP
      cat /proc/sys/kernel/core_pattern | head -c 40; echo`);
    expect(r.stdout).toContain('proc-mounted');
    expect(r.stdout).not.toMatch(/CORE-PATTERN|SYSRQ|SYSCTL|DROP-CACHES|KSM|THP/);
    expect(fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).not.toContain('/tmp/x');
  });
});

describe('attack: devices', () => {
  it('mknod is refused, and /dev holds only the harmless nodes', async () => {
    const r = await sh(sb, `mknod /tmp/mem c 1 1 2>&1; mknod /tmp/sda b 8 0 2>&1; ls /dev | tr "\\n" " "; echo
      ls -l /dev/kvm /dev/mem /dev/kmsg /dev/vda /dev/sda 2>&1 | grep -c "No such file"
      mount -t devtmpfs none /mnt 2>/dev/null && echo DEVTMPFS`);
    expect(r.stdout.match(/Operation not permitted/g)?.length).toBe(2);
    const dev = r.stdout.split('\n')[2].trim().split(' ').sort();
    expect(dev).toEqual(['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    expect(r.stdout.split('\n')[3].trim()).toBe('5');
    expect(r.stdout).not.toContain('DEVTMPFS');
  });

  it('a device node bound in from the host cannot be opened (nodev), even as root inside', async (ctx) => {
    if (!disk) ctx.skip('skipped: no host block device here');
    const r = await sh(sb, 'head -c 1 /hostdisk >/dev/null 2>&1 && echo READ-DISK || echo refused');
    expect(r.stdout.trim()).toBe('refused');
  });
});

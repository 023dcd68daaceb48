// The sandbox's root filesystem as data: one pure function from the spec and a few host facts to
// the ordered list of root operations isoplay-init executes (server/sandbox/init/ops.ts).
// What the root holds, and why, is all here; the C helper only checks and performs each step.
import type { SandboxSpec } from '../spec.js';
import type { MountFlag, RootOp } from '../init/ops.js';
import { IMAGES, IMAGES_DIR, IMAGES_INSIDE, PROJECT_TOOLS_DIR, PROJECT_TOOLS_INSIDE, RO_BINDS, UNMAPPED_SHADOW, etcFiles } from './etc-files.js';

/** Host facts the layout depends on (read by the runtime, passed in so the layout stays pure). */
export interface LayoutFacts {
  /** Which merged-usr links the host has at / (bin, sbin, lib, lib64, lib32): each becomes `usr/X`. */
  mergedUsr: string[];
  /** `TYPE:OPTIONS:NAME` per cgroup hierarchy mounted under /sys/fs/cgroup ('.' = /sys/fs/cgroup itself). */
  cgroupMounts: string[];
  /** Ptys the sandbox's own devpts may hold (its `max=`): the kernel's pty count is shared host-wide. */
  ptyMax: number;
}

const SAFE: MountFlag[] = ['nosuid', 'nodev'];
const SAFE_NOEXEC: MountFlag[] = ['nosuid', 'nodev', 'noexec'];

/** Directories of the new root, created on its tmpfs before anything is mounted on them. */
const DIRS: [string, number][] = [
  ['/usr', 0o755], ['/etc', 0o755], ['/dev', 0o755], ['/proc', 0o755], ['/sys', 0o755], ['/tmp', 0o1777],
  ['/run', 0o755], ['/run/netns', 0o755], ['/run/.isoplay-sys', 0o755], ['/root', 0o700], ['/home', 0o755],
  ['/var', 0o755], ['/var/tmp', 0o1777], ['/var/lib', 0o755], ['/mnt', 0o755], ['/opt', 0o755], ['/srv', 0o755],
];

/** Harmless character devices bound from the host (mknod is refused in a user namespace). */
export const DEV_BINDS = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;

export function buildRootLayout(spec: SandboxSpec, facts: LayoutFacts): RootOp[] {
  // One inode per KiB of the root: a learner making empty files hits a limit of its own, quickly.
  const ops: RootOp[] = [{ op: 'root-tmpfs', bytes: spec.rootfsBytes, inodes: Math.max(1024, Math.floor(spec.rootfsBytes / 1024)) }];
  for (const [path, mode] of DIRS) ops.push({ op: 'dir', path, mode });

  // The host's /usr, read-only: util-linux, iproute2, procps, cgroup-tools are the real ones.
  ops.push({ op: 'ro-bind', src: '/usr', dest: '/usr', optional: false });
  for (const l of facts.mergedUsr) ops.push({ op: 'symlink', target: `usr/${l}`, path: `/${l}` });
  ops.push({ op: 'symlink', target: '../run', path: '/var/run' });

  for (const p of RO_BINDS) ops.push({ op: 'ro-bind', src: p, dest: p, optional: true });
  ops.push({ op: 'ro-bind', src: PROJECT_TOOLS_DIR, dest: PROJECT_TOOLS_INSIDE, optional: true });
  // Root filesystems to enter offline (chroot, unshare --root, pivot_root, overlayfs layers), bound,
  // never copied: the writable root is small and charged to the sandbox.
  ops.push({ op: 'dir', path: IMAGES_INSIDE, mode: 0o755 });
  for (const name of IMAGES) ops.push({ op: 'image-bind', src: `${IMAGES_DIR}/${name}`, dest: `${IMAGES_INSIDE}/${name}` });
  for (const b of spec.extraRoBinds ?? []) {
    const colon = b.indexOf(':');
    ops.push({ op: 'ro-bind', src: colon < 0 ? b : b.slice(0, colon), dest: colon < 0 ? b : b.slice(colon + 1), optional: false });
  }
  for (const [path, content] of Object.entries(etcFiles(spec.hostname))) ops.push({ op: 'file', path, mode: 0o644, content });
  // Owned by a host uid the sandbox does not map: "root, yet EACCES" (the user namespaces lab).
  ops.push({ op: 'ro-bind', src: `${IMAGES_DIR}/${UNMAPPED_SHADOW}`, dest: '/etc/shadow', optional: true });

  // /dev: a small tmpfs of binds and a devpts instance of the sandbox's own, with a pty cap.
  ops.push({ op: 'tmpfs', path: '/dev', flags: ['nosuid', 'noexec'], options: 'mode=0755,size=1m,nr_inodes=256' });
  for (const d of DEV_BINDS) ops.push({ op: 'dev-bind', name: d });
  for (const [target, name] of [['pts/ptmx', 'ptmx'], ['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr']]) {
    ops.push({ op: 'symlink', target, path: `/dev/${name}` });
  }
  ops.push({ op: 'dir', path: '/dev/shm', mode: 0o1777 });
  ops.push({ op: 'tmpfs', path: '/dev/shm', flags: SAFE, options: 'mode=1777,size=16m,nr_inodes=4096' });
  ops.push({ op: 'dir', path: '/dev/pts', mode: 0o755 });
  // From here on the operations need the sandbox's own namespaces (isoplay-init's phase B): its
  // devpts, and below its proc, sysfs and cgroup views. Everything above is made by host root and
  // reaches the sandbox locked: the learner's root cannot remount or unmount it.
  ops.push({ op: 'devpts', path: '/dev/pts', options: `newinstance,ptmxmode=0666,mode=0620,max=${facts.ptyMax}` });

  // Its own /proc (new pid namespace); a fresh sysfs of its own netns, read-write on purpose: the
  // kernel lets `ip netns exec` mount a new sysfs only if a visible one is at least as permissive
  // (sysfs files stay owned by host root, so nothing inside can write them); and a spare sysfs, so
  // that one stays unobscured when `ip netns exec` mounts over /sys.
  ops.push({ op: 'proc', path: '/proc' });
  ops.push({ op: 'sysfs', path: '/sys' });
  ops.push({ op: 'sysfs', path: '/run/.isoplay-sys' });

  // /sys/fs/cgroup: every hierarchy the host mounts, each rooted at this session (cgroup namespace).
  let cgTmpfs = false;
  for (const m of facts.cgroupMounts) {
    const [type, options, name] = m.split(':');
    if (name === '.') {
      ops.push({ op: 'cgroup', path: '/sys/fs/cgroup', type: type as 'cgroup' | 'cgroup2', options });
      continue;
    }
    if (!cgTmpfs) {
      ops.push({ op: 'tmpfs', path: '/sys/fs/cgroup', flags: SAFE_NOEXEC, options: 'mode=0755,size=64k,nr_inodes=64' });
      cgTmpfs = true;
    }
    ops.push({ op: 'dir', path: `/sys/fs/cgroup/${name}`, mode: 0o755 });
    ops.push({ op: 'cgroup', path: `/sys/fs/cgroup/${name}`, type: type as 'cgroup' | 'cgroup2', options });
  }
  if (cgTmpfs) ops.push({ op: 'remount', path: '/sys/fs/cgroup', flags: ['ro', ...SAFE_NOEXEC], options: 'mode=0755,size=64k,nr_inodes=64' });

  // pivot_root, never chroot: root in a user namespace escapes a chroot.
  ops.push({ op: 'pivot-root' });
  return ops;
}

// cgroup v2 under systemd with `Delegate=yes` (deploy/isoplay.service): systemd hands the unit's own
// cgroup (e.g. /sys/fs/cgroup/system.slice/isoplay.service) to the server. The no-internal-process
// rule forbids enabling controllers for children of a cgroup that still holds processes, so the
// server first moves every process of the unit (the tsx launcher and itself) into a leaf
// `<own>/<prefix>-server`, then enables +memory +pids +cpu in `<own>/cgroup.subtree_control`; the
// driver then makes `<own>/<prefix>/` for the sandboxes, exactly as it makes `/sys/fs/cgroup/<prefix>/`
// when the server is started by hand (cgroupDelegate off, the default).
import fs from 'node:fs';
import path from 'node:path';
import { IsoplayError } from '../../errors.js';

const NEEDED = ['memory', 'pids', 'cpu'];

export interface Delegation {
  /** The delegated cgroup: the driver's root, where `<prefix>/` is made. */
  root: string;
  /** The leaf the server's processes now run in. */
  leaf: string;
}

/** The initial cgroup namespace's inode number (PROC_CGROUP_INIT_INO in the kernel). */
const INIT_CGROUP_NS = 0xeffffffb;

function ownCgroupNamespace(): boolean {
  try {
    return /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/cgroup'))?.[1] !== String(INIT_CGROUP_NS);
  } catch {
    return false;
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Moves the server into a leaf of its own delegated cgroup and enables the controllers the sandboxes
 * need there. `procSelfCgroup` is the text of /proc/self/cgroup (its `0::/path` line).
 */
export function enterDelegatedCgroup(mountPoint: string, procSelfCgroup: string, prefix: string, reserveBytes: number): Delegation {
  const fail = (detail: string) => new IsoplayError('ISOPLAY_ERR_HOST_UNSUPPORTED', { detail: `cgroupDelegate is on, but ${detail}` });
  const rel = /^0::(\/.*)$/m.exec(procSelfCgroup)?.[1];
  if (!rel) throw fail('this process has no cgroup v2 line in /proc/self/cgroup');
  const own = path.join(mountPoint, rel);
  const leaf = path.join(own, `${prefix}-server`);
  // Restarted in place (Restart=on-failure keeps the cgroup): already in our leaf.
  if (path.basename(own) === `${prefix}-server`) return { root: path.dirname(own), leaf: own };
  // "/" is the host's root cgroup, unless this process has a cgroup namespace of its own (a
  // Kubernetes pod's container): then "/" is the container's cgroup, delegated to it.
  if (rel === '/' && !ownCgroupNamespace()) throw fail('the server runs in the root cgroup: start it from its systemd unit (Delegate=yes), or turn cgroupDelegate off');
  const available = read(path.join(own, 'cgroup.controllers')).trim().split(/\s+/);
  const missing = NEEDED.filter((c) => !available.includes(c));
  if (missing.length) throw fail(`${own} is not delegated the ${missing.join(', ')} controller(s): set Delegate=yes in the unit`);
  try {
    fs.mkdirSync(leaf);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`${leaf} cannot be made: ${(e as Error).message}`);
  }
  for (const pid of read(path.join(own, 'cgroup.procs')).split('\n').filter(Boolean)) {
    try {
      fs.writeFileSync(path.join(leaf, 'cgroup.procs'), pid);
    } catch (e) {
      // A process that exited meanwhile (ESRCH) is no longer in the way.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw fail(`process ${pid} cannot be moved into ${leaf}: ${(e as Error).message}`);
    }
  }
  const enabled = read(path.join(own, 'cgroup.subtree_control')).trim().split(/\s+/);
  const toEnable = NEEDED.filter((c) => !enabled.includes(c));
  if (toEnable.length) fs.writeFileSync(path.join(own, 'cgroup.subtree_control'), toEnable.map((c) => `+${c}`).join(' '));
  // The server's leaf beside the sandboxes' parent: ten times a sandbox's CPU weight and a memory
  // protection, as placeServer() gives it when started by hand.
  for (const [file, value] of [['cpu.weight', '1000'], ['memory.low', String(reserveBytes)]]) {
    try {
      fs.writeFileSync(path.join(leaf, file), value);
    } catch {
      /* a kernel without the file: the server runs unprotected, as before */
    }
  }
  return { root: own, leaf };
}

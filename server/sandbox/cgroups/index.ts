// Picks the cgroup driver for this host: v2 on pure-v2 hosts, v1 on v1 and hybrid hosts (where
// memory, pids and cpu live on v1). Callers never ask which kernel they are on.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parentLimitsOf, type Config, type SandboxLimits } from '../../config.js';
import type { CgroupDriver, ParentLimits } from './driver.js';
import { type CgroupLayout, detectCgroups } from './detect.js';
import { CgroupV1Driver } from './v1.js';
import { CgroupV2Driver } from './v2.js';
import { enterDelegatedCgroup } from './delegate.js';

export { detectCgroups, type CgroupLayout } from './detect.js';
export type { CgroupDriver, CgroupHandle, CgroupStats } from './driver.js';

export interface DriverWithLayout extends CgroupDriver {
  readonly layout: CgroupLayout;
  /** cgroupDelegate: the delegated cgroup, relative to the v2 mount ('' when started by hand). */
  readonly base?: string;
}

/** Builds the driver; `mountinfo` is injectable (tests pass a fake layout rooted in a temp dir). */
export async function createCgroupDriver(
  config: Pick<Config, 'cgroupRoot' | 'prefix'> & Partial<Pick<Config, 'serverReserveBytes' | 'sandboxesCpus' | 'limits' | 'cgroupDelegate'>>,
  mountinfo?: string,
): Promise<DriverWithLayout> {
  // A full config caps the sandboxes' shared parent; the unit tests' fake cgroupfs passes none.
  const parentLimits: ParentLimits | undefined =
    config.serverReserveBytes !== undefined && config.sandboxesCpus !== undefined && config.limits
      ? parentLimitsOf({ serverReserveBytes: config.serverReserveBytes, sandboxesCpus: config.sandboxesCpus, limits: config.limits })
      : undefined;
  const text = mountinfo ?? (await fs.readFile('/proc/self/mountinfo', 'utf8'));
  const layout = detectCgroups(text);
  // Only hierarchies under the configured root (a fake root in tests, /sys/fs/cgroup in production).
  layout.hierarchies = layout.hierarchies.filter((h) => h.mountPoint === config.cgroupRoot || h.mountPoint.startsWith(config.cgroupRoot + '/'));
  if (layout.unified && !layout.hierarchies.includes(layout.unified)) layout.unified = undefined;
  const mount = layout.unified?.mountPoint ?? config.cgroupRoot;
  // Under systemd with Delegate=yes the sandboxes go under the server's own cgroup (delegate.ts).
  const delegated = layout.mode === 'v2' && config.cgroupDelegate
    ? enterDelegatedCgroup(mount, await fs.readFile('/proc/self/cgroup', 'utf8'), config.prefix, config.serverReserveBytes ?? 0).root
    : undefined;
  const driver: CgroupDriver =
    layout.mode === 'v2'
      ? new CgroupV2Driver(delegated ?? mount, config.prefix, parentLimits)
      : new CgroupV1Driver(layout, config.prefix, parentLimits);
  return Object.assign(driver, { layout, base: delegated ? path.relative(mount, delegated) : '' });
}

/**
 * Start-up check of the configured limits: creates and removes a probe cgroup, so a value the
 * kernel refuses fails at start naming the config key, the file and the kernel's error.
 */
export async function validateLimits(driver: CgroupDriver, prefix: string, limits: SandboxLimits, tag = 'i00'): Promise<void> {
  const handle = await driver.create(path.posix.join(prefix, `${tag}-probe-${process.pid}`), limits);
  await driver.destroy(handle);
}

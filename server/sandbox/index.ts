// The sandbox module's front door: a factory bound to this host's cgroup layout.
import type { Config } from '../config.js';
import type { DriverWithLayout } from './cgroups/index.js';
import fs from 'node:fs';
import { claimInstance, type Instance } from './instance.js';
import { SandboxRuntime } from './runtime.js';

export { SandboxRuntime, INIT_BIN } from './runtime.js';

/** The instance a data directory's sandboxes belong to (server/sandbox/instance.ts). */
export function claimFor(config: Config, opts: { exclusive?: boolean; key?: string } = {}): Instance {
  fs.mkdirSync(config.dataDir, { recursive: true });
  return claimInstance({ key: opts.key ?? fs.realpathSync(config.dataDir), uidBase: config.uidBase, uidCount: config.uidCount, exclusive: opts.exclusive });
}

export function createSandboxFactory(config: Config, driver: DriverWithLayout, instance: Instance = claimFor(config)): SandboxRuntime {
  return new SandboxRuntime(config, driver, driver.layout, instance);
}

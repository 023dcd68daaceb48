// The sandbox module's front door: a factory bound to this host's cgroup layout.
import type { Config } from '../config.js';
import type { DriverWithLayout } from './cgroups/index.js';
import { SandboxRuntime } from './runtime.js';

export { SandboxRuntime, INIT_BIN } from './runtime.js';

export function createSandboxFactory(config: Config, driver: DriverWithLayout): SandboxRuntime {
  return new SandboxRuntime(config, driver, driver.layout);
}

// Real sandboxes for integration tests: a factory on this host's cgroups, and `sh` inside one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../server/config.js';
import { SLOW_HOST_ENV } from './slow-host.js';
import { createCgroupDriver, type DriverWithLayout } from '../../server/sandbox/cgroups/index.js';
import { createSandboxFactory, type SandboxRuntime } from '../../server/sandbox/index.js';
import { runCommand } from '../../server/sandbox/exec.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { newSessionId } from '../../server/sessions/session.js';

export interface Kit {
  config: Config;
  driver: DriverWithLayout;
  factory: SandboxRuntime;
}

export async function makeKit(overrides: Partial<Config> = {}): Promise<Kit> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-test-'));
  // No "internet" unless a test asks for it (two more processes in every sandbox; see server/sandbox/world.ts).
  const config = loadConfig([], SLOW_HOST_ENV, { dataDir, logLevel: 'silent', world: false, ...overrides });
  const driver = await createCgroupDriver(config);
  return { config, driver, factory: createSandboxFactory(config, driver) };
}

export async function newSandbox(kit: Kit, limits: Partial<Config['limits']> = {}): Promise<Sandbox> {
  return kit.factory.create(kit.factory.specFor(newSessionId(), { limits: { ...kit.config.limits, ...limits } }));
}

/** Runs a shell script inside the sandbox as its root; never throws. */
export async function sh(sb: Sandbox, script: string, timeoutMs = 20_000) {
  const cmd = sb.enterCommand(['/bin/bash', '-c', script], { env: { ISOPLAY_QUIET: '1' } });
  return runCommand(cmd.file, cmd.args, { reject: false, timeoutMs });
}

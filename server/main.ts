// Reads config, checks the host, removes what a crashed server left, listens, and on SIGINT or
// SIGTERM ends every session before exiting.
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { isIsoplayError } from './errors.js';
import { diagnose, formatChecks, realHost } from './doctor.js';
import { createCgroupDriver, validateLimits } from './sandbox/cgroups/index.js';
import { reapLeftovers, removeEmptyParents } from './sandbox/reaper.js';
import { claimFor, createSandboxFactory } from './sandbox/index.js';
import type { Instance } from './sandbox/instance.js';
import { placeServer, type ServerPlacement } from './sandbox/cgroups/server-cgroup.js';

export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (e) {
    process.stderr.write(`isoplay: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (config.mode === 'host') {
    process.stderr.write(
      '\n  WARNING: host mode. Every terminal is a real ROOT shell on this machine, with no sandbox.\n' +
        '  Use it only on a throwaway VM of your own.\n\n',
    );
  } else {
    const bad = diagnose(realHost()).filter((c) => c.required && !c.ok);
    if (bad.length) {
      process.stderr.write(`isoplay: this host cannot run the playground:\n${formatChecks(bad)}\n(run \`npx isoplay doctor\` for the full report)\n`);
      process.exit(1);
    }
  }
  const driver = config.mode === 'sandbox' ? await createCgroupDriver(config) : undefined;
  let instance: Instance | undefined;
  try {
    if (driver) {
      // This data directory's instance: its tag names our sandboxes' cgroups, its uid range is ours.
      instance = claimFor(config, { exclusive: true });
      const reaped = await reapLeftovers(config, driver, { tag: instance.tag });
      if (reaped.cgroups.length || reaped.processes.length) {
        process.stderr.write(`isoplay: removed what a previous server left: ${reaped.cgroups.length} cgroups, ${reaped.processes.length} processes\n`);
      }
      await validateLimits(driver, config.prefix, config.limits, instance!.tag);
    }
  } catch (e) {
    process.stderr.write(`isoplay: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // The server's own cgroup (a high CPU weight) and OOM protection: one learner cannot starve it.
  let placement: ServerPlacement | undefined;
  // (Under a delegated cgroup the server already moved into its own leaf: sandbox/cgroups/delegate.ts.)
  if (driver && !driver.base) placement = placeServer(driver.layout, config.prefix, config.serverReserveBytes, (m) => process.stderr.write(`isoplay: ${m}\n`));
  let app;
  try {
    app = await buildApp(config, driver ? { driver, runtime: createSandboxFactory(config, driver, instance) } : {});
  } catch (e) {
    process.stderr.write(`isoplay: ${isIsoplayError(e) ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  }
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  process.stdout.write(`Isolation Playground is running at http://${shown}:${port} (${config.mode} mode)\n`);
  // The instructor key creating a workshop needs: shown only to a person at a terminal, never to the
  // log or the journal (under systemd stdout is the journal: then only where the file is).
  const k = app.adminKey;
  if (k.source === 'file') {
    if (process.stdout.isTTY) process.stdout.write(`Instructor key (to create workshops at /instructor): ${k.reveal()}\n  kept in ${k.file} (readable only by root)\n`);
    else process.stdout.write(`isoplay: the instructor key is in ${k.file} (readable only by root)\n`);
  }
  app.registry.refillPool();

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`isoplay: ${sig}: ending every session\n`);
    await app.close();
    placement?.release();
    instance?.release();
    if (driver) await removeEmptyParents(driver, config.prefix);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

// Run when started directly (npm start); cli.ts imports main() instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`isoplay: ${(e as Error).stack}\n`);
  process.exit(1);
});

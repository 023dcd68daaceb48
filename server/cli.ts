// The `isoplay` command: start (the server), doctor, lab test [--require N | --require-all] [id...], reap [--all].
// `lab test` exits 0 when every lab that ran passed and enough ran, 1 when a lab failed, 3 when too
// few ran (skipped on this host; see server/labs/test-runner.ts).
import { loadConfig } from './config.js';

const [cmd, ...rest] = process.argv.slice(2);

async function run(): Promise<number> {
  switch (cmd) {
    case undefined:
    case 'start': {
      const { main } = await import('./main.js');
      await main(rest);
      return -1; // keeps running
    }
    case 'doctor': {
      const { doctorMain } = await import('./doctor.js');
      return doctorMain();
    }
    case 'lab': {
      if (rest[0] !== 'test') break;
      const { runLabTestsMain } = await import('./labs/test-runner.js');
      return runLabTestsMain(rest.slice(1));
    }
    case 'reap': {
      const { createCgroupDriver } = await import('./sandbox/cgroups/index.js');
      const { reapLeftovers } = await import('./sandbox/reaper.js');
      // This data directory's leftovers (its instance's tag); --all: every isoplay session on the host.
      const all = rest.includes('--all');
      const config = loadConfig(rest.filter((a) => a !== '--all'), process.env);
      const { claimFor } = await import('./sandbox/index.js');
      const instance = claimFor(config);
      const report = await reapLeftovers(config, await createCgroupDriver(config), { tag: instance.tag, all });
      instance.release();
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
  }
  process.stderr.write('usage: isoplay [start [--port N --host H ...] | doctor | lab test [--require N | --require-all] [id...] | reap [--all]]\n');
  return 2;
}

run().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    process.stderr.write(`isoplay: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

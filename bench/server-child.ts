// The server for the benchmarks, as a process of its own (`node --import tsx bench/server-child.ts
// FLAGS...`, the same flags as server/main.ts): builds the app and listens, like server/main.ts, but
// without main's start-up reaper, which removes every `isoplay` cgroup on the host, the sandboxes of
// other servers on a shared host included. It also measures its own event loop with
// perf_hooks.monitorEventLoopDelay and answers the benchmark over the IPC channel (`loop:reset`,
// `loop:read`), so the longest block comes from the loop that serves every terminal, and the server
// needs no route for it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { removeEmptyParents } from '../server/sandbox/reaper.js';
import { createCgroupDriver } from '../server/sandbox/cgroups/index.js';
import { placeServer } from '../server/sandbox/cgroups/server-cgroup.js';

export interface LoopReading {
  /** The longest event-loop block since the last reset, in ms. */
  maxMs: number;
  p99Ms: number;
  /** The server process's CPU (every thread) since the last reset, in % of one core. */
  cpuPct: number;
}

const config = loadConfig(process.argv.slice(2), process.env);
// As production places itself (server/main.ts): its own cgroup with ten times a sandbox's CPU weight.
// ISOPLAY_BENCH_PLACE=off leaves it where it started (to measure what the placement buys).
const driver = await createCgroupDriver(config);
const placement = process.env.ISOPLAY_BENCH_PLACE === 'off' || driver.base ? undefined : placeServer(driver.layout, config.prefix, config.serverReserveBytes, (m) => process.stderr.write(`bench server: ${m}\n`));
const app = await buildApp(config);
await app.listen({ host: '127.0.0.1', port: config.port });
// The port the kernel gave (the benchmark asks for 0: a port picked by the pid could be an outgoing
// connection's ephemeral port at that moment).
const port = (app.server.address() as { port: number }).port;
process.stdout.write(`bench server is running at http://127.0.0.1:${port}\n`);

if (process.send) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  process.on('message', (m: unknown) => {
    if (m === 'loop:reset') {
      h.reset();
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      process.send!({ maxMs: 0, p99Ms: 0, cpuPct: 0 } satisfies LoopReading);
    } else if (m === 'loop:read') {
      const c = process.cpuUsage(cpu0);
      process.send!({ maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, cpuPct: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100 } satisfies LoopReading);
    }
  });
  // The channel must not keep the server alive: it stops on SIGTERM, as in production.
  process.channel?.unref();
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await app.close();
    if (app.cgroupDriver) await removeEmptyParents(app.cgroupDriver, config.prefix);
    placement?.release();
    process.exit(0);
  })();
};
process.on('SIGTERM', stop);
// The benchmark that started it died (a crash, Ctrl-C): stop too, and leave nothing behind.
process.on('disconnect', stop);

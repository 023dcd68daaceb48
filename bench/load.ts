// `npm run bench -- --only load`: a room of learners typing at once. For N = 1 (the baseline), 50,
// 100 and 200 sessions (`--quick`: 1 and 20; `--sizes 1,10` picks others) on a server sized as a
// 200-seat host would be (96 MiB per sandbox), run as a process of its own: N sessions are opened
// over the real HTTP and WebSocket API (terminal and kernel-view sockets, as a page opens them),
// then load-client processes (50 learners each, processes of their own, their CPU reported) type
// a key every 100 ms per learner and a short command every 5 s, timing each key's echo. Reported
// beside the one-session figures of the same run: echo p50/p99/max, keys lost, sessions that failed,
// the server's longest event-loop block (perf_hooks.monitorEventLoopDelay), its RSS and CPU, and the
// sandboxes' memory per session (the `isoplay` parent cgroup's usage / N).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { listInstances, tagOf } from '../server/sandbox/instance.js';
import { childServer, del, post } from './common.js';
import type { LoadClientResult } from './load-client.js';
import { percentile, row, type Row } from './stats.js';

const PER_CLIENT = 50;
const MiB = 1024 * 1024;

export interface LoadFigures {
  n: number;
  opened: number;
  openMs: number;
  p50: number;
  p99: number;
  max: number;
  keys: number;
  lost: number;
  failed: string[];
  loopMaxMs: number;
  serverCpuPct: number;
  /** The whole host's CPU (both cores, every process, the kernel) busy while the room typed, in %; and its system share. */
  hostBusyPct: number;
  hostSystemPct: number;
  serverRssMiB: number;
  clientCpuPct: number;
  memPerSessionMiB: number;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The memory of one server's sandboxes: its instance's session cgroups (v1 memory hierarchy or v2). */
function sandboxesMemory(dataDir: string): number {
  const key = fs.realpathSync(dataDir);
  const index = [...listInstances()].find(([, r]) => r?.key === key)?.[0];
  if (index === undefined) return NaN;
  let sum = 0;
  for (const [dir, file] of [['/sys/fs/cgroup/memory/isoplay', 'memory.usage_in_bytes'], ['/sys/fs/cgroup/isoplay', 'memory.current']]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((d) => d.startsWith(`${tagOf(index)}-`));
    } catch {
      continue; // the other cgroup version
    }
    for (const d of names) sum += Number(fs.readFileSync(path.join(dir, d, file), 'utf8'));
    if (names.length) return sum;
  }
  return NaN;
}

async function runClient(ws: string, sessions: { id: string; token: string }[], seconds: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'load-client.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  child.stdin!.write(`${JSON.stringify({ ws, sessions, seconds, commandEverySec: 5 })}\n`);
  const ready = (await lines.next()).value;
  if (ready !== 'ready') throw new Error(`load client: ${ready}`);
  return {
    go: async (): Promise<LoadClientResult> => {
      child.stdin!.write('go\n');
      const r = JSON.parse((await lines.next()).value as string) as LoadClientResult;
      child.stdin!.end();
      return r;
    },
  };
}

/** /proc/stat's first line: every core's jiffies, idle (idle + iowait) and system (system + irq + softirq). */
function hostCpu(): { total: number; idle: number; system: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { total: user + nice + system + idle + iowait + irq + softirq + (steal ?? 0), idle: idle + iowait, system: system + irq + softirq };
}

export async function measureLoad(n: number, seconds: number): Promise<LoadFigures> {
  const srv = await childServer(['--memory', '96M', '--max-sessions', String(Math.max(n + 10, 20)), '--detach-grace-ms', '600000']);
  try {
    // Open the room: 8 creations in flight, as learners arriving would.
    const t0 = performance.now();
    const sessions: { id: string; token: string }[] = [];
    const failed: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(8, n) }, async () => {
        while (next < n) {
          next++;
          try {
            sessions.push(await post(srv.base));
          } catch (e) {
            failed.push(`create: ${(e as Error).message.slice(0, 120)}`);
          }
        }
      }),
    );
    const openMs = performance.now() - t0;
    const clients = [];
    for (let i = 0; i < sessions.length; i += PER_CLIENT) clients.push(await runClient(srv.ws, sessions.slice(i, i + PER_CLIENT), seconds));
    await new Promise((r) => setTimeout(r, 3000)); // the prompts' flurry is over
    await srv.loop('reset');
    const cpu0 = hostCpu();
    const results = await Promise.all(clients.map((c) => c.go()));
    const cpu1 = hostCpu();
    const loop = await srv.loop('read');
    const latencies = results.flatMap((r) => r.latencies);
    const fig: LoadFigures = {
      n,
      opened: sessions.length,
      openMs,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      keys: results.reduce((a, r) => a + r.keys, 0),
      lost: results.reduce((a, r) => a + r.lost, 0),
      failed: [...failed, ...results.flatMap((r) => r.failed)],
      loopMaxMs: loop.maxMs,
      serverCpuPct: loop.cpuPct,
      hostBusyPct: (100 * (cpu1.total - cpu0.total - (cpu1.idle - cpu0.idle))) / Math.max(1, cpu1.total - cpu0.total),
      hostSystemPct: (100 * (cpu1.system - cpu0.system)) / Math.max(1, cpu1.total - cpu0.total),
      serverRssMiB: rssMiB(srv.pid),
      clientCpuPct: results.reduce((a, r) => a + r.cpuPct, 0),
      memPerSessionMiB: sandboxesMemory(srv.dataDir) / MiB / Math.max(1, sessions.length),
    };
    process.stderr.write(`bench: load ${n}: ${JSON.stringify({ ...fig, failed: fig.failed.slice(0, 3) })}\n`);
    await Promise.all(sessions.map((s) => del(srv.base, s)));
    return fig;
  } finally {
    await srv.stop();
  }
}

export async function benchLoad(rows: Row[], quick: boolean, argv = process.argv.slice(2)): Promise<LoadFigures[]> {
  const sizesArg = argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : undefined;
  const sizes = sizesArg ? sizesArg.split(',').map(Number) : quick ? [1, 20] : [1, 50, 100, 200];
  const seconds = quick ? 10 : 30;
  const figs: LoadFigures[] = [];
  for (const n of sizes) {
    process.stderr.write(`bench: load: ${n} sessions…\n`);
    figs.push(await measureLoad(n, seconds));
  }
  const base = figs[0];
  for (const f of figs.slice(1)) {
    const tag = `${f.n} sessions (${f.opened} opened, ${f.failed.length} failed, ${f.lost} of ${f.keys} keys lost)`;
    rows.push(row(`echo p50, ${tag}`, f.p50, 'ms', `echo p50, ${base.n} session`, base.p50));
    rows.push(row(`echo p99, ${f.n} sessions`, f.p99, 'ms', `echo p99, ${base.n} session`, base.p99, f.n <= 100 ? 'aim < 5 ms' : 'aim < 3x'));
    rows.push(row(`echo max, ${f.n} sessions`, f.max, 'ms', `echo max, ${base.n} session`, base.max));
    rows.push(row(`longest event-loop block, ${f.n} sessions`, f.loopMaxMs, 'ms', `longest block, ${base.n} session`, base.loopMaxMs));
    rows.push(row(`server CPU, ${f.n} sessions typing (% of one core)`, f.serverCpuPct, '%', `server CPU, ${base.n} session`, base.serverCpuPct));
    rows.push(row(`host CPU busy, ${f.n} sessions (% of both cores; ${f.hostSystemPct.toFixed(0)}% in the kernel)`, f.hostBusyPct, '%', `host busy, ${base.n} session`, base.hostBusyPct));
    rows.push(row(`load generator CPU, ${f.n} sessions (% of one core)`, f.clientCpuPct, '%', `load generator, ${base.n} session`, base.clientCpuPct));
    rows.push(row(`server RSS, ${f.n} sessions`, f.serverRssMiB, 'MiB', `server RSS, ${base.n} session`, base.serverRssMiB));
    rows.push(row(`sandbox memory per session, ${f.n} sessions`, f.memPerSessionMiB, 'MiB', `per session, ${base.n} session`, base.memPerSessionMiB));
    rows.push(row(`time to open ${f.n} sessions (8 at a time)`, f.openMs / 1000, 's', `to open ${base.n}`, base.openMs / 1000));
  }
  return figs;
}

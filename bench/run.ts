// `npm run bench [-- --quick] [-- --only start|throughput|memory|sampler|vm|attacks|load|room|soak [--attack NAME]]`:
// every figure beside a baseline measured in the same run, as a ratio (`--attack cgroups` runs only
// the attacks whose name contains it). Results also go to <tmp>/isoplay-bench/latest.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';
import WebSocket from 'ws';
import { buildApp, type IsoplayApp } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';
import { percentile, ratio, row, type Row } from './stats.js';
import { EchoTracker } from './echo.js';
import { childServer, del, post } from './common.js';
import { benchLoad } from './load.js';
import { benchRoom } from './room.js';
import { soak } from './soak.js';
import { vmUnavailable } from '../server/labs/catalog.js';
import { createCgroupDriver } from '../server/sandbox/cgroups/index.js';
import { createSandboxFactory } from '../server/sandbox/index.js';
import { removeEmptyParents } from '../server/sandbox/reaper.js';
import { runCommand } from '../server/sandbox/exec.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const rows: Row[] = [];
const MiB = 1024 * 1024;

const BENCH_EDGE = { sessionRateMax: 1_000_000, maxSessionsPerClient: 1_000_000, unattachedGraceMs: 600_000 } satisfies Partial<Config>;

async function server(over: Partial<Config>): Promise<{ app: IsoplayApp; base: string; ws: string; config: Config }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-bench-'));
  // One client on loopback opens every session of a benchmark: the web edge's per-address limits
  // (which a workshop room never meets, a room's learners come with a join code) are lifted here.
  const config = loadConfig([], {}, { dataDir, logLevel: 'error', port: 0, maxSessions: 130, detachGraceMs: 600_000, ...BENCH_EDGE, ...over });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, config };
}

/** POST /api/sessions to the first prompt byte on the terminal socket, in ms. */
async function timeToPrompt(base: string, wsBase: string): Promise<{ ms: number; s: { id: string; token: string } }> {
  const t0 = performance.now();
  const s = await post(base);
  const ws = new WebSocket(`${wsBase}/api/sessions/${s.id}/terminals/shell?token=${s.token}`);
  let text = '';
  const ms = await new Promise<number>((resolve, reject) => {
    setTimeout(() => reject(new Error(`no prompt after 10 s; got ${JSON.stringify(text.slice(-200))}`)), 10_000).unref();
    ws.on('message', (raw: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(raw));
      if (f.type !== 'output') return;
      ws.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
      text += Buffer.from(f.data).toString('latin1'); // the prompt may arrive split across frames
      if (text.includes('# ')) resolve(performance.now() - t0);
    });
    ws.on('error', reject);
  });
  ws.close();
  return { ms, s };
}

function timeIt(fn: () => void, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Baseline: unshare of the same namespaces inside a fresh v1 memory+pids cgroup, running /bin/true. */
function bareUnshareWithCgroup(i: number): void {
  const dirs = ['memory', 'pids'].map((c) => `/sys/fs/cgroup/${c}/isoplay/bench-${process.pid}-${i}`);
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(`${dirs[0]}/memory.limit_in_bytes`, String(256 * MiB));
  fs.writeFileSync(`${dirs[1]}/pids.max`, '256');
  const r = spawnSync('sh', ['-c', `echo $$ > ${dirs[0]}/cgroup.procs && echo $$ > ${dirs[1]}/cgroup.procs && exec unshare --user --map-root-user --pid --fork --mount --uts --ipc --net --cgroup /bin/true`]);
  if (r.status !== 0) throw new Error(`unshare baseline failed: ${r.stderr}`);
  for (const d of dirs) fs.rmdirSync(d);
}

/** Baseline: crun run of a /bin/true bundle (busybox), made to see pure v1 on this hybrid host (FACTS.md). */
function crunBundle(): ((i: number) => void) | undefined {
  if (spawnSync('crun', ['--version']).status !== 0 || !fs.existsSync('/bin/busybox')) return undefined;
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-crun-'));
  fs.mkdirSync(path.join(b, 'rootfs/bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(b, 'rootfs/bin/busybox'));
  fs.symlinkSync('busybox', path.join(b, 'rootfs/bin/true'));
  spawnSync('crun', ['spec', '--rootless'], { cwd: b });
  const spec = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/true'];
  spec.process.terminal = false;
  spec.linux.cgroupsPath = `/isoplay/crun-bench-${process.pid}`;
  delete spec.linux.uidMappings;
  delete spec.linux.gidMappings;
  spec.linux.namespaces = spec.linux.namespaces.filter((n: { type: string }) => n.type !== 'user');
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(spec));
  return (i: number) => {
    const r = spawnSync('unshare', ['--mount', 'sh', '-c', `mount -t tmpfs none /sys/fs/cgroup/unified && exec crun run -b ${b} isoplay-bench-${process.pid}-${i}`]);
    if (r.status !== 0) throw new Error(`crun baseline failed: ${r.stderr}`);
  };
}

async function benchStart(): Promise<void> {
  const n = quick ? 20 : 100;
  const unshare = timeIt(() => undefined, 0);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    bareUnshareWithCgroup(i);
    unshare.push(performance.now() - t0);
  }
  process.stderr.write('bench: start, baselines done: unshare\n');
  const crun = crunBundle();
  const crunMs: number[] = [];
  if (crun) for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    crun(i);
    crunMs.push(performance.now() - t0);
  }
  const measure = async (poolSize: number) => {
    const srv = await server({ poolSize });
    srv.app.registry.refillPool();
    const ms: number[] = [];
    await timeToPrompt(srv.base, srv.ws).then((r) => del(srv.base, r.s)); // warm up the JIT once
    for (let i = 0; i < n; i++) {
      if (i % 25 === 0) process.stderr.write(`bench: start, pool ${poolSize}, ${i}/${n}\n`);
      while (srv.app.registry.poolSize < poolSize) await new Promise((r) => setTimeout(r, 5));
      const r = await timeToPrompt(srv.base, srv.ws);
      ms.push(r.ms);
      await del(srv.base, r.s);
    }
    await srv.app.close();
    return ms;
  };
  const warm = await measure(2);
  const cold = await measure(0);
  const u50 = percentile(unshare, 50);
  rows.push(row('session start p50, warm (pool of 2)', percentile(warm, 50), 'ms', 'unshare + cgroup p50', u50));
  rows.push(row('session start p99, warm (pool of 2)', percentile(warm, 99), 'ms', 'unshare + cgroup p99', percentile(unshare, 99)));
  if (crunMs.length) rows.push(row('session start p50, warm (pool of 2)', percentile(warm, 50), 'ms', 'crun run p50', percentile(crunMs, 50), 'aim < 1'));
  rows.push(row('session start p50, cold (pool empty)', percentile(cold, 50), 'ms', 'unshare + cgroup p50', u50, 'aim < 10'));
  rows.push(row('session start p99, cold (pool empty)', percentile(cold, 99), 'ms', 'unshare + cgroup p99', percentile(unshare, 99)));
  if (crunMs.length) rows.push(row('crun run p50 (for reference)', percentile(crunMs, 50), 'ms', 'unshare + cgroup p50', u50));
}

async function benchThroughput(): Promise<void> {
  const bytes = quick ? 15_000_000 : 75_000_000;
  const pipeline = `head -c ${bytes} /dev/zero | base64`;
  // Expected bytes through a PTY: base64 output with every \n turned into \r\n.
  const wc = spawnSync('sh', ['-c', `${pipeline} | wc -c -l`], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
  const expected = wc[1] + wc[0];
  // Baseline: the same stream through a bare PTY (script), read by this process.
  const runBare = () => new Promise<{ mbps: number; got: number }>((resolve) => {
    const t0 = performance.now();
    let got = 0;
    const p = spawn('script', ['-qfc', pipeline, '/dev/null'], { stdio: ['ignore', 'pipe', 'ignore'] });
    p.stdout.on('data', (d: Buffer) => (got += d.length));
    p.on('close', () => resolve({ mbps: got / MiB / ((performance.now() - t0) / 1000), got }));
  });
  // The server runs as its own process, as in production: the client here is the "browser".
  // The terminal path is measured, not the sandbox's CPU quota: the producer (base64) gets as much
  // CPU as the bare-PTY baseline has.
  const srv = await childServer(['--cpu-quota-us', String(os.availableParallelism() * 100_000), '--sandboxes-cpus', String(os.availableParallelism())]);
  const runOurs = async () => {
    const s = await post(srv.base);
    return new Promise<{ mbps: number; got: number }>((resolve) => {
      const ws = new WebSocket(`${srv.ws}/api/sessions/${s.id}/terminals/shell?token=${s.token}`);
      let head = '';
      let state: 'prompt' | 'streaming' = 'prompt';
      let t0 = 0;
      let got = 0;
      let tail: Buffer = Buffer.alloc(0);
      ws.on('message', (raw: Buffer) => {
        // Ack like the page does; count bytes without copying them (a frame = 1 type byte + data).
        if (raw[0] !== 0) return;
        const n = raw.length - 1;
        ws.send(encodeClientFrame({ type: 'ack', bytes: n }));
        if (state === 'prompt') {
          head += raw.subarray(1).toString('latin1');
          if (t0 === 0 && head.includes('# ')) {
            t0 = -1;
            ws.send(encodeClientFrame({ type: 'input', data: Buffer.from(`stty -echo; echo $((1+1))BEGIN; ${pipeline}; echo $((2+1))END\r`) }));
          }
          const at = head.indexOf('2BEGIN\r\n');
          if (at >= 0) {
            state = 'streaming';
            t0 = performance.now();
            got = head.length - at - 8;
          }
          return;
        }
        got += n;
        // Find the end marker anywhere in the frame (the prompt may follow it in the same frame), or
        // split across two frames (the last 3 bytes of the previous one are kept).
        const body = raw.subarray(1);
        const seam = Buffer.concat([tail, body.subarray(0, 3)]);
        const inSeam = seam.indexOf('3END');
        const inBody = inSeam >= 0 ? -1 : body.indexOf('3END');
        // How many counted bytes are the marker and what follows it.
        const after = inSeam >= 0 ? seam.length - inSeam + (body.length - Math.min(3, body.length)) : inBody >= 0 ? body.length - inBody : -1;
        tail = body.length >= 3 ? body.subarray(body.length - 3) : Buffer.concat([tail, body]).subarray(-3);
        if (after >= 0) {
          got -= after;
          resolve({ mbps: got / MiB / ((performance.now() - t0) / 1000), got });
          ws.close();
        }
      });
    });
  };
  // Alternate the two, three times (once with --quick), and report medians: this host is noisy.
  const runs = quick ? 1 : 3;
  const bares: { mbps: number; got: number }[] = [];
  const ours: { mbps: number; got: number }[] = [];
  for (let i = 0; i < runs; i++) {
    bares.push(await runBare());
    ours.push(await runOurs());
  }
  await srv.stop();
  const median = (xs: { mbps: number; got: number }[]) => [...xs].sort((x, y) => x.mbps - y.mbps)[Math.floor(xs.length / 2)];
  const bare = { ...median(bares), got: bares.every((x) => x.got === expected) ? expected : bares.find((x) => x.got !== expected)!.got };
  const result = { ...median(ours), got: ours.every((x) => x.got === expected) ? expected : ours.find((x) => x.got !== expected)!.got };
  rows.push(row(`terminal throughput, median of ${runs} (${(result.got / 1e6).toFixed(1)} MB, ${result.got === expected ? 'exact' : `EXPECTED ${expected}`})`, result.mbps, 'MB/s', `bare PTY (script), ${bare.got === expected ? 'exact' : bare.got}`, bare.mbps, 'aim > 0.85', true));
}

function rssMiB(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

async function benchMemory(): Promise<void> {
  const n = quick ? 10 : 50;
  const bareNode = spawnSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], { encoding: 'utf8' });
  const srv = await server({ poolSize: 0 });
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssMiB();
  const sessions: { id: string; token: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await timeToPrompt(srv.base, srv.ws);
    sessions.push(r.s);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const loaded = rssMiB();
  let cg = 0;
  for (const s of sessions) {
    const sb = srv.app.registry.get(s.id)!.sandbox!;
    cg += (await srv.app.cgroupDriver!.stats(sb.cgroup)).memory.current;
  }
  const perSessionServer = (loaded - idle) / n;
  const perSessionShell = cg / MiB / n;
  rows.push(row('server RSS, idle', idle, 'MiB', 'bare node process RSS', Number(bareNode.stdout) / MiB));
  rows.push(row(`server RSS per idle session (${n} sessions)`, perSessionServer, 'MiB', 'the shell\'s own memory (sandbox cgroup) per session', perSessionShell, 'aim < 1 MiB'));
  rows.push(row(`server RSS + sandbox cgroups, ${n} sessions`, loaded + cg / MiB, 'MiB', 'server RSS idle', idle));
  for (const s of sessions) await del(srv.base, s);
  await srv.app.close();
}

async function benchSampler(): Promise<void> {
  const n = quick ? 20 : 100;
  const seconds = quick ? 5 : 15;
  const srv = await server({ poolSize: 0, samplerHz: 2 });
  for (let i = 0; i < n; i++) await post(srv.base);
  // The server runs in this process here, so this loop is the one that serves its terminals.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu = async () => {
    const c0 = process.cpuUsage();
    loop.reset();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const c = process.cpuUsage(c0);
    return { pct: ((c.user + c.system) / 1000 / (seconds * 1000)) * 100, blockMs: loop.max / 1e6 };
  };
  // Let every sampler finish its start (one probe process per session reads the kernel from inside).
  await new Promise((r) => setTimeout(r, 5000));
  const withSamplers = await cpu();
  // Worst case: every sandbox busy (a loop starting a new process 4 times a second), so no tick can
  // skip the full pass (processes, namespaces, every cgroup file).
  const loops = srv.app.registry.list().map((s) => {
    const cmd = s.sandbox!.enterCommand(['/bin/sh', '-c', 'while :; do sleep 0.25; done']);
    return spawn(cmd.file, cmd.args, { env: cmd.env, stdio: 'ignore', detached: true });
  });
  await new Promise((r) => setTimeout(r, 2000));
  const busySessions = await cpu();
  // Baselines: the same server and sessions with every sampler stopped, still busy, then idle.
  for (const sm of srv.app.inspector.samplers.values()) sm.stop();
  const busyWithout = await cpu();
  for (const l of loops) l.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 2000));
  const without = await cpu();
  loop.disable();
  await srv.app.close();
  rows.push(row(`server CPU with ${n} idle sessions, samplers on at 2 Hz (% of one core)`, withSamplers.pct, '%', 'same server and sessions, samplers off', without.pct));
  rows.push(row(`kernel-view samplers alone, ${n} idle sessions (% of one core)`, withSamplers.pct - without.pct, '%', 'one core', 100, 'aim < 5%'));
  rows.push(row(`server CPU with ${n} busy sessions (new process every 250 ms)`, busySessions.pct, '%', 'the same busy sessions, samplers off', busyWithout.pct));
  rows.push(row(`longest event-loop block, ${n} idle sessions, samplers on`, withSamplers.blockMs, 'ms', 'same server and sessions, samplers off', without.blockMs));
  rows.push(row(`longest event-loop block, ${n} busy sessions, samplers on`, busySessions.blockMs, 'ms', 'the same busy sessions, samplers off', busyWithout.blockMs));
}

/** A victim's terminal: waits for the prompt, then types a key every 100 ms and times each echo. */
class EchoClient {
  readonly tracker = new EchoTracker();
  private readonly ws: WebSocket;
  private text = '';
  private prompt: Promise<void>;

  constructor(wsBase: string, s: { id: string; token: string }) {
    this.ws = new WebSocket(`${wsBase}/api/sessions/${s.id}/terminals/shell?token=${s.token}`);
    this.prompt = new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(`victim: no prompt after 10 s; got ${JSON.stringify(this.text.slice(-200))}`)), 10_000).unref();
      this.ws.on('message', (raw: Buffer) => {
        const at = performance.now();
        const f = decodeServerFrame(new Uint8Array(raw));
        if (f.type !== 'output') return;
        this.ws.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
        this.tracker.received(f.data, at);
        if (this.text.length < 4096) {
          this.text += Buffer.from(f.data).toString('latin1');
          if (this.text.includes('# ')) resolve();
        }
      });
      this.ws.on('error', reject);
    });
  }

  ready(): Promise<void> {
    return this.prompt;
  }

  private send(s: string): void {
    this.ws.send(encodeClientFrame({ type: 'input', data: Buffer.from(s) }));
  }

  /** Types for `seconds`; returns each key's echo latency (ms) and how many keys never echoed. */
  async measure(seconds: number): Promise<{ ms: number[]; lost: number }> {
    this.tracker.reset();
    let sinceClear = 0;
    const timer = setInterval(() => {
      // Erase the line now and then (Ctrl-U, not timed) so it never wraps; only between echoes.
      if (sinceClear >= 40 && this.tracker.outstanding === 0) {
        this.send('\x15');
        sinceClear = 0;
        return;
      }
      sinceClear++;
      this.send(String.fromCharCode(this.tracker.type(performance.now())));
    }, 100);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    const deadline = Date.now() + 5000;
    while (this.tracker.outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const result = { ms: [...this.tracker.latencies], lost: this.tracker.outstanding };
    this.send('\x15');
    return result;
  }

  close(): void {
    this.ws.close();
  }
}

/** Starts bench/attack-client.ts for a neighbour session and resolves when its attack runs. */
function startAttacker(wsBase: string, s: { id: string; token: string }, command: string, ready: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'attack-client.ts'), wsBase, s.id, s.token, command, ...ready], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`attack "${command}" not ready after 180 s`)), 180_000);
    readline.createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l === 'ready') {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (c) => reject(new Error(`attack client exited ${c} before its attack ran`)));
  });
}

/** Each attack a neighbour runs in its own sandbox, typed into its terminal as a learner would. */
const ATTACKS: { name: string; command: string; ready: string[]; rampMs: number }[] = [
  { name: 'CPU burner (4 busy loops)', command: 'for i in 1 2 3 4; do (while :; do :; done) & done; echo RE$((1+1))ADY', ready: ['--ready-text', 'RE2ADY'], rampMs: 2000 },
  {
    name: 'memory hog, OOM-killed over and over',
    command: '(while :; do head -c 1G /dev/zero | tail > /dev/null; done) > /dev/null 2>&1 & echo RE$((1+1))ADY',
    ready: ['--ready-text', 'RE2ADY'],
    rampMs: 3000,
  },
  { name: 'output flood (yes, acked)', command: 'yes', ready: ['--ready-bytes', String(4 * MiB)], rampMs: 1000 },
  { name: 'fork bomb at pids.max', command: ':(){ :|:& };:', ready: ['--ready-bytes', '1'], rampMs: 5000 },
  {
    name: '1500 cgroups + busy loop',
    // v1: the memory hierarchy; v2: the session's own directory once +memory is enabled below it.
    command:
      'd=/sys/fs/cgroup/memory; [ -d $d ] || { d=/sys/fs/cgroup; echo +memory > $d/cgroup.subtree_control; }; ' +
      'cd $d && mkdir $(seq -f c%g 1500) && cd / && echo RE$((1+1))ADY && while :; do :; done',
    ready: ['--ready-text', 'RE2ADY'],
    rampMs: 3000,
  },
];

/**
 * What one learner's attack costs another learner: a victim types a key every 100 ms over the real
 * WebSocket API and times each echo, first beside an idle neighbour (the baseline), then while a
 * fresh neighbour session runs each attack in turn; the server runs as its own process, and its
 * longest event-loop block in each phase comes from bench/loop-probe.ts inside it.
 */
async function benchAttacks(): Promise<void> {
  const seconds = quick ? 8 : 20;
  const filter = argv.includes('--attack') ? argv[argv.indexOf('--attack') + 1] : undefined;
  const srv = await childServer();
  const victim = await post(srv.base);
  const victimEvents = new WebSocket(`${srv.ws}/api/sessions/${victim.id}/events?token=${victim.token}`); // the victim's page has its kernel view open too
  victimEvents.on('error', () => undefined);
  const term = new EchoClient(srv.ws, victim);
  await term.ready();
  const phase = async (name: string, command: string, ready: string[], rampMs: number) => {
    process.stderr.write(`bench: attacks: ${name}…\n`);
    const neighbour = await post(srv.base);
    const attacker = await startAttacker(srv.ws, neighbour, command, ready);
    await new Promise((r) => setTimeout(r, rampMs));
    await srv.loop('reset');
    const echo = await term.measure(seconds);
    const loop = await srv.loop('read');
    attacker.kill('SIGTERM');
    await del(srv.base, neighbour);
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(`bench: attacks: ${name}: echo p50 ${percentile(echo.ms, 50).toFixed(2)} p99 ${percentile(echo.ms, 99).toFixed(2)} max ${Math.max(...echo.ms).toFixed(2)} ms, ${echo.lost} lost; loop block ${loop.maxMs.toFixed(1)} ms; server CPU ${loop.cpuPct.toFixed(0)}%\n`);
    return { echo, loop };
  };
  const idle = await phase('idle neighbour', 'echo RE$((1+1))ADY', ['--ready-text', 'RE2ADY'], 1000);
  const i50 = percentile(idle.echo.ms, 50);
  const i99 = percentile(idle.echo.ms, 99);
  const iMax = Math.max(...idle.echo.ms);
  rows.push(row(`echo p99, idle neighbour (${idle.echo.ms.length} keys, ${idle.echo.lost} lost)`, i99, 'ms', 'echo p50, idle neighbour', i50));
  for (const a of ATTACKS) {
    if (filter && !a.name.includes(filter)) continue;
    const r = await phase(a.name, a.command, a.ready, a.rampMs);
    const lost = r.echo.lost ? `, ${r.echo.lost} KEYS LOST` : '';
    rows.push(row(`echo p50, ${a.name}${lost}`, percentile(r.echo.ms, 50), 'ms', 'echo p50, idle neighbour', i50, 'aim < 2x'));
    rows.push(row(`echo p99, ${a.name}`, percentile(r.echo.ms, 99), 'ms', 'echo p99, idle neighbour', i99, 'aim < 2x'));
    rows.push(row(`echo max, ${a.name}`, Math.max(...r.echo.ms), 'ms', 'echo max, idle neighbour', iMax));
    rows.push(row(`longest event-loop block, ${a.name}`, r.loop.maxMs, 'ms', 'longest block, idle neighbour', idle.loop.maxMs));
  }
  term.close();
  victimEvents.close();
  await del(srv.base, victim);
  await srv.stop();
}

/**
 * Containers vs VMs, measured the way the lab shows it: inside one sandbox, the time to start a
 * container (`unshare` of pid+uts+mount, /proc mounted, `true`) against the time for `isoplay-vm`
 * to boot its own kernel until the guest's init reports; and the memory each holds.
 */
async function benchVm(): Promise<void> {
  const missing = vmUnavailable();
  if (missing) {
    process.stderr.write(`bench: vm skipped: ${missing}\n`);
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-bench-'));
  const config = loadConfig([], {}, { dataDir, logLevel: 'error' });
  const driver = await createCgroupDriver(config);
  const factory = createSandboxFactory(config, driver);
  const sb = await factory.create(factory.specFor(`bvm${Date.now().toString(36)}`.slice(0, 11).padEnd(11, '0')));
  const inside = (script: string, timeoutMs = 120_000) => {
    const cmd = sb.enterCommand(['/bin/sh', '-c', script], { env: { ISOPLAY_QUIET: '1' } });
    return runCommand(cmd.file, cmd.args, { timeoutMs, reject: false });
  };
  try {
    const n = quick ? 5 : 20;
    const container: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await inside('s=$(date +%s%N); unshare --pid --uts --mount --fork --mount-proc true; e=$(date +%s%N); echo $(( (e - s) / 1000 ))');
      container.push(Number(r.stdout.trim()) / 1000);
    }
    const boots = quick ? 1 : 3;
    const vm: number[] = [];
    let vmRssKb = 0;
    for (let i = 0; i < boots; i++) {
      const r = await inside(
        's=$(date +%s%N); setsid isoplay-vm -q </dev/null >/dev/null 2>&1 & ' +
          'until [ -s "$(ls /run/isoplay-vm/vm-*.json 2>/dev/null | head -n 1)" ]; do sleep 0.05; done; e=$(date +%s%N); ' +
          'echo $(( (e - s) / 1000 )) $(awk \'/^VmRSS/ {print $2}\' /proc/$(pgrep -o qemu-system)/status); ' +
          'pkill qemu-system; while pgrep qemu-system >/dev/null; do sleep 0.05; done; rm -f /run/isoplay-vm/*.json',
      );
      const [us, rss] = r.stdout.trim().split(/\s+/).map(Number);
      vm.push(us / 1000);
      vmRssKb = Math.max(vmRssKb, rss || 0);
    }
    const sleepRss = await inside('unshare --pid --uts --mount --fork --mount-proc sleep 30 >/dev/null 2>&1 & sleep 0.3; awk \'/^VmRSS/ {print $2}\' /proc/$(pgrep -n sleep)/status; pkill sleep');
    rows.push(row(`VM boot (isoplay-vm, ${config.limits.cpuQuotaUsec / config.limits.cpuPeriodUsec} CPU, TCG) to guest init, p50`, percentile(vm, 50), 'ms', 'container start in the same sandbox (unshare), p50', percentile(container, 50)));
    rows.push(row('VM memory: qemu RSS after boot', vmRssKb / 1024, 'MiB', 'container memory: sleep in new namespaces, RSS', Number(sleepRss.stdout.trim()) / 1024));
  } finally {
    await sb.destroy();
    await removeEmptyParents(driver, config.prefix);
  }
}

/** 1000 create-use-destroy cycles (bench/soak.ts): leftovers must be none, RSS growth under the bound. */
async function benchSoak(): Promise<void> {
  const { SOAK_RSS_BOUND_MIB } = await import('./soak.js');
  const n = quick ? 100 : 1000;
  const f = await soak(n, 4, (d) => d % 100 === 0 && process.stderr.write(`bench: soak: ${d} cycles\n`));
  const left = Object.values(f.leftovers).flat().length + Object.values(f.afterStop).flat().length;
  process.stderr.write(`bench: soak: ${JSON.stringify({ ...f, failed: f.failed.slice(0, 5) })}\n`);
  rows.push(row(`soak: ${n} cycles (${f.failed.length} failed, ${left} objects left), server RSS after`, f.rssEndMiB, 'MiB', 'server RSS after the 20-cycle warm-up', f.rssStartMiB, `aim: growth < ${SOAK_RSS_BOUND_MIB} MiB`));
  if (f.failed.length || left || f.rssEndMiB - f.rssStartMiB >= SOAK_RSS_BOUND_MIB) process.exitCode = 1;
}

async function main(): Promise<void> {
  const all: [string, () => Promise<void>][] = [['start', benchStart], ['throughput', benchThroughput], ['memory', benchMemory], ['sampler', benchSampler], ['vm', benchVm], ['attacks', benchAttacks], ['load', async () => void (await benchLoad(rows, quick))], ['room', () => benchRoom(rows, quick)], ['soak', benchSoak]];
  for (const [name, fn] of all) {
    if (only && only !== name) continue;
    process.stderr.write(`bench: ${name}…\n`);
    await fn();
  }
  const table = rows.map((r) => `${r.name.padEnd(56)} ${r.value.toFixed(2).padStart(9)} ${r.unit.padEnd(5)}  vs ${r.baselineName.padEnd(52)} ${r.baseline.toFixed(2).padStart(9)}  ratio ${ratio(r).padStart(6)}${r.aim ? `  (${r.aim})` : ''}`);
  process.stdout.write(`\nIsolation Playground benchmarks (${quick ? 'quick' : 'full'}, ${os.cpus().length} cores, ${os.release()})\n${table.join('\n')}\n`);
  const dir = path.join(os.tmpdir(), 'isoplay-bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), quick, rows }, null, 2));
  process.stdout.write(`(also written to ${path.join(dir, 'latest.json')})\n`);
  process.exit(process.exitCode ?? 0);
}

void main();

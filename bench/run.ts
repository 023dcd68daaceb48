// `npm run bench [-- --quick] [-- --only start|throughput|memory|sampler|vm]`: every figure beside a
// baseline measured in the same run, as a ratio. Results also go to <tmp>/isoplay-bench/latest.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { buildApp, type IsoplayApp } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';
import { percentile, ratio, row, type Row } from './stats.js';
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

async function server(over: Partial<Config>): Promise<{ app: IsoplayApp; base: string; ws: string; config: Config }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-bench-'));
  const config = loadConfig([], {}, { dataDir, logLevel: 'error', port: 0, maxSessions: 130, detachGraceMs: 600_000, ...over });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, config };
}

/** The server as a separate process (node + tsx), on a free port, with a temp data dir. */
async function childServer(): Promise<{ base: string; ws: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-bench-'));
  const port = 30000 + (process.pid % 20000);
  // ISOPLAY_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const nodeArgs = process.env.ISOPLAY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(import.meta.dirname, '../server/main.ts'), '--port', String(port), '--pool-size', '0', '--data-dir', dataDir,
    // The terminal path is measured, not the sandbox's CPU quota: the producer (base64) gets as much
    // CPU as the bare-PTY baseline has.
    '--cpu-quota-us', String(os.availableParallelism() * 100_000), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('is running at') && resolve());
    child.once('exit', (c) => reject(new Error(`bench server exited ${c}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function post(base: string): Promise<{ id: string; token: string }> {
  const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (r.status !== 201) throw new Error(`POST ${r.status} ${await r.text()}`);
  return r.json() as Promise<{ id: string; token: string }>;
}

async function del(base: string, s: { id: string; token: string }): Promise<void> {
  await fetch(`${base}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
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
  const srv = await childServer();
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
    cg += (await srv.app.routeContext.driver!.stats(sb.cgroup)).memory.current;
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
  const cpu = async () => {
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) / 1000 / (seconds * 1000)) * 100;
  };
  // Let every sampler finish its start (one probe process per session reads the kernel from inside).
  await new Promise((r) => setTimeout(r, 5000));
  const withSamplers = await cpu();
  // Baseline: the same server and sessions with every sampler stopped.
  // Worst case: every sandbox busy (a loop starting a new process 4 times a second), so no tick can
  // skip the full pass (processes, namespaces, every cgroup file).
  const loops = srv.app.routeContext.registry.list().map((s) => {
    const cmd = s.sandbox!.enterCommand(['/bin/sh', '-c', 'while :; do sleep 0.25; done']);
    return spawn(cmd.file, cmd.args, { env: cmd.env, stdio: 'ignore', detached: true });
  });
  await new Promise((r) => setTimeout(r, 2000));
  const busySessions = await cpu();
  for (const l of loops) l.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 2000));
  // Baseline: the same server and sessions with every sampler stopped.
  for (const sm of srv.app.routeContext.samplers.values()) sm.stop();
  const without = await cpu();
  await srv.app.close();
  rows.push(row(`server CPU with ${n} idle sessions, samplers on at 2 Hz (% of one core)`, withSamplers, '%', 'same server and sessions, samplers off', without));
  rows.push(row(`kernel-view samplers alone, ${n} idle sessions (% of one core)`, withSamplers - without, '%', 'one core', 100, 'aim < 5%'));
  rows.push(row(`server CPU with ${n} busy sessions (new process every 250 ms)`, busySessions, '%', 'idle sessions, samplers off', without));
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

async function main(): Promise<void> {
  const all: [string, () => Promise<void>][] = [['start', benchStart], ['throughput', benchThroughput], ['memory', benchMemory], ['sampler', benchSampler], ['vm', benchVm]];
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
  process.exit(0);
}

void main();

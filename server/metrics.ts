// Prometheus metrics (prom-client): one registry for the process. Counters and histograms are
// process-wide (terminal bytes, check runs, OOM kills, sandbox create/destroy and sampler tick
// durations); the gauges (sessions by state, pool, capacity, terminals) are read at scrape time from
// every app that registered itself as a source (tests run several apps in one process: they add up).
// GET /metrics (server/http/health.ts) serves `metricsText()`.
import client from 'prom-client';

// What this file needs of a sandbox, a cgroup driver and the runtime (structural: base imports no
// higher room, see tests/unit/architecture.test.ts).
interface Sandbox {
  readonly cgroup: unknown;
  destroy(): Promise<void>;
}
interface CgroupDriver {
  listChildren(handle: never): Promise<string[]>;
  stats(handle: never, child?: string): Promise<{ oomKills: number }>;
}
interface SandboxRuntime {
  create(spec: never): Promise<Sandbox>;
}

export const registry = new client.Registry();
// Process metrics: CPU, resident memory, open fds, event-loop lag, heap, GC (prom-client's names).
client.collectDefaultMetrics({ register: registry });

export const terminalBytes = new client.Counter({
  name: 'isoplay_terminal_bytes_total',
  help: 'Bytes through terminals: in = typed by learners (and lab exec blocks), out = written by the shells.',
  labelNames: ['direction'] as const,
  registers: [registry],
});

export const checkRuns = new client.Counter({
  name: 'isoplay_check_runs_total',
  help: 'Lab step checks run, by result (passed, failed, error).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const oomKills = new client.Counter({
  name: 'isoplay_oom_kills_total',
  help: 'OOM kills inside learners\' sandboxes (any cgroup of a session\'s subtree), seen at scrape time or when the session ended.',
  registers: [registry],
});

const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const sandboxCreateSeconds = new client.Histogram({
  name: 'isoplay_sandbox_create_seconds',
  help: 'Time to create a sandbox (namespaces, cgroup, root fs, its init ready), by result (ok, error).',
  labelNames: ['result'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const sandboxDestroySeconds = new client.Histogram({
  name: 'isoplay_sandbox_destroy_seconds',
  help: 'Time to destroy a sandbox (kill every process, remove its cgroups, mounts and network objects).',
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const samplerTickSeconds = new client.Histogram({
  name: 'isoplay_sampler_tick_seconds',
  help: 'Time of one kernel-view sampler tick for one session (one pass of its worker).',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

/** What one app tells the gauges at scrape time. */
export interface MetricsSource {
  sessions(): { state: string; terminals: number; sandbox?: Sandbox; id: string }[];
  poolSize(): number;
  maxSessions(): number;
  driver: CgroupDriver | undefined;
}

const sources = new Set<MetricsSource>();

export function addSource(s: MetricsSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

const STATES = ['creating', 'ready', 'attached', 'detached', 'expired', 'destroyed'];

new client.Gauge({
  name: 'isoplay_sessions',
  help: 'Sessions by state (pooled sandboxes are counted in isoplay_pool_sandboxes, not here).',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const by = new Map(STATES.map((s) => [s, 0]));
    for (const src of sources) for (const s of src.sessions()) by.set(s.state, (by.get(s.state) ?? 0) + 1);
    for (const [state, n] of by) this.set({ state }, n);
  },
});

new client.Gauge({
  name: 'isoplay_pool_sandboxes',
  help: 'Warm sandboxes ready in the pool.',
  registers: [registry],
  collect() {
    let n = 0;
    for (const src of sources) n += src.poolSize();
    this.set(n);
  },
});

new client.Gauge({
  name: 'isoplay_capacity_used_ratio',
  help: 'Sessions plus pooled sandboxes over maxSessions (1 = the next session creation gets 503).',
  registers: [registry],
  collect() {
    let used = 0;
    let max = 0;
    for (const src of sources) {
      used += src.sessions().length + src.poolSize();
      max += src.maxSessions();
    }
    this.set(max ? used / max : 0);
  },
});

new client.Gauge({
  name: 'isoplay_capacity_max_sessions',
  help: 'The configured host-wide capacity (maxSessions).',
  registers: [registry],
  collect() {
    let max = 0;
    for (const src of sources) max += src.maxSessions();
    this.set(max);
  },
});

new client.Gauge({
  name: 'isoplay_terminals',
  help: 'Terminals running (a shell started in a session, attached or not).',
  registers: [registry],
  collect() {
    let n = 0;
    for (const src of sources) for (const s of src.sessions()) n += s.terminals;
    this.set(n);
  },
});

/** Last OOM-kill total seen per session (sum over its cgroup subtree). */
const oomSeen = new Map<string, number>();

async function oomTotal(driver: CgroupDriver, sandbox: Sandbox): Promise<number> {
  let total = 0;
  const handle = sandbox.cgroup as never;
  for (const child of await driver.listChildren(handle)) {
    try {
      total += (await driver.stats(handle, child)).oomKills;
    } catch {
      /* the cgroup went away between the listing and the read */
    }
  }
  return total;
}

/** Adds the OOM kills a session's cgroups counted since the last look; `end` forgets the session. */
export async function scanOom(driver: CgroupDriver | undefined, id: string, sandbox: Sandbox | undefined, end = false): Promise<void> {
  if (driver && sandbox) {
    const total = await oomTotal(driver, sandbox).catch(() => undefined);
    if (total !== undefined) {
      const seen = oomSeen.get(id) ?? 0;
      if (total > seen) oomKills.inc(total - seen);
      oomSeen.set(id, Math.max(seen, total));
    }
  }
  if (end) oomSeen.delete(id);
}

/** The Prometheus text exposition (reads every session's OOM counters first). */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  for (const src of sources) for (const s of src.sessions()) await scanOom(src.driver, s.id, s.sandbox);
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** What readiness knows about the sandbox path from the real creates. */
export interface CreateHistory {
  lastOkAt?: number;
  lastError?: { at: number; message: string };
}

/**
 * Times every sandbox create and destroy of this runtime, and records the last success and failure
 * for /readyz. Patches the instance (the registry and the pool call runtime.create directly).
 */
export function instrumentRuntime<R extends SandboxRuntime>(runtime: R, history: CreateHistory): R {
  const create = runtime.create.bind(runtime) as (spec: never) => Promise<Sandbox>;
  (runtime as SandboxRuntime).create = async (spec: never) => {
    const end = sandboxCreateSeconds.startTimer();
    try {
      const sandbox = await create(spec);
      end({ result: 'ok' });
      history.lastOkAt = Date.now();
      const destroy = sandbox.destroy.bind(sandbox);
      let timed: Promise<void> | undefined;
      // Destroy is idempotent: only the first call is the one that does the work.
      (sandbox as { destroy: () => Promise<void> }).destroy = () =>
        (timed ??= (async () => {
          const stop = sandboxDestroySeconds.startTimer();
          try {
            await destroy();
          } finally {
            stop();
          }
        })());
      return sandbox;
    } catch (e) {
      end({ result: 'error' });
      history.lastError = { at: Date.now(), message: (e as Error).message };
      throw e;
    }
  };
  return runtime;
}

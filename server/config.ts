// One validated config object, from flags, environment and defaults (flags win over env, env over
// defaults). Nothing else in the server reads process.env or process.argv.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { IsoplayError } from './errors.js';
import { parseHost } from './host-name.js';

/** uid slots (sessions) per server instance: each data directory's block of uid ranges (sandbox/instance.ts). */
export const SLOTS_PER_INSTANCE = 1024;

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SandboxLimits {
  /** memory.limit_in_bytes / memory.max; swap is capped to the same total so it is no escape. */
  memoryBytes: number;
  /** pids.max */
  pids: number;
  /** cpu.cfs_quota_us / first field of cpu.max; with cpuPeriodUsec, 50000/100000 = half a CPU. */
  cpuQuotaUsec: number;
  cpuPeriodUsec: number;
  /** cpu.weight (v2, 1..10000); v1 cpu.shares is derived from it. */
  cpuWeight: number;
}

export interface Config {
  host: string;
  port: number;
  /** sandbox: every learner in a sandbox (default). host: a real root shell on the host (opt-in). */
  mode: 'sandbox' | 'host';
  dataDir: string;
  labsDir: string;
  webDir: string;
  /** Host-wide capacity: sessions (pooled ones included) beyond this get HTTP 503 ISOPLAY_ERR_CAPACITY. */
  maxSessions: number;
  /** Ready sandboxes kept warm, refilled in the background; counted in maxSessions. */
  poolSize: number;
  /** How long a session lives after its last terminal socket closed. */
  detachGraceMs: number;
  /** How long a session lives if no terminal socket ever attached to it (a flood of unused sessions ends soon). */
  unattachedGraceMs: number;
  /** Anonymous session creations allowed per client address per sessionRateWindowMs. */
  sessionRateMax: number;
  /** Session creations allowed per workshop (keyed by its join code: a room shares one NAT address) per window. */
  workshopSessionRateMax: number;
  sessionRateWindowMs: number;
  /** Live anonymous (not workshop) sessions one client address may hold at once. */
  maxSessionsPerClient: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty: the socket's address is the client. */
  trustProxy: string[];
  limits: SandboxLimits;
  /** Size of the sandbox's tmpfs root (its writable layer). */
  rootfsBytes: number;
  /** Memory kept for the server and the host: all sandboxes together are capped at RAM minus this. */
  serverReserveBytes: number;
  /** CPUs all sandboxes together may use (the `<prefix>` parent's quota), below the host's count. */
  sandboxesCpus: number;
  /** Ptys a sandbox's own devpts may hold (`max=`): the kernel's pty count is shared by every sandbox. */
  ptysPerSandbox: number;
  /** Terminals one session may have open: its lab's, plus the ones the learner opens with `+`. */
  maxTerminals: number;
  /**
   * Labs that boot a VM inside the sandbox (off: listed as unavailable with the reason). The pure-v2
   * test VM turns them off: a VM under TCG inside a VM under TCG would take minutes to boot.
   */
  vmLabs: boolean;
  /** Every session's sandbox gets its own "internet" (server/sandbox/world.ts); off saves two processes per sandbox. */
  world: boolean;
  /**
   * Session slot n maps 0..uidCount-1 inside to uidBase + n*uidCount outside: root and 65536 more, so
   * /etc/subuid inside (root:1:65536) can hand a nested user namespace a full 16-bit range.
   */
  uidBase: number;
  uidCount: number;
  /** The cgroupfs mount root; tests inject a fake one. */
  cgroupRoot: string;
  /**
   * cgroup v2 only: the server runs in a cgroup delegated to it (systemd Delegate=yes): it moves
   * into a leaf of its own cgroup and makes the sandboxes' parent there (sandbox/cgroups/delegate.ts).
   */
  cgroupDelegate: boolean;
  /** Every kernel object this project creates is named with this prefix. */
  prefix: string;
  /** Kernel view sampler rate per session. */
  samplerHz: number;
  scrollbackBytes: number;
  flowHighWaterBytes: number;
  flowLowWaterBytes: number;
  /**
   * Host names this server answers to besides loopback names, IP literals, the bound address and
   * os.hostname(): every request with another Host is refused (DNS rebinding).
   */
  allowedHosts: string[];
  /** Full origins (scheme://host:port) allowed besides those whose host is allowed; '*' allows any. */
  allowedOrigins: string[];
  checkTimeoutMs: number;
  /** How long a new sandbox's init may take to say it is ready (a slow or emulated host needs more). */
  sandboxStartTimeoutMs: number;
  /**
   * The server-wide instructor key that creating a workshop needs. Unset: generated at first start
   * into <dataDir>/instructor-key (mode 0600) and shown on the console when it is a terminal.
   */
  instructorKey?: string;
  /** How long before a workshop's end every learner gets a warning (ms, largest first); tests shorten them. */
  workshopWarningsMs: number[];
  /** Bearer token that lets a non-loopback client read GET /metrics (empty: loopback clients only). */
  metricsToken: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

const MiB = 1024 * 1024;

export function defaultConfig(): Config {
  const cpus = Math.max(1, os.availableParallelism());
  return {
    host: '127.0.0.1',
    port: 8080,
    mode: 'sandbox',
    dataDir: path.join(PROJECT_ROOT, '.isoplay-data'),
    labsDir: path.join(PROJECT_ROOT, 'labs'),
    webDir: path.join(PROJECT_ROOT, 'dist', 'web'),
    maxSessions: Math.max(4, Math.floor(os.totalmem() / (256 * MiB)) - 4),
    poolSize: 2,
    detachGraceMs: 10 * 60_000,
    unattachedGraceMs: 60_000,
    sessionRateMax: 10,
    workshopSessionRateMax: 300,
    sessionRateWindowMs: 60_000,
    maxSessionsPerClient: 5,
    trustProxy: [],
    limits: {
      memoryBytes: 256 * MiB,
      pids: 256,
      cpuQuotaUsec: Math.round(Math.min(1, cpus / 4) * 100_000),
      cpuPeriodUsec: 100_000,
      cpuWeight: 100,
    },
    rootfsBytes: 128 * MiB,
    serverReserveBytes: 512 * MiB,
    sandboxesCpus: Math.max(0.5, cpus - 0.5),
    ptysPerSandbox: 32,
    maxTerminals: 4,
    vmLabs: true,
    world: true,
    uidBase: 1_000_000_000,
    uidCount: 65537,
    cgroupRoot: '/sys/fs/cgroup',
    cgroupDelegate: false,
    prefix: 'isoplay',
    samplerHz: 2,
    scrollbackBytes: 256 * 1024,
    flowHighWaterBytes: 512 * 1024,
    flowLowWaterBytes: 128 * 1024,
    allowedHosts: [],
    allowedOrigins: [],
    checkTimeoutMs: 10_000,
    sandboxStartTimeoutMs: 10_000,
    instructorKey: undefined,
    workshopWarningsMs: [10 * 60_000, 2 * 60_000],
    metricsToken: '',
    logLevel: 'info',
  };
}

type Kind = 'int' | 'decimal' | 'string' | 'mode' | 'bytes' | 'list' | 'level' | 'onoff';
/** Each config key: its flag, its env var and its type. The key path is what errors name. */
const KEYS: { key: string; flag: string; env: string; kind: Kind; min?: number }[] = [
  { key: 'host', flag: '--host', env: 'HOST', kind: 'string' },
  { key: 'port', flag: '--port', env: 'PORT', kind: 'int', min: 0 },
  { key: 'mode', flag: '--mode', env: 'ISOPLAY_MODE', kind: 'mode' },
  { key: 'dataDir', flag: '--data-dir', env: 'ISOPLAY_DATA_DIR', kind: 'string' },
  { key: 'labsDir', flag: '--labs-dir', env: 'ISOPLAY_LABS_DIR', kind: 'string' },
  { key: 'webDir', flag: '--web-dir', env: 'ISOPLAY_WEB_DIR', kind: 'string' },
  { key: 'maxSessions', flag: '--max-sessions', env: 'ISOPLAY_MAX_SESSIONS', kind: 'int', min: 1 },
  { key: 'poolSize', flag: '--pool-size', env: 'ISOPLAY_POOL_SIZE', kind: 'int', min: 0 },
  { key: 'detachGraceMs', flag: '--detach-grace-ms', env: 'ISOPLAY_DETACH_GRACE_MS', kind: 'int', min: 0 },
  { key: 'unattachedGraceMs', flag: '--unattached-grace-ms', env: 'ISOPLAY_UNATTACHED_GRACE_MS', kind: 'int', min: 1000 },
  { key: 'sessionRateMax', flag: '--session-rate-max', env: 'ISOPLAY_SESSION_RATE_MAX', kind: 'int', min: 1 },
  { key: 'workshopSessionRateMax', flag: '--workshop-session-rate-max', env: 'ISOPLAY_WORKSHOP_SESSION_RATE_MAX', kind: 'int', min: 1 },
  { key: 'sessionRateWindowMs', flag: '--session-rate-window-ms', env: 'ISOPLAY_SESSION_RATE_WINDOW_MS', kind: 'int', min: 1000 },
  { key: 'maxSessionsPerClient', flag: '--max-sessions-per-client', env: 'ISOPLAY_MAX_SESSIONS_PER_CLIENT', kind: 'int', min: 1 },
  { key: 'trustProxy', flag: '--trust-proxy', env: 'ISOPLAY_TRUST_PROXY', kind: 'list' },
  { key: 'limits.memoryBytes', flag: '--memory', env: 'ISOPLAY_MEMORY', kind: 'bytes', min: 1 },
  { key: 'limits.pids', flag: '--pids', env: 'ISOPLAY_PIDS', kind: 'int', min: 1 },
  { key: 'limits.cpuQuotaUsec', flag: '--cpu-quota-us', env: 'ISOPLAY_CPU_QUOTA_US', kind: 'int', min: 1 },
  { key: 'limits.cpuPeriodUsec', flag: '--cpu-period-us', env: 'ISOPLAY_CPU_PERIOD_US', kind: 'int', min: 1 },
  { key: 'limits.cpuWeight', flag: '--cpu-weight', env: 'ISOPLAY_CPU_WEIGHT', kind: 'int', min: 1 },
  { key: 'rootfsBytes', flag: '--rootfs-size', env: 'ISOPLAY_ROOTFS_SIZE', kind: 'bytes', min: 1 },
  { key: 'serverReserveBytes', flag: '--server-reserve', env: 'ISOPLAY_SERVER_RESERVE', kind: 'bytes', min: 64 * MiB },
  { key: 'sandboxesCpus', flag: '--sandboxes-cpus', env: 'ISOPLAY_SANDBOXES_CPUS', kind: 'decimal', min: 0.1 },
  { key: 'ptysPerSandbox', flag: '--ptys-per-sandbox', env: 'ISOPLAY_PTYS_PER_SANDBOX', kind: 'int', min: 2 },
  { key: 'maxTerminals', flag: '--max-terminals', env: 'ISOPLAY_MAX_TERMINALS', kind: 'int', min: 1 },
  { key: 'vmLabs', flag: '--vm-labs', env: 'ISOPLAY_VM_LABS', kind: 'onoff' },
  { key: 'world', flag: '--world', env: 'ISOPLAY_WORLD', kind: 'onoff' },
  { key: 'uidBase', flag: '--uid-base', env: 'ISOPLAY_UID_BASE', kind: 'int', min: 65536 },
  { key: 'cgroupRoot', flag: '--cgroup-root', env: 'ISOPLAY_CGROUP_ROOT', kind: 'string' },
  { key: 'cgroupDelegate', flag: '--cgroup-delegate', env: 'ISOPLAY_CGROUP_DELEGATE', kind: 'onoff' },
  { key: 'samplerHz', flag: '--sampler-hz', env: 'ISOPLAY_SAMPLER_HZ', kind: 'int', min: 1 },
  { key: 'scrollbackBytes', flag: '--scrollback', env: 'ISOPLAY_SCROLLBACK', kind: 'bytes', min: 1024 },
  { key: 'allowedHosts', flag: '--allowed-hosts', env: 'ISOPLAY_ALLOWED_HOSTS', kind: 'list' },
  { key: 'allowedOrigins', flag: '--allowed-origins', env: 'ISOPLAY_ALLOWED_ORIGINS', kind: 'list' },
  { key: 'checkTimeoutMs', flag: '--check-timeout-ms', env: 'ISOPLAY_CHECK_TIMEOUT_MS', kind: 'int', min: 100 },
  { key: 'sandboxStartTimeoutMs', flag: '--sandbox-start-timeout-ms', env: 'ISOPLAY_SANDBOX_START_TIMEOUT_MS', kind: 'int', min: 1000 },
  { key: 'instructorKey', flag: '--instructor-key', env: 'ISOPLAY_INSTRUCTOR_KEY', kind: 'string' },
  { key: 'metricsToken', flag: '--metrics-token', env: 'ISOPLAY_METRICS_TOKEN', kind: 'string' },
  { key: 'logLevel', flag: '--log-level', env: 'ISOPLAY_LOG_LEVEL', kind: 'level' },
];

/** Every flag and environment variable (the README's configuration reference is checked against it). */
export const CONFIG_KEYS: readonly { key: string; flag: string; env: string }[] = KEYS;

const UNITS: Record<string, number> = { '': 1, k: 1024, m: MiB, g: 1024 * MiB };

function parseValue(key: string, kind: Kind, raw: string, min: number | undefined): unknown {
  const bad = (detail: string) => new IsoplayError('ISOPLAY_ERR_CONFIG', { key, detail });
  switch (kind) {
    case 'string':
      if (raw === '') throw bad('must not be empty');
      return raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'mode':
      if (raw !== 'sandbox' && raw !== 'host') throw bad(`expected "sandbox" or "host", found "${raw}"`);
      return raw;
    case 'onoff':
      if (raw !== 'on' && raw !== 'off') throw bad(`expected "on" or "off", found "${raw}"`);
      return raw === 'on';
    case 'level':
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(raw)) throw bad(`unknown log level "${raw}"`);
      return raw;
    case 'decimal': {
      if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw bad(`expected a number such as 1.5, found "${raw}"`);
      const n = Number(raw.trim());
      if (min !== undefined && n < min) throw bad(`must be at least ${min}, found ${n}`);
      return n;
    }
    case 'int':
    case 'bytes': {
      const m = kind === 'bytes' ? /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw.trim()) : /^(\d+)$/.exec(raw.trim());
      if (!m) throw bad(`expected ${kind === 'bytes' ? 'a size such as 256M' : 'a whole number'}, found "${raw}"`);
      const n = Number(m[1]) * (kind === 'bytes' ? UNITS[(m[2] ?? '').toLowerCase()] : 1);
      if (!Number.isSafeInteger(n)) throw bad(`"${raw}" is too large`);
      if (min !== undefined && n < min) throw bad(`must be at least ${min}, found ${n}`);
      return n;
    }
  }
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[parts[parts.length - 1]] = value;
}

/** Flags with their values, in order (node:util parseArgs, strict: unknown flags and missing values throw). */
function parseFlags(argv: readonly string[]): [(typeof KEYS)[number], string][] {
  const options = Object.fromEntries(KEYS.map((k) => [k.flag.slice(2), { type: 'string' as const, multiple: true }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? '';
    const known = KEYS.find((k) => k.flag === flag.split('=')[0]);
    if (known) throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: known.key, detail: `${known.flag} needs a value` });
    const detail = err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `unexpected argument; known flags: ${KEYS.map((x) => x.flag).join(' ')}` : `unknown flag; known flags: ${KEYS.map((x) => x.flag).join(' ')}`;
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? /'([^']*)'/.exec(err.message)?.[1] ?? flag : flag, detail });
  }
  const out: [(typeof KEYS)[number], string][] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.value === undefined) continue;
    out.push([KEYS.find((k) => k.flag === `--${t.name}`)!, t.value]);
  }
  return out;
}

/**
 * Builds the config from argv (e.g. ['--port', '9000'] or ['--port=9000']) and env.
 * Unknown flags and bad values throw ISOPLAY_ERR_CONFIG naming the key.
 */
export function loadConfig(
  argv: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = {},
  overrides: Partial<Config> = {},
): Config {
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  for (const k of KEYS) {
    const v = env[k.env];
    if (v !== undefined && v !== '') setPath(cfg, k.key, parseValue(k.key, k.kind, v, k.min));
  }
  for (const [k, raw] of parseFlags(argv)) setPath(cfg, k.key, parseValue(k.key, k.kind, raw, k.min));
  const out = { ...(cfg as unknown as Config), ...overrides, limits: { ...(cfg as unknown as Config).limits, ...(overrides.limits ?? {}) } };
  if (out.maxSessions > SLOTS_PER_INSTANCE) {
    // Each server's sandboxes take uid ranges from its own block of SLOTS_PER_INSTANCE (sandbox/instance.ts).
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'maxSessions', detail: `at most ${SLOTS_PER_INSTANCE} per server, found ${out.maxSessions}` });
  }
  if (out.poolSize >= out.maxSessions) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'poolSize', detail: `must be below maxSessions (${out.maxSessions}), found ${out.poolSize}` });
  }
  if (out.limits.cpuQuotaUsec > out.limits.cpuPeriodUsec * os.availableParallelism()) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'limits.cpuQuotaUsec', detail: 'quota exceeds all CPUs of this host' });
  }
  if (out.sandboxesCpus > os.availableParallelism()) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'sandboxesCpus', detail: `exceeds the ${os.availableParallelism()} CPUs of this host` });
  }
  if (out.limits.cpuQuotaUsec > out.sandboxesCpus * out.limits.cpuPeriodUsec) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'limits.cpuQuotaUsec', detail: `one sandbox's quota exceeds what all sandboxes together may use (sandboxesCpus ${out.sandboxesCpus})` });
  }
  if (out.serverReserveBytes >= os.totalmem() - 64 * MiB) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'serverReserveBytes', detail: `leaves no memory for sandboxes on this ${Math.round(os.totalmem() / MiB)} MiB host` });
  }
  for (const h of out.allowedHosts) {
    if (!parseHost(h)) {
      throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'allowedHosts', detail: `"${h}" is not a host name (give bare names such as playground.example.org, no scheme or path)` });
    }
  }
  if (out.flowLowWaterBytes >= out.flowHighWaterBytes) {
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', { key: 'flowLowWaterBytes', detail: 'must be below flowHighWaterBytes' });
  }
  return out;
}

/** The caps on the shared parent of every sandbox (the server and the host keep the rest). */
export function parentLimitsOf(config: Pick<Config, 'serverReserveBytes' | 'sandboxesCpus' | 'limits'>): { memoryBytes: number; cpuQuotaUsec: number; cpuPeriodUsec: number } {
  return {
    memoryBytes: os.totalmem() - config.serverReserveBytes,
    cpuQuotaUsec: Math.round(config.sandboxesCpus * config.limits.cpuPeriodUsec),
    cpuPeriodUsec: config.limits.cpuPeriodUsec,
  };
}

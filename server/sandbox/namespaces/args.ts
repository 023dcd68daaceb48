// The pure builder from a SandboxSpec (and a few host facts) to what isoplay-init is given: the
// setup operations of `create` (settings, then the root layout of rootfs/layout.ts) and the argv of
// `enter`. Deciding happens here; the C helper only validates and executes. Unit-tested without a kernel.
import type { SandboxNamespace, SandboxSpec } from '../spec.js';
import type { CgroupHandle } from '../cgroups/driver.js';
import type { CgroupHierarchy } from '../cgroups/detect.js';
import { hierarchyName } from '../cgroups/detect.js';
import { buildRootLayout } from '../rootfs/layout.js';
import type { SetupOp } from '../init/ops.js';
import type { RunView } from '../spec.js';

export interface HostFacts {
  mode: 'v1' | 'v2';
  /** Every cgroup hierarchy the host mounts (mounted again inside, rooted at the session). */
  hierarchies: CgroupHierarchy[];
  /** Merged-usr links the host has at / (bin, sbin, lib, lib64, lib32). */
  mergedUsr: string[];
}

/** Facts of this one launch: who the monitor's parent is and where it came from. */
export interface LaunchFacts {
  serverPid: number;
  /** The cgroup.procs file of the server's own cgroup in each hierarchy: the monitor goes back there after clone. */
  returnProcs: string[];
  ptyMax: number;
}

/** The namespaces isoplay-init can create, in the order `enter` joins them. */
const SUPPORTED: SandboxNamespace[] = ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'];
/** Without these a sandbox would share the host's ids, processes or files: never built. */
const REQUIRED: SandboxNamespace[] = ['user', 'pid', 'mnt'];

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

export function checkNamespaces(kinds: SandboxNamespace[]): SandboxNamespace[] {
  for (const k of kinds) if (!SUPPORTED.includes(k)) throw new SpecError(`namespace "${k}" is not supported by isoplay-init (supported: ${SUPPORTED.join(', ')})`);
  for (const k of REQUIRED) if (!kinds.includes(k)) throw new SpecError(`a sandbox needs a ${k} namespace of its own`);
  return SUPPORTED.filter((k) => kinds.includes(k));
}

/** `TYPE:OPTIONS:NAME` for each hierarchy, as the sandbox mounts them under /sys/fs/cgroup. */
export function cgroupMounts(facts: Pick<HostFacts, 'mode' | 'hierarchies'>): string[] {
  if (facts.mode === 'v2') return ['cgroup2::.'];
  return facts.hierarchies.map((h) => {
    if (h.version === 2) return `cgroup2::${hierarchyName(h)}`;
    const named = h.controllers.find((c) => c.startsWith('name='));
    const opts = named ? `none,${named}` : h.controllers.join(',');
    return `cgroup:${opts}:${hierarchyName(h)}`;
  });
}

const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})$/;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function buildCreateOps(spec: SandboxSpec, cgroup: CgroupHandle, host: HostFacts, launch: LaunchFacts): SetupOp[] {
  if (!ID.test(spec.id)) throw new SpecError(`bad sandbox id ${JSON.stringify(spec.id)}`);
  if (!HOSTNAME.test(spec.hostname)) throw new SpecError(`bad hostname ${JSON.stringify(spec.hostname)}`);
  if (!Number.isSafeInteger(spec.idBase) || spec.idBase <= 0 || !Number.isSafeInteger(spec.idCount) || spec.idCount <= 0 || spec.idBase + spec.idCount > 2 ** 32 - 1) {
    throw new SpecError(`bad id range ${spec.idBase}+${spec.idCount}`);
  }
  const ops: SetupOp[] = [
    { op: 'id', id: spec.id },
    { op: 'hostname', name: spec.hostname },
    { op: 'server-pid', pid: launch.serverPid },
    { op: 'map', base: spec.idBase, count: spec.idCount },
    { op: 'namespaces', kinds: checkNamespaces(spec.namespaces) },
    { op: 'seccomp', on: spec.seccomp !== false },
  ];
  // Join the session before clone so the child's cgroup namespace is rooted at the session.
  for (const file of cgroup.procsFiles) ops.push({ op: 'join-procs', file });
  // v2: no process may stay in the session itself (no-internal-process rule): init steps into the leaf.
  if (host.mode === 'v2') for (const file of cgroup.leafProcsFiles) ops.push({ op: 'init-procs', file });
  // The monitor leaves the session once init is made: killing the session's cgroup at teardown then
  // kills exactly the sandbox, and the monitor lives to reap init and report how it ended.
  for (const file of launch.returnProcs) ops.push({ op: 'return-procs', file });
  ops.push(...buildRootLayout(spec, { mergedUsr: host.mergedUsr, cgroupMounts: cgroupMounts(host), ptyMax: launch.ptyMax }));
  return ops;
}

export interface EnterTarget {
  /** Host pid of the sandbox's init, its start time (field 22 of /proc/PID/stat) and its monitor's pid. */
  initPid: number;
  initStart: string;
  monitorPid: number;
  /** The session's cgroup path as /proc/PID/cgroup shows it from the host (e.g. /isoplay/sabc). */
  cgroupPath: string;
  namespaces: SandboxNamespace[];
  seccomp: boolean;
}

export interface EnterArgsOptions {
  cwd?: string;
  env?: Record<string, string>;
  exitHandshake?: boolean;
  view?: RunView;
}

/** The namespaces a kernel-view command joins: the state it judges, never the sandbox's user or mount namespace. */
const KERNEL_VIEW_NAMESPACES: readonly SandboxNamespace[] = ['uts', 'ipc', 'net', 'cgroup'];

/**
 * What a kernel-view command is told about its sandbox, all host paths and host pids: the init's
 * pid, and the session's cgroup directory for memory, pids and cpu (the same one on v2).
 */
export function kernelViewEnv(target: EnterTarget, cgroup: CgroupHandle): Record<string, string> {
  const dirOf = (ctrl: string) => Object.entries(cgroup.dirs).find(([k]) => k.split(',').includes(ctrl))?.[1] ?? cgroup.dirs.unified ?? '';
  return {
    ISOPLAY_INIT_PID: String(target.initPid),
    ISOPLAY_CGROUP: dirOf('memory'),
    ISOPLAY_CGROUP_MEMORY: dirOf('memory'),
    ISOPLAY_CGROUP_PIDS: dirOf('pids'),
    ISOPLAY_CGROUP_CPU: dirOf('cpu'),
  };
}

export function buildEnterArgs(target: EnterTarget, cgroup: CgroupHandle, argv: string[], opts: EnterArgsOptions = {}): string[] {
  if (!/^\d+$/.test(target.initStart)) throw new SpecError(`bad start time ${JSON.stringify(target.initStart)}`);
  const kernel = opts.view === 'kernel';
  const namespaces = checkNamespaces(target.namespaces).filter((n) => !kernel || KERNEL_VIEW_NAMESPACES.includes(n));
  const args = ['enter', '--pid', String(target.initPid), '--start', target.initStart, '--monitor', String(target.monitorPid),
    '--cgroup', target.cgroupPath, '--ns', namespaces.join(',')];
  if (!target.seccomp) args.push('--no-seccomp');
  if (kernel) args.push('--kernel-view');
  for (const f of cgroup.leafProcsFiles) args.push('--join-procs', f);
  const cwd = opts.cwd ?? (kernel ? '/' : undefined);
  if (cwd) args.push('--cwd', cwd);
  if (opts.exitHandshake) args.push('--exit-handshake');
  const env = kernel ? { ...opts.env, ...kernelViewEnv(target, cgroup) } : opts.env;
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new SpecError(`bad environment variable name ${JSON.stringify(k)}`);
    args.push('--env', `${k}=${v}`);
  }
  return [...args, '--', ...argv];
}

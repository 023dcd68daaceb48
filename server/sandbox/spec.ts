// SandboxSpec: what a sandbox is, as pure data. The runtime turns it into kernel objects.
import type { SandboxLimits } from '../config.js';
import type { CgroupHandle } from './cgroups/driver.js';

export type SandboxNamespace = 'user' | 'pid' | 'mnt' | 'uts' | 'ipc' | 'net' | 'cgroup' | 'time';

export interface SandboxSpec {
  /** Session id; every object is named `${prefix}-${id}` or `${prefix}/${id}`. */
  id: string;
  prefix: string;
  hostname: string;
  namespaces: SandboxNamespace[];
  /** Host uid/gid that root (0) inside maps to; 0..idCount-1 map to idBase..idBase+idCount-1. */
  idBase: number;
  idCount: number;
  limits: SandboxLimits;
  rootfsBytes: number;
  /** More host paths bound read-only inside, `SRC:DEST` or `PATH` (labs' assets, tests). */
  extraRoBinds?: string[];
  /** The syscall filter (isoplay-init.c load_filter); on unless a test turns it off to prove it matters. */
  seccomp?: boolean;
  /** Give the sandbox its "internet" (server/sandbox/world.ts): a world netns with a web and a DNS server. */
  world?: boolean;
}

/**
 * Where a command runs. `sandbox`: as the sandbox's root inside every namespace and its root
 * filesystem (what the learner sees; its files can be the learner's). `kernel`: as host root in the
 * host's mount namespace, with the host's own binaries and /proc, having joined only the sandbox's
 * UTS, IPC, network and cgroup namespaces: a lab check that judges kernel state runs there, so no
 * bind mount or fake file inside the sandbox can fool it. Such a command must never follow a path
 * the learner controls (/proc/PID/root, /proc/PID/cwd, files under the sandbox's root).
 */
export type RunView = 'sandbox' | 'kernel';

export interface EnterOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** For terminals: end with the exit handshake so the last output is never lost (see isoplay-init.c). */
  exitHandshake?: boolean;
  view?: RunView;
}

export interface RunInSandboxOptions {
  input?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  view?: RunView;
}

/** A running sandbox. Owned by a session; destroyed exactly once. */
export interface Sandbox {
  readonly spec: SandboxSpec;
  /** Host PID of the sandbox's init (PID 1 inside), its start time and its monitor's pid: `enter`
   * refuses a pid that no longer carries all three (a dead init's pid is soon someone else's). */
  readonly initPid: number;
  readonly initStart: string;
  readonly monitorPid: number;
  readonly cgroup: CgroupHandle;
  /**
   * The host command (file + args) that, started by the host-root server (for example by the PTY
   * library), runs `argv` as root inside this sandbox: every namespace, the session cgroup, its root fs.
   */
  enterCommand(argv: string[], opts?: EnterOptions): { file: string; args: string[]; env: Record<string, string> };
  /**
   * Runs a command inside from the server (checks, solves, probes): at most a few at once per
   * sandbox, so one learner's stuck checks cannot pile up processes on the host. Never throws for
   * the command's own failure; throws ISOPLAY_ERR_BUSY when too many are already waiting.
   */
  run(argv: string[], opts: RunInSandboxOptions): Promise<import('./exec.js').RunResult>;
  /** Resolves when init dies for any reason (then the sandbox is over: its session ends). */
  readonly exited: Promise<void>;
  /** Kills every process, removes cgroups, mounts and network objects. Never throws. Idempotent. */
  destroy(): Promise<void>;
}

export interface SandboxFactory {
  create(spec: SandboxSpec): Promise<Sandbox>;
}

// The one cgroup interface (DESIGN.md §4). Callers never ask which kernel they are on.
// File names in implementations are the kernel's own (memory.limit_in_bytes, memory.max, pids.max).
import type { SandboxLimits } from '../../config.js';
import type { CgroupStats } from '../../protocol/events.js';

export type { CgroupStats };

export type CgroupMode = 'v1' | 'v2';
export type HostCgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupHandle {
  /** Path below the cgroupfs root of each hierarchy, e.g. 'isoplay/s-1a2b'. */
  path: string;
  /**
   * Absolute directory in every hierarchy the session joined (v1: one per mounted hierarchy,
   * keyed by controller list such as 'memory' or 'name=systemd'; v2: one entry, key 'unified').
   */
  dirs: Record<string, string>;
  /** The cgroup.procs files a process must be written to, to join the session in every hierarchy. */
  procsFiles: string[];
  /**
   * Where the sandbox's processes live. v1: the same as procsFiles. v2: the leaf `<session>/init`,
   * because of the no-internal-process rule (the learner may enable controllers in the session's
   * cgroup.subtree_control only while the session itself holds no process).
   */
  leafProcsFiles: string[];
}

/** Caps on the `<prefix>` parent of every session: all sandboxes together stay below the host. */
export interface ParentLimits {
  memoryBytes: number;
  cpuQuotaUsec: number;
  cpuPeriodUsec: number;
}

export interface CgroupDriver {
  readonly mode: CgroupMode;
  /** Makes the directories in every hierarchy, writes the limits. Throws naming the file and the kernel's error. */
  create(path: string, limits: SandboxLimits): Promise<CgroupHandle>;
  /** Chowns what the learner may write (the session dir, cgroup.procs, tasks / subtree_control, threads). */
  delegate(handle: CgroupHandle, uid: number, gid: number): Promise<void>;
  /** Moves pid into the session's cgroup in every hierarchy (v2: into the leaf `leaf`, default the session dir). */
  attach(handle: CgroupHandle, pid: number, leaf?: string): Promise<void>;
  /** Stats of the session cgroup, or of a child (relative path as the learner sees it, '/' = the session). */
  stats(handle: CgroupHandle, child?: string): Promise<CgroupStats>;
  /** Child cgroups the learner made, relative paths as seen inside ('/' first). */
  listChildren(handle: CgroupHandle): Promise<string[]>;
  /**
   * Ends every process in the session's subtree, in every hierarchy, however the learner left it:
   * v1 freezes the session, SIGKILLs, then thaws every level (a frozen task ignores SIGKILL);
   * v2 writes cgroup.kill. Never throws.
   */
  kill(handle: CgroupHandle): Promise<void>;
  /**
   * kill(), then removes the directories deepest first, retrying while the kernel holds one busy.
   * Never throws; returns the directories it could not remove (empty when all are gone).
   */
  destroy(handle: CgroupHandle): Promise<string[]>;
  /** The handle of an existing session path (for the reaper, which has no handle). */
  handleFor(path: string): CgroupHandle;
  /** Every `<prefix>/*` session directory present in any hierarchy (for the reaper). */
  listSessions(): Promise<string[]>;
}

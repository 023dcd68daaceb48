// Session event socket messages (DESIGN.md §6): JSON text frames `{ type, at, ... }`.
// The first message of each type is a full snapshot; later ones replace it when it changes.

export const NAMESPACE_KINDS = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

export interface KernelInfo {
  release: string;
  bootId: string;
  /** Uptime when the message was sent (`at`); a page adds the time since `at` to show it live. */
  uptimeSec: number;
}

export interface KernelMessage {
  type: 'kernel';
  at: number;
  host: KernelInfo;
  sandbox: KernelInfo;
  /**
   * Virtual machines running inside the sandbox (`isoplay-vm`, the containers-vs-VM lab), each with
   * a kernel of its own, as its guest reported it at boot. Absent or empty when none runs.
   */
  vms?: VmKernelInfo[];
}

export interface VmKernelInfo extends KernelInfo {
  /** Host PID of the qemu process that runs it. */
  hostPid: number;
  /** `tcg` (emulated CPU) or `kvm` (hardware virtualization), from qemu's own command line. */
  accel: string;
  /** MemTotal inside the guest, in KiB: the RAM it was given, less what its kernel keeps for itself. */
  memTotalKb?: number;
  /** The RAM qemu was told to give the guest (`-m`), in MiB; absent when its command line does not say. */
  memConfiguredMiB?: number;
  /** What qemu really holds of it on the host (its resident memory), in MiB. */
  memUsedMiB?: number;
  /** The guest's uptime when its init first ran: its kernel's own clock, which starts after firmware and decompression. */
  bootSec: number;
  /** Wall-clock seconds from qemu's launch to the guest's report (firmware, kernel, init): the whole boot. */
  bootWallSec?: number;
}

export interface ProcessInfo {
  hostPid: number;
  /** NSpid from /proc/PID/status: outermost (host) first, innermost last. */
  nsPids: number[];
  ppid: number;
  comm: string;
  args: string;
  uid: { inside: number; host: number };
  ns: Partial<Record<NamespaceKind, number>>;
  /** Resident memory (VmRSS), KiB; absent for a kernel thread or a zombie. */
  rssKb?: number;
}

/**
 * The server reads a bounded amount per session and per pass (so one learner's thousands of cgroups
 * or processes cannot slow the others): a list past its bound is cut, and says how much it left out.
 */
export interface Truncated {
  /** How many more the sandbox has than `list` shows; absent when the list is complete. */
  more?: number;
  /** The server stopped counting at its bound: there are at least `more` more. */
  moreIsLowerBound?: true;
}

export interface ProcessesMessage extends Truncated {
  type: 'processes';
  at: number;
  hostNs: Partial<Record<NamespaceKind, number>>;
  /** The sandbox's processes by host pid, lowest first, up to the server's bound (200). */
  list: ProcessInfo[];
}

/** One cgroup's numbers, as the cgroup driver reads them (server/sandbox/cgroups/driver.ts uses this type). */
export interface CgroupStats {
  memory: { current: number; max: number | null; peak: number | null };
  pids: { current: number; max: number | null };
  cpu: { usageUsec: number; throttledUsec: number; quotaUsec: number | null; periodUsec: number | null };
  oomKills: number;
  /**
   * Controllers that do not account this cgroup at all (their numbers above are zeros, not
   * measurements): v1, no directory of that path in the controller's hierarchy; v2, the controller
   * is not enabled in the parent's cgroup.subtree_control.
   */
  missing?: ('memory' | 'pids' | 'cpu')[];
}

export interface CgroupInfo extends CgroupStats {
  /** As the learner sees it under /sys/fs/cgroup ('/' is the session). On v1, the memory hierarchy's path. */
  path: string;
}

export interface CgroupsMessage extends Truncated {
  type: 'cgroups';
  at: number;
  mode: 'v1' | 'v2';
  /** The session ('/') first, then its children in pre-order, up to the server's bound (64). */
  list: CgroupInfo[];
}

export type SessionEvent =
  | { kind: 'oom'; path: string; count: number }
  | { kind: 'throttle'; path: string; throttledUsec: number }
  | { kind: 'step-passed'; lab: string; step: number; message: string }
  | { kind: 'step-failed'; lab: string; step: number; message: string; reason?: string }
  | { kind: 'check-error'; lab: string; step: number; message: string }
  | { kind: 'exit'; terminal: string; code: number | null }
  /** A message from the workshop's instructor to every learner in it. */
  | { kind: 'announce'; text: string }
  /** The instructor took (`instructor: true`) or gave back the keyboard of this terminal. */
  | { kind: 'keyboard'; terminal: string; instructor: boolean }
  /** The workshop's instructor started or stopped broadcasting their own terminal to the room. */
  | { kind: 'broadcast'; live: boolean }
  /** The workshop ends at `endsAt` (ms since epoch): sent at 10 and 2 minutes before, and when the instructor extends it. */
  | { kind: 'workshop-ending'; endsAt: number; extended?: boolean }
  /** The instructor resolved this session's request for help. */
  | { kind: 'help-resolved' };

/** The workshop's unexpired announcements (a snapshot: replayed to a page that connects or reconnects). */
export interface AnnouncementsMessage {
  type: 'announcements';
  at: number;
  list: { id: string; text: string; at: number; expiresAt: number }[];
}

export type EventMessage = { type: 'event'; at: number } & SessionEvent;

export type ServerEventMessage = KernelMessage | ProcessesMessage | CgroupsMessage | EventMessage | AnnouncementsMessage;

// The setup operations isoplay-init executes, bubblewrap's SetupOp model: the TypeScript builder
// decides everything and emits this list; the C helper validates each operation and executes them
// in order. The list travels on the helper's stdin (it outgrew argv), encoded as NUL-terminated
// fields: the operation's name, then exactly its arity of arguments. The arity table here and
// `OPS[]` in isoplay-init.c are the two halves of one contract (tests/unit/sandbox-ops.test.ts and
// tests/integration/sandbox-helper.test.ts hold them together).

/** Settings the monitor reads before it clones. */
export type SettingOp =
  | { op: 'id'; id: string }
  | { op: 'hostname'; name: string }
  /** The server's pid: the monitor dies with it (PR_SET_PDEATHSIG), and checks it is still its parent. */
  | { op: 'server-pid'; pid: number }
  /** Inside 0..count-1 maps to base..base+count-1 outside, for uids and gids; base also owns the user namespace. */
  | { op: 'map'; base: number; count: number }
  | { op: 'namespaces'; kinds: string[] }
  /** cgroup.procs files the monitor joins before clone (the child inherits them). */
  | { op: 'join-procs'; file: string }
  /** After clone, init is moved here (v2: the session's leaf). */
  | { op: 'init-procs'; file: string }
  /** After clone, the monitor moves itself back here: out of the session, so killing the session's cgroup never kills it. */
  | { op: 'return-procs'; file: string }
  | { op: 'seccomp'; on: boolean };

/** The new root, built in the child's private mount namespace; paths are as seen inside. */
export type RootOp =
  /** The root's tmpfs: its size (charged to the sandbox's memory) and how many files it may hold. */
  | { op: 'root-tmpfs'; bytes: number; inodes: number }
  | { op: 'dir'; path: string; mode: number }
  /** A host path bound read-only (nosuid, nodev). `try`: skipped when the host lacks it; any other error fails. */
  | { op: 'ro-bind'; src: string; dest: string; optional: boolean }
  /**
   * A read-only image (a root filesystem for chroot, pivot_root, overlayfs): bound like ro-bind-try,
   * but idmapped so files the host's root owns are the sandbox's root's (and not `nobody`'s).
   */
  | { op: 'image-bind'; src: string; dest: string }
  | { op: 'dev-bind'; name: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'file'; path: string; mode: number; content: string }
  | { op: 'tmpfs'; path: string; flags: MountFlag[]; options: string }
  | { op: 'devpts'; path: string; options: string }
  | { op: 'proc'; path: string }
  | { op: 'sysfs'; path: string }
  | { op: 'cgroup'; path: string; type: 'cgroup' | 'cgroup2'; options: string }
  | { op: 'remount'; path: string; flags: MountFlag[]; options: string }
  | { op: 'pivot-root' };

export type SetupOp = SettingOp | RootOp;
export type MountFlag = 'ro' | 'nosuid' | 'nodev' | 'noexec';

/** Each operation's fields, in wire order. */
function fieldsOf(o: SetupOp): string[] {
  switch (o.op) {
    case 'id': return [o.id];
    case 'hostname': return [o.name];
    case 'server-pid': return [String(o.pid)];
    case 'map': return [String(o.base), String(o.count)];
    case 'namespaces': return [o.kinds.join(',')];
    case 'join-procs':
    case 'init-procs':
    case 'return-procs': return [o.file];
    case 'seccomp': return [o.on ? 'on' : 'off'];
    case 'root-tmpfs': return [String(o.bytes), String(o.inodes)];
    case 'dir': return [o.path, o.mode.toString(8)];
    case 'ro-bind':
    case 'image-bind': return [o.src, o.dest];
    case 'dev-bind': return [o.name];
    case 'symlink': return [o.target, o.path];
    case 'file': return [o.path, o.mode.toString(8), o.content];
    case 'tmpfs': return [o.path, o.flags.join(',') || '-', o.options || '-'];
    case 'devpts': return [o.path, o.options];
    case 'proc':
    case 'sysfs': return [o.path];
    case 'cgroup': return [o.path, o.type, o.options || '-'];
    case 'remount': return [o.path, o.flags.join(',') || '-', o.options || '-'];
    case 'pivot-root': return [];
  }
}

/** The wire name: `ro-bind` with optional set travels as `ro-bind-try`. */
function wireName(o: SetupOp): string {
  return o.op === 'ro-bind' && o.optional ? 'ro-bind-try' : o.op;
}

export class SetupOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupOpError';
  }
}

/** Encodes the list for isoplay-init's stdin. Throws on a field the wire cannot carry (a NUL byte). */
export function encodeOps(ops: SetupOp[]): Buffer {
  const parts: Buffer[] = [];
  for (const o of ops) {
    for (const f of [wireName(o), ...fieldsOf(o)]) {
      if (f.includes('\0')) throw new SetupOpError(`${o.op}: a field contains a NUL byte`);
      parts.push(Buffer.from(f, 'utf8'), Buffer.from([0]));
    }
  }
  return Buffer.concat(parts);
}

/** The inverse of encodeOps, for tests and for reading what a helper was given. */
export function decodeOpFields(buf: Buffer): string[] {
  const text = buf.toString('utf8');
  if (text.length && !text.endsWith('\0')) throw new SetupOpError('the stream does not end with a NUL');
  return text.length ? text.slice(0, -1).split('\0') : [];
}

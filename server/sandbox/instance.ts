// Several servers (or a server and a test run, or a lab self-test) may share one host. Each data
// directory claims an instance number in /run/isoplay/instances, and that number gives it a tag
// that starts the name of every session cgroup it makes (`isoplay/i03-s…`) and a uid range of its
// own (1024 slots of uidCount ids). A server's reaper then removes only what servers of its own
// data directory left (their tag), never another live server's sandboxes; and two servers never
// hand out the same host uids. /run is a tmpfs: the claims go with a reboot, as do the sandboxes.
import fs from 'node:fs';
import path from 'node:path';

import { SLOTS_PER_INSTANCE } from '../config.js';

export { SLOTS_PER_INSTANCE };
const UID_LIMIT = 2 ** 32 - 1;

export interface InstanceRecord {
  /** What the claim is for: a data directory's real path, or `lab-test:<pid>` (ephemeral). */
  key: string;
  pid: number;
  /** The pid's start time (field 22 of /proc/<pid>/stat): a reused pid is not the holder. */
  start: string;
}

export interface Instance {
  index: number;
  /** Starts every session cgroup name of this instance: `i` and the index in two base-36 digits. */
  tag: string;
  key: string;
  /** The first host uid of this instance's range. */
  uidBase: number;
  /** Forgets the claim (only if it is still ours). */
  release(): void;
}

export function runDir(): string {
  return '/run/isoplay';
}

export function tagOf(index: number): string {
  return `i${index.toString(36).padStart(2, '0')}`;
}

/** How many instances fit in the uid space above uidBase (at most 36*36 tags). */
export function instanceCount(uidBase: number, uidCount: number): number {
  return Math.max(1, Math.min(36 * 36, Math.floor((UID_LIMIT - uidBase) / (uidCount * SLOTS_PER_INSTANCE))));
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isLive(r: InstanceRecord): boolean {
  return startTimeOf(r.pid) === r.start;
}

function read(file: string): InstanceRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
  } catch {
    return undefined;
  }
}

/** Every claim on the host, by index (a torn file reads as undefined). */
export function listInstances(dir = path.join(runDir(), 'instances')): Map<number, InstanceRecord | undefined> {
  const out = new Map<number, InstanceRecord | undefined>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const m = /^(\d+)\.json$/.exec(n);
    if (m) out.set(Number(m[1]), read(path.join(dir, n)));
  }
  return out;
}

export class InstanceBusyError extends Error {}

export interface ClaimOptions {
  key: string;
  uidBase: number;
  uidCount: number;
  /** Refuse when another live process holds the same key (a second server on one data directory). */
  exclusive?: boolean;
  dir?: string;
  /** Called before a dead claim of another key is taken over (all numbers in use): remove its leftovers. */
  beforeTakeover?: (tag: string) => void;
}

/**
 * Claims this key's instance: the number it held before (a crashed server of the same data
 * directory gets its tag back, so its reaper finds what it left), else the lowest free number,
 * else (every number claimed) the lowest one whose holder is dead.
 */
export function claimInstance(opts: ClaimOptions): Instance {
  const dir = opts.dir ?? path.join(runDir(), 'instances');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const me: InstanceRecord = { key: opts.key, pid: process.pid, start: startTimeOf(process.pid) ?? '' };
  const limit = instanceCount(opts.uidBase, opts.uidCount);
  const fileOf = (i: number) => path.join(dir, `${i}.json`);
  const write = (i: number, exclusive: boolean): boolean => {
    const tmp = `${fileOf(i)}.${process.pid}.tmp`;
    try {
      if (exclusive) {
        fs.writeFileSync(fileOf(i), JSON.stringify(me), { flag: 'wx', mode: 0o644 });
      } else {
        fs.writeFileSync(tmp, JSON.stringify(me), { mode: 0o644 });
        fs.renameSync(tmp, fileOf(i));
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  };
  const made = (index: number): Instance => ({
    index,
    tag: tagOf(index),
    key: opts.key,
    uidBase: opts.uidBase + index * SLOTS_PER_INSTANCE * opts.uidCount,
    release: () => {
      const r = read(fileOf(index));
      if (r && r.key === me.key && r.pid === me.pid) fs.rmSync(fileOf(index), { force: true });
    },
  });

  const claims = listInstances(dir);
  for (const [i, r] of [...claims].sort((a, b) => a[0] - b[0])) {
    if (i >= limit || !r || r.key !== opts.key) continue;
    const ours = r.pid === me.pid && r.start === me.start;
    if (!ours && isLive(r) && opts.exclusive) {
      throw new InstanceBusyError(`another server (pid ${r.pid}) is running with this data directory (${opts.key})`);
    }
    if (ours || !isLive(r)) {
      write(i, false);
      return made(i);
    }
    // Another live process of the same data directory (a tool beside its own test kit): the same
    // instance, its claim left to its holder. Only servers are exclusive (one per data directory).
    return { ...made(i), release: () => undefined };
  }
  for (let i = 0; i < limit; i++) {
    if (!claims.has(i) && write(i, true)) return made(i);
  }
  // Every number is claimed: a dead holder's number first; only then, for a process that claims
  // for many data directories at once (a test worker), one of its own numbers, shared, rather than fail.
  for (const ownOk of [false, true]) {
    for (let i = 0; i < limit; i++) {
      const r = read(fileOf(i));
      if (r && isLive(r) && (!ownOk || r.pid !== me.pid)) continue;
      opts.beforeTakeover?.(tagOf(i));
      write(i, false);
      return made(i);
    }
  }
  throw new InstanceBusyError(`all ${limit} isoplay instance numbers are held by live processes (${dir})`);
}

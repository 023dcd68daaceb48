// Small cgroupfs helpers shared by the v1 and v2 drivers: reads that tolerate missing files,
// writes whose errors name the config key, the file and the kernel's error, and a subtree walk.
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import path from 'node:path';
import { IsoplayError } from '../../errors.js';

/**
 * Reads a small kernel pseudo-file. Synchronous on purpose: cgroupfs and /proc files answer from
 * memory in microseconds, while a promise-based read costs four thread-pool round trips (the
 * kernel-view sampler reads dozens of them per session, twice a second).
 */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return fsSync.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readNumber(file: string): Promise<number | null> {
  const t = await readText(file);
  if (t === undefined) return null;
  const v = t.trim().split(/\s+/)[0];
  if (v === 'max') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Reads `key value` lines (memory.events, cpu.stat, memory.oom_control). */
export async function readKeyed(file: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const t = await readText(file);
  for (const line of (t ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

export async function writeLimit(dir: string, file: string, value: string, key: string): Promise<void> {
  const full = path.join(dir, file);
  try {
    await fs.writeFile(full, value);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new IsoplayError('ISOPLAY_ERR_CONFIG', {
      key,
      detail: `the kernel refused ${JSON.stringify(value)} in ${full}: ${err.code ?? ''} ${err.message}`.trim(),
    });
  }
}

/** Every cgroup directory below and including `dir`, deepest first. */
export async function listSubtree(dir: string): Promise<string[]> {
  const out: string[] = [];
  function walk(d: string): void {
    let entries: import('node:fs').Dirent[];
    try {
      entries = fsSync.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
    out.push(d);
  }
  walk(dir);
  return out;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILLs every pid listed in the cgroup.procs files of these directories (only OUR cgroups). */
export function killPidsIn(dirs: string[]): number {
  let n = 0;
  for (const d of dirs) {
    let procs = '';
    try {
      procs = fsSync.readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
    } catch {
      continue; // removed meanwhile
    }
    for (const p of procs.split('\n')) {
      if (!p) continue;
      try {
        process.kill(Number(p), 'SIGKILL');
        n++;
      } catch {
        /* exited between the read and the kill */
      }
    }
  }
  return n;
}

/** Writes `value` to `file` in each directory that still has it; true if any write succeeded. */
export function writeEach(dirs: string[], file: string, value: string): boolean {
  let any = false;
  for (const d of dirs) {
    try {
      fsSync.writeFileSync(path.join(d, file), value);
      any = true;
    } catch {
      /* the directory or the file is gone (or this kernel lacks it): nothing to do there */
    }
  }
  return any;
}

/**
 * Removes the directories of each subtree, deepest first. Returns what is left and whether waiting
 * can help: cgroupfs answers EBUSY while a cgroup still has tasks or children; anything else
 * (ENOTEMPTY: not a cgroupfs at all) will not change by waiting.
 */
export async function removeSubtrees(roots: string[]): Promise<{ left: string[]; retryable: boolean }> {
  const left: string[] = [];
  let retryable = false;
  for (const root of roots) {
    for (const d of await listSubtree(root)) {
      try {
        fsSync.rmdirSync(d);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        left.push(d);
        if (code === 'EBUSY' || code === 'EAGAIN') retryable = true;
      }
    }
  }
  return { left, retryable };
}

/**
 * Teardown that cannot be refused: `kill` ends every process of the session (however the learner
 * froze them), then the directories go, deepest first, retrying while the kernel still holds one
 * busy (exiting tasks). Never throws; returns the directories it could not remove.
 */
/** Removals that outlived killAndRemove's timeout, still retried in the background. */
const lingering = new Set<Promise<void>>();

/**
 * What killAndRemove could not remove in time (a loaded host: tasks that take seconds to exit)
 * is tried again in the background, at 1, 3, 10 and 30 s, so it does not stay behind until the next
 * start's reaper; a server that stops waits for these (settleRemovals).
 */
export function keepRemoving(roots: string[], kill: () => Promise<void>): void {
  const p = (async () => {
    for (const wait of [1000, 3000, 10_000, 30_000]) {
      await sleep(wait);
      if ((await killAndRemove(roots, kill, 2000)).length === 0) return;
    }
    process.emitWarning(`isoplay: gave up removing cgroups ${roots.join(', ')} (the next start's reaper will)`);
  })().finally(() => lingering.delete(p));
  lingering.add(p);
}

/** Waits (at most `timeoutMs`) for the background removals to finish. */
export async function settleRemovals(timeoutMs: number): Promise<void> {
  if (!lingering.size) return;
  await Promise.race([Promise.allSettled([...lingering]), sleep(timeoutMs)]);
}

export async function killAndRemove(roots: string[], kill: () => Promise<void>, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await kill();
    } catch {
      /* a half-removed session: the rmdir below says what is left */
    }
    const { left, retryable } = await removeSubtrees(roots);
    if (left.length === 0) return [];
    if (!retryable || Date.now() > deadline) return left;
    await sleep(Math.min(100, 5 * 2 ** attempt));
  }
}

export async function chownAll(paths: string[], uid: number, gid: number): Promise<void> {
  for (const p of paths) {
    try {
      await fs.chown(p, uid, gid);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

const limitCache = new Map<string, { value: number | null; at: number }>();
const LIMIT_TTL_MS = 2000;

/**
 * A limit file (memory.limit_in_bytes, pids.max, cpu.max...) changes only when someone writes it,
 * so stats read it at most every 2 s per file; a new limit shows within that. Usage is read fresh.
 */
export async function readLimit(file: string): Promise<number | null> {
  const now = Date.now();
  const hit = limitCache.get(file);
  if (hit && now - hit.at < LIMIT_TTL_MS) return hit.value;
  const value = await readNumber(file);
  if (limitCache.size > 50_000) limitCache.clear();
  limitCache.set(file, { value, at: now });
  return value;
}

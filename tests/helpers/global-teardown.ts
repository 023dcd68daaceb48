// After the real-kernel suites: remove the empty `isoplay` parent cgroups they made (rmdir refuses
// a non-empty one, so a leak stays visible to the leak checks instead of being hidden), then the
// scratch data directories this run's tests made under the temporary directory, with their
// instance claims in /run/isoplay/instances.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listInstances, runDir } from '../../server/sandbox/instance.js';

/** Scratch directories of this run: an isoplay- prefix, made since the run started, nothing mounted under them. */
export function scratchDirsSince(startedMs: number, tmp = os.tmpdir(), mounts = fs.readFileSync('/proc/self/mounts', 'utf8')): string[] {
  const mounted = mounts.split('\n').map((l) => l.split(' ')[1] ?? '');
  return fs
    .readdirSync(tmp)
    .filter((n) => n.startsWith('isoplay-') && n !== 'isoplay-shots')
    .map((n) => path.join(tmp, n))
    .filter((d) => {
      try {
        const st = fs.lstatSync(d);
        return st.isDirectory() && st.birthtimeMs >= startedMs && !mounted.some((m) => m === d || m.startsWith(`${d}/`));
      } catch {
        return false;
      }
    });
}

function removeScratch(startedMs: number): void {
  const dirs = new Set(scratchDirsSince(startedMs));
  const claims = path.join(runDir(), 'instances');
  for (const [i, r] of listInstances(claims)) {
    // Its holder may be a test worker not yet stopped: every test has ended, and its directory goes now.
    if (r && dirs.has(r.key)) fs.rmSync(path.join(claims, `${i}.json`), { force: true });
  }
  for (const d of dirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* a file a sandbox's uid still holds open is no reason to fail the run */
    }
  }
}

export default function setup(): () => void {
  const startedMs = Date.now() - 1000;
  return () => {
    removeScratch(startedMs);
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      for (const dir of [path.join('/sys/fs/cgroup', h, 'isoplay'), '/sys/fs/cgroup/isoplay']) {
        try {
          fs.rmdirSync(dir);
        } catch {
          /* absent, or not empty: a real leak, left for the checks to report */
        }
      }
    }
  };
}

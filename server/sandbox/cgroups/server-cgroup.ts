// The server's own place among the cgroups: `<prefix>-server`, beside (not under) the sandboxes'
// capped `<prefix>` parent, with a CPU weight ten times a sandbox's (and, on v2, a memory
// protection), so that a learner's CPU burner or memory hog cannot starve the process that serves
// every terminal. The server also asks the host's OOM killer to spare it. It moves itself there at
// start and back where it came from at stop, and removes the directory: only the server's own
// process is ever moved, and only directories with our prefix are made.
import fs from 'node:fs';
import path from 'node:path';
import { cgroupDirsOf, findV1, type CgroupHierarchy, type CgroupLayout } from './detect.js';

export interface ServerPlacement {
  /** The directories the server now runs in (one per hierarchy it was given a place in). */
  readonly dirs: string[];
  /** What the OOM-killer request achieved: -1000 needs CAP_SYS_RESOURCE, which some hosts withhold. */
  readonly oomScoreAdj: number;
  /** Moves the server back to where it started and removes its directories. Never throws. */
  release(): void;
}

interface Move {
  dir: string;
  back: string;
}

function write(file: string, value: string): boolean {
  try {
    fs.writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

export function placeServer(layout: CgroupLayout, prefix: string, reserveBytes: number, log: (msg: string) => void): ServerPlacement {
  const name = `${prefix}-server`;
  const moves: Move[] = [];
  const current = cgroupDirsOf(layout.hierarchies, fs.readFileSync('/proc/self/cgroup', 'utf8'));
  const place = (h: CgroupHierarchy, limits: [string, string][]) => {
    const back = current.get(h);
    if (!back) return;
    const dir = path.join(h.mountPoint, name);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        log(`cannot make ${dir}: ${(e as Error).message}`);
        return;
      }
    }
    for (const [file, value] of limits) if (!write(path.join(dir, file), value)) log(`cannot write ${value} to ${path.join(dir, file)}`);
    // cgroup.procs moves the whole process, every thread (the sampler's worker too).
    if (!write(path.join(dir, 'cgroup.procs'), String(process.pid))) {
      log(`cannot move the server into ${dir}`);
      return;
    }
    moves.push({ dir, back });
  };
  if (layout.mode === 'v2' && layout.unified) {
    place(layout.unified, [['cpu.weight', '1000'], ['memory.low', String(reserveBytes)]]);
  } else {
    const cpu = findV1(layout, 'cpu');
    if (cpu) place(cpu, [['cpu.shares', '10240']]);
  }
  let oomScoreAdj = 0;
  if (write('/proc/self/oom_score_adj', '-1000')) oomScoreAdj = -1000;
  else log('cannot set the server\'s oom_score_adj to -1000 (no CAP_SYS_RESOURCE here); sandbox processes run at +500 instead');
  return {
    dirs: moves.map((m) => m.dir),
    oomScoreAdj,
    release() {
      for (const m of moves.splice(0)) {
        write(path.join(m.back, 'cgroup.procs'), String(process.pid));
        try {
          fs.rmdirSync(m.dir);
        } catch {
          /* another server of ours still runs there, or a child process lingers: the reaper retries */
        }
      }
    },
  };
}

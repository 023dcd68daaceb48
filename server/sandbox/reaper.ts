// At start-up and on shutdown: removes what servers of this data directory left behind (a crashed
// server's sandboxes: its state files, and the session cgroups named with its instance tag, see
// instance.ts), and nothing else: another live server's sandboxes on the same host are not ours.
// A dead lab self-test's sandboxes (an ephemeral instance nobody restarts) are removed too.
// `isoplay reap --all` removes every isoplay session of every instance (an operator's broom). Processes are killed only when a state file recorded them
// and the pid still has the recorded start time (pids get reused); cgroups only under `<prefix>/`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { CgroupDriver } from './cgroups/driver.js';
import { runCommand } from './exec.js';
import { isLive, listInstances, runDir, tagOf } from './instance.js';
import { readStartTime, type SandboxState } from './runtime.js';

export interface ReapReport {
  processes: number[];
  cgroups: string[];
  netns: string[];
  stateFiles: string[];
}

async function inOurCgroup(pid: number, prefix: string): Promise<boolean> {
  try {
    const text = await fs.readFile(`/proc/${pid}/cgroup`, 'utf8');
    return text.split('\n').some((l) => l.split(':')[2]?.startsWith(`/${prefix}/`));
  } catch {
    return false;
  }
}

export interface ReapScope {
  /** This instance's tag: its session cgroups are `<prefix>/<tag>-…`. */
  tag: string;
  /** Every isoplay session cgroup and named netns, whoever made it. */
  all?: boolean;
}

/** The session cgroups (`<prefix>/<name>`) a reaper of this scope may remove. */
export function reapable(names: string[], prefix: string, scope: ReapScope, instances = listInstances()): string[] {
  if (scope.all) return names;
  // Tags of dead ephemeral instances (a killed `lab test`): nobody will come back for them.
  const orphaned = new Set<string>();
  for (const [i, r] of instances) if (r && r.key.startsWith('lab-test:') && !isLive(r)) orphaned.add(tagOf(i));
  return names.filter((n) => {
    const tag = n.slice(prefix.length + 1).split('-')[0];
    return tag === scope.tag || orphaned.has(tag);
  });
}

export async function reapLeftovers(config: Config, driver: CgroupDriver, scope: ReapScope): Promise<ReapReport> {
  const report: ReapReport = { processes: [], cgroups: [], netns: [], stateFiles: [] };
  const stateDir = path.join(config.dataDir, 'sandboxes');
  let files: string[] = [];
  try {
    files = (await fs.readdir(stateDir)).filter((f) => f.endsWith('.json'));
  } catch {
    /* no state dir: nothing recorded */
  }
  for (const f of files) {
    const file = path.join(stateDir, f);
    try {
      const st = JSON.parse(await fs.readFile(file, 'utf8')) as SandboxState;
      const start = await readStartTime(st.monitorPid);
      if (start !== undefined && start === st.monitorStart) {
        process.kill(st.monitorPid, 'SIGKILL');
        report.processes.push(st.monitorPid);
      }
      if ((await readStartTime(st.initPid)) === st.initStart && (await inOurCgroup(st.initPid, config.prefix))) {
        process.kill(st.initPid, 'SIGKILL');
        report.processes.push(st.initPid);
      }
    } catch {
      /* a torn state file: its cgroup is still found below */
    }
    await fs.rm(file, { force: true });
    report.stateFiles.push(f);
  }
  // Every session cgroup under our prefix, in every hierarchy: kill what is inside, remove it.
  const instances = listInstances();
  for (const p of reapable(await driver.listSessions(), config.prefix, scope, instances)) {
    await driver.destroy(driver.handleFor(p));
    report.cgroups.push(p);
  }
  // Sandboxes keep their network objects inside their own namespaces; the host should hold none of
  // ours, but a named netns with our prefix (made by hand or by an older version) is removed too.
  try {
    const r = await runCommand('ip', ['netns', 'list'], { reject: false, timeoutMs: 5000 });
    for (const line of r.stdout.split('\n')) {
      const name = line.split(' ')[0];
      if (name?.startsWith(scope.all ? config.prefix : `${config.prefix}-${scope.tag}-`)) {
        await runCommand('ip', ['netns', 'delete', name], { reject: false, timeoutMs: 5000 });
        report.netns.push(name);
      }
    }
  } catch {
    /* no iproute2: nothing of ours can exist there */
  }
  // The claims of the dead lab self-tests whose sandboxes just went.
  for (const [i, r] of instances) {
    if (r && r.key.startsWith('lab-test:') && !isLive(r)) fs.rm(path.join(runDir(), 'instances', `${i}.json`), { force: true }).catch(() => undefined);
  }
  await removeEmptyParents(driver, config.prefix);
  return report;
}

/**
 * Removes the empty `<prefix>` parent directories and an empty `<prefix>-server` (a crashed
 * server's place); rmdir refuses a directory that still has processes or children.
 */
export async function removeEmptyParents(driver: CgroupDriver, prefix: string): Promise<void> {
  const layout = (driver as CgroupDriver & { layout?: { hierarchies: { mountPoint: string }[] } }).layout;
  for (const h of layout?.hierarchies ?? []) {
    for (const name of [prefix, `${prefix}-server`]) {
      await fs.rmdir(path.join(h.mountPoint, name)).catch((err: NodeJS.ErrnoException) => {
        // Not there, or still in use (another server of ours, a session still ending): leave it.
        if (!['ENOENT', 'EBUSY', 'ENOTEMPTY'].includes(err.code ?? '')) throw err;
      });
    }
  }
}

// At start-up and on shutdown: removes every isoplay object this host left behind (a crashed
// server's sandboxes), and nothing else. Processes are killed only when a state file recorded them
// and the pid still has the recorded start time (pids get reused); cgroups only under `<prefix>/`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { CgroupDriver } from './cgroups/driver.js';
import { runCommand } from './exec.js';
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

export async function reapLeftovers(config: Config, driver: CgroupDriver): Promise<ReapReport> {
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
  for (const p of await driver.listSessions()) {
    await driver.destroy(driver.handleFor(p));
    report.cgroups.push(p);
  }
  // Sandboxes keep their network objects inside their own namespaces; the host should hold none of
  // ours, but a named netns with our prefix (made by hand or by an older version) is removed too.
  try {
    const r = await runCommand('ip', ['netns', 'list'], { reject: false, timeoutMs: 5000 });
    for (const line of r.stdout.split('\n')) {
      const name = line.split(' ')[0];
      if (name?.startsWith(config.prefix)) {
        await runCommand('ip', ['netns', 'delete', name], { reject: false, timeoutMs: 5000 });
        report.netns.push(name);
      }
    }
  } catch {
    /* no iproute2: nothing of ours can exist there */
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

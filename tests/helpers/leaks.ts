// What the real kernel holds of ours: session cgroups in every hierarchy, processes in them,
// mounts and network objects named isoplay. Tests assert these are empty after teardown.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

export function isoplayCgroups(): string[] {
  const out: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const base = `/sys/fs/cgroup/${h}/isoplay`;
    const flat = '/sys/fs/cgroup/isoplay';
    for (const dir of [base, flat]) {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(`${dir}/${e.name}`);
    }
  }
  return [...new Set(out)];
}

export function isoplayCgroupsNamed(id: string): string[] {
  // A session cgroup is `isoplay/<instance tag>-<id>` (server/sandbox/instance.ts).
  return isoplayCgroups().filter((p) => new RegExp(`/i[0-9a-z]{2}-${id}$`).test(p));
}

export function isoplayMounts(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => /isoplay/i.test(l));
}

export function isoplayLinks(): string {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  return [...netns.split('\n'), ...links.split('\n')].filter((l) => /isoplay/i.test(l)).join('\n');
}

/** A live process (a zombie waiting for a parent that does not reap counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Host pids in a session's cgroup subtree, in every hierarchy it has a directory in. */
export function pidsInSession(dirs: Record<string, string>): number[] {
  const out = new Set<number>();
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const p of fs.readFileSync(`${d}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) out.add(Number(p));
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(`${d}/${e.name}`);
  };
  for (const d of Object.values(dirs)) walk(d);
  return [...out];
}

// Attack: raise your own session's limits, reach cgroups outside the session, or turn a cgroup
// feature into a host escape (release_agent, a new named hierarchy, moving into an ancestor).
// What holds: the cgroup namespace roots every view at the session; the session's limit files stay
// owned by host root (only the directory, cgroup.procs, tasks, subtree_control and threads are the
// learner's); new hierarchies and release agents need the host's root.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../../helpers/sandbox.js';

let kit: Kit;
let sb: Sandbox;
let other: Sandbox;
beforeAll(async () => {
  kit = await makeKit();
  [sb, other] = await Promise.all([newSandbox(kit), newSandbox(kit)]);
});
afterAll(async () => Promise.all([sb?.destroy(), other?.destroy()]));

/** Each session-level limit file the learner must not write, as seen inside, with a hostile value. */
function limitFiles(): [string, string][] {
  if (kit.driver.mode === 'v2') {
    return [['memory.max', 'max'], ['memory.swap.max', 'max'], ['pids.max', 'max'], ['cpu.max', 'max 100000'], ['cpu.weight', '10000'],
      ['cgroup.max.descendants', '100000'], ['cgroup.max.depth', '100']].map(([f, v]) => [`/sys/fs/cgroup/${f}`, v]);
  }
  const out: [string, string][] = [];
  for (const h of kit.driver.layout.hierarchies) {
    const name = h.mountPoint.split('/').pop()!;
    const files: [string, string][] =
      h.version === 2 ? [['cgroup.max.descendants', '100000'], ['cgroup.max.depth', '100'], ['cgroup.freeze', '1']]
      : h.controllers.includes('memory') ? [['memory.limit_in_bytes', '-1'], ['memory.memsw.limit_in_bytes', '-1'], ['memory.soft_limit_in_bytes', '-1'], ['memory.oom_control', '1']]
      : h.controllers.includes('pids') ? [['pids.max', 'max']]
      : h.controllers.includes('cpu') ? [['cpu.cfs_quota_us', '-1'], ['cpu.shares', '262144']]
      : h.controllers.includes('cpuset') ? [['cpuset.cpus', '0-63']]
      : h.controllers.includes('devices') ? [['devices.allow', 'a']]
      : h.controllers.includes('freezer') ? [['freezer.state', 'FROZEN']]
      : h.controllers.includes('blkio') ? [['blkio.throttle.read_bps_device', '1:3 1']]
      : [['notify_on_release', '1']];
    for (const [f, v] of files) out.push([`/sys/fs/cgroup/${name}/${f}`, v]);
  }
  return out;
}

describe(`attack: the session's own cgroup (${fs.existsSync('/sys/fs/cgroup/memory') ? 'every v1 hierarchy and cgroup2' : 'cgroup v2'})`, () => {
  it('refuses every write to the session\'s own limits, in every hierarchy, and the limits stay', async () => {
    const files = limitFiles();
    const script = files.map(([f, v]) => `if [ -e ${f} ]; then echo '${v}' > ${f} 2>/dev/null && echo "WROTE ${f}" || echo "refused ${f}"; else echo "absent ${f}"; fi`).join('\n');
    const r = await sh(sb, script);
    expect(r.stdout).not.toContain('WROTE');
    // Every file named exists on this kernel except memsw without swap accounting: a path that
    // does not exist would make a refusal trivial.
    const absent = r.stdout.split('\n').filter((l) => l.startsWith('absent')).filter((l) => !/memsw|swap\.max/.test(l));
    expect(absent).toEqual([]);
    const st = await kit.driver.stats(sb.cgroup);
    expect(st.memory.max).toBe(kit.config.limits.memoryBytes);
    expect(st.pids.max).toBe(kit.config.limits.pids);
  });

  it('sees no cgroup above the session, in a fresh mount of any hierarchy either, and cannot name an ancestor', async () => {
    const r = await sh(sb, `cat /proc/self/cgroup | cut -d: -f3 | sort -u | tr "\\n" " "; echo
      mkdir -p /mnt/h && mount -t ${kit.driver.mode === 'v2' ? 'cgroup2 none' : 'cgroup -o memory none'} /mnt/h && ls /mnt/h | grep -c -e isoplay -e ${other.spec.id} -e system.slice
      echo $$ > /mnt/h/../cgroup.procs 2>&1 | head -1
      echo done`);
    const [paths, leaks] = r.stdout.trim().split('\n');
    for (const p of paths.trim().split(' ')) expect(p).toMatch(kit.driver.mode === 'v2' ? /^\/init$/ : /^\/$/);
    expect(leaks.trim()).toBe('0');
    expect(r.stdout).not.toContain(other.spec.id);
  });

  it('cannot make a new named hierarchy, nor set a release agent', async () => {
    const r = await sh(sb, `mkdir -p /mnt/n /mnt/m
      mount -t cgroup -o none,name=isoplay-evil none /mnt/n 2>/dev/null && echo NEW-HIERARCHY
      ${kit.driver.mode === 'v2' ? 'true' : 'mount -t cgroup -o memory none /mnt/m && { [ -e /mnt/m/release_agent ] && echo /tmp/x > /mnt/m/release_agent 2>/dev/null && echo RELEASE-AGENT; true; }'}
      echo done`);
    expect(r.stdout.trim()).toBe('done');
  });

  it('can still do what the labs teach: a child cgroup with its own lower limit', async () => {
    const r = await sh(sb, kit.driver.mode === 'v2'
      ? 'echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control && mkdir /sys/fs/cgroup/kid && echo 20M > /sys/fs/cgroup/kid/memory.max && cat /sys/fs/cgroup/kid/memory.max'
      : 'mkdir /sys/fs/cgroup/memory/kid && echo 20M > /sys/fs/cgroup/memory/kid/memory.limit_in_bytes && cat /sys/fs/cgroup/memory/kid/memory.limit_in_bytes');
    expect(r.stdout.trim()).toBe(String(20 << 20));
  });
});

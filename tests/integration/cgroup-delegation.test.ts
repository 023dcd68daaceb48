// Delegation on this host's cgroup v1 hierarchies: the learner's cgroup tools work inside the
// sandbox, a fresh mount of any hierarchy shows nothing above the session, and a limit the real
// kernel refuses fails start-up naming the key, the file and the kernel's error.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../server/sandbox/cgroups/detect.js';
import { validateLimits } from '../../server/sandbox/cgroups/index.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import type { IsoplayError } from '../../server/errors.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';

let kit: Kit;
let sb: Sandbox;
let other: Sandbox;
beforeAll(async () => {
  kit = await makeKit();
  [sb, other] = await Promise.all([newSandbox(kit), newSandbox(kit)]);
});
afterAll(async () => Promise.all([sb?.destroy(), other?.destroy()]));

const hostMode = detectCgroups(fs.readFileSync('/proc/self/mountinfo', 'utf8')).mode;

describe.skipIf(hostMode === 'v2')(`cgroup delegation on v1${hostMode === 'v2' ? ' (skipped: this host is pure cgroup v2; tests/v2 covers it)' : ''}`, () => {
  it('cgcreate, cgexec and cgclassify work as tutorials show', async () => {
    const r = await sh(sb, `set -e
      cgcreate -g memory,pids:tutorial
      cgset -r memory.limit_in_bytes=33554432 tutorial
      cgexec -g memory,pids:tutorial sh -c 'cat /proc/self/cgroup | grep -e memory -e pids'
      sleep 300 >/dev/null 2>&1 &
      cgclassify -g memory:tutorial $!
      grep -c . /sys/fs/cgroup/memory/tutorial/cgroup.procs
      cat /sys/fs/cgroup/memory/tutorial/memory.limit_in_bytes`);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('4:memory:/tutorial');
    expect(lines.some((l) => /^\d+:pids:\/tutorial$/.test(l))).toBe(true);
    expect(lines.at(-2)).toBe('1');
    expect(lines.at(-1)).toBe('33554432');
    const children = await kit.driver.listChildren(sb.cgroup);
    expect(children).toContain('/tutorial');
  });

  it('a fresh mount of every hierarchy inside shows the session as the root, nothing above it', async () => {
    const hierarchies = kit.driver.layout.hierarchies;
    const script = hierarchies
      .map((h, i) => {
        const named = h.controllers.find((c) => c.startsWith('name='));
        const mount = h.version === 2 ? `mount -t cgroup2 none /mnt/h${i}` : `mount -t cgroup -o ${named ? `none,${named}` : h.controllers.join(',')} none /mnt/h${i}`;
        return `mkdir -p /mnt/h${i} && ${mount} && echo "h${i} $(ls /mnt/h${i} | grep -v '\\.' | tr '\\n' ' ')"`;
      })
      .join('\n');
    await sh(sb, 'mkdir -p /sys/fs/cgroup/memory/mine');
    const r = await sh(sb, script);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(hierarchies.length);
    for (const line of lines) {
      expect(line).not.toMatch(/isoplay|process_api|system\.slice|user\.slice/);
      expect(line).not.toContain(other.spec.id);
    }
    expect(r.stdout).toContain('mine');
  });
});

describe('limits the kernel refuses', () => {
  it('fail at start-up naming the config key, the file and the kernel error', async () => {
    const e = (await validateLimits(kit.driver, kit.config.prefix, { ...kit.config.limits, cpuQuotaUsec: 500 }).catch((x) => x)) as IsoplayError;
    expect(e.code).toBe('ISOPLAY_ERR_CONFIG');
    expect(e.params.key).toBe('limits.cpuQuotaUsec');
    expect(e.message).toMatch(kit.driver.mode === 'v2' ? /cpu\.max/ : /cpu\.cfs_quota_us/);
    expect(e.message).toMatch(/EINVAL/);
    expect((await kit.driver.listSessions()).filter((p) => p.includes('probe-'))).toEqual([]);
  });
});

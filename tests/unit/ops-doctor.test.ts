// The doctor's operations checks (the probe of the host is injected, as in doctor.test.ts): the
// AppArmor user-namespace restriction with and without the isoplay-init profile loaded, and a
// read-only cgroupfs. The entry-point test runs the real doctor against a real read-only cgroupfs.
import { describe, expect, it } from 'vitest';
import { diagnose, type HostProbe } from '../../server/doctor.js';

const V2 = '30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw';

function host(files: Record<string, string>, mkdirError?: string): HostProbe {
  const all: Record<string, string> = { '/proc/sys/user/max_user_namespaces': '1000', '/sys/fs/cgroup/cgroup.subtree_control': 'cpu memory pids', ...files };
  return {
    uid: 0, kernel: '6.8.0', mountinfo: V2,
    readFile: (p) => all[p],
    exists: (p) => p.endsWith('isoplay-init') || p in all,
    which: () => true,
    tryMkdir: () => mkdirError,
  };
}
const check = (h: HostProbe, name: string) => diagnose(h).find((c) => c.name === name)!;

describe('doctor: operations checks', () => {
  it('Ubuntu\'s restriction without the profile fails and names the profile and the sysctl', () => {
    const c = check(host({ '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n' }), 'AppArmor userns restriction');
    expect([c.ok, c.required]).toEqual([false, true]);
    expect(c.detail).toContain('= 1');
    expect(c.fix).toContain('deploy/apparmor/isoplay-init');
    expect(c.fix).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
  });

  it('the restriction with the isoplay-init profile loaded passes, and says both', () => {
    const c = check(host({
      '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n',
      '/sys/kernel/security/apparmor/profiles': 'unprivileged_userns (enforce)\nisoplay-init (unconfined)\n',
    }), 'AppArmor userns restriction');
    expect(c.ok).toBe(true);
    expect(c.detail).toMatch(/restricted, and the isoplay-init AppArmor profile \(loaded\)/);
  });

  it('no restriction passes', () => {
    expect(check(host({ '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '0\n' }), 'AppArmor userns restriction').ok).toBe(true);
  });

  it('a cgroupfs the server cannot write is a required failure with the container flags', () => {
    const c = check(host({}, 'EROFS: read-only file system'), 'cgroupfs writable');
    expect([c.ok, c.required]).toEqual([false, true]);
    expect(c.detail).toContain('/sys/fs/cgroup');
    expect(c.fix).toContain('--privileged --cgroupns=host');
    expect(check(host({}), 'cgroupfs writable').ok).toBe(true);
  });
});

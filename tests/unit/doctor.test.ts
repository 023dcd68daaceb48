import { describe, expect, it } from 'vitest';
import { diagnose, type HostProbe } from '../../server/doctor.js';

const HYBRID = `32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids`;

function FakeHost(over: Partial<HostProbe> = {}, files: Record<string, string> = {}, bins = ['bash', 'unshare', 'nsenter', 'mount', 'ip', 'ps', 'cgcreate', 'cgexec', 'cgclassify', 'ping']): HostProbe {
  return {
    uid: 0, kernel: '6.1.0', mountinfo: HYBRID,
    readFile: (p) => ({ '/proc/sys/user/max_user_namespaces': '1000', ...files })[p],
    exists: (p) => p.endsWith('isoplay-init') || p in files,
    which: (b) => bins.includes(b),
    ...over,
  };
}

const failing = (h: HostProbe) => diagnose(h).filter((c) => c.required && !c.ok).map((c) => c.name);

describe('doctor', () => {
  it('passes a host that has everything', () => {
    expect(failing(FakeHost())).toEqual([]);
  });

  it('names a missing binary with the package that fixes it', () => {
    const h = FakeHost({}, {}, ['bash', 'unshare', 'nsenter', 'mount', 'ps', 'cgcreate', 'cgexec', 'cgclassify', 'ping']);
    const ip = diagnose(h).find((c) => c.name === 'ip')!;
    expect(ip.ok).toBe(false);
    expect(ip.fix).toBe('apt-get install -y iproute2');
  });

  it('fails without user namespaces and says which sysctl', () => {
    const h = FakeHost({}, { '/proc/sys/user/max_user_namespaces': '0' });
    const c = diagnose(h).find((x) => x.name === 'user namespaces')!;
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('user.max_user_namespaces');
  });

  it('fails when a controller is missing, naming it', () => {
    const h = FakeHost({ mountinfo: HYBRID.split('\n').slice(0, 2).join('\n') });
    const c = diagnose(h).find((x) => x.name === 'cgroups')!;
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('pids');
  });

  it('on v2 names the controllers the root does not delegate', () => {
    const h = FakeHost({ mountinfo: '35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw' }, { '/sys/fs/cgroup/cgroup.subtree_control': 'cpu io' });
    const c = diagnose(h).find((x) => x.name === 'cgroups')!;
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('+memory +pids');
  });

  it('fails where unprivileged user namespaces are restricted (sandboxes are created as unprivileged uids), naming the sysctl', () => {
    for (const [file, key] of [['/proc/sys/kernel/apparmor_restrict_unprivileged_userns', 'apparmor_restrict_unprivileged_userns'], ['/proc/sys/kernel/unprivileged_userns_clone', 'unprivileged_userns_clone']]) {
      const on = file.includes('apparmor') ? '1' : '0';
      const c = diagnose(FakeHost({}, { [file]: on })).find((x) => x.detail.includes(key))!;
      expect(c.ok, key).toBe(false);
      expect(c.required).toBe(true);
      expect(c.fix).toContain(key);
      expect(diagnose(FakeHost({}, { [file]: on === '1' ? '0' : '1' })).find((x) => x.detail.includes(key))!.ok).toBe(true);
    }
  });

  it('warns when a per-user namespace cap would let one learner hold thousands', () => {
    const c = diagnose(FakeHost({}, { '/proc/sys/user/max_user_namespaces': '96362' })).find((x) => x.name === 'per-learner kernel limits')!;
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('sysctl -w user.max_user_namespaces=2048');
    expect(diagnose(FakeHost()).find((x) => x.name === 'per-learner kernel limits')!.ok).toBe(true);
  });

  it('reports missing swap accounting as a warning, not as fine', () => {
    const c = diagnose(FakeHost()).find((x) => x.name === 'swap accounting')!;
    expect(c.ok).toBe(false);
    expect(c.required).toBe(false);
  });

  it('warns, without failing, when the lab images are not built or dnsmasq is missing, and names the fix', () => {
    const checks = diagnose(FakeHost());
    const images = checks.find((x) => x.name === 'lab images')!;
    expect([images.ok, images.required, images.fix]).toEqual([false, false, 'bash scripts/build-images.sh']);
    expect(images.detail).toContain('busybox, debian, busybox.tar');
    const dns = checks.find((x) => x.name === 'sandbox internet DNS')!;
    expect([dns.ok, dns.required, dns.fix]).toEqual([false, false, 'apt-get install -y dnsmasq-base']);
    expect(failing(FakeHost())).not.toContain('lab images');
  });

  it('refuses to run without root', () => {
    expect(failing(FakeHost({ uid: 1000 }))).toContain('root');
  });
});

// cgroup v2 delegation (systemd Delegate=yes) on a fake cgroupfs in a temp dir: the server moves
// every process of its unit into a leaf, enables the controllers for its children, and the driver's
// root becomes its own cgroup. The real kernel's rules (no internal processes) are what this order
// obeys; the v2 VM runs the real thing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enterDelegatedCgroup } from '../../server/sandbox/cgroups/delegate.js';

function fakeUnit(controllers = 'cpuset cpu io memory pids', procs = '4242\n4243\n') {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-deleg-'));
  const own = path.join(mount, 'system.slice', 'isoplay.service');
  fs.mkdirSync(own, { recursive: true });
  fs.writeFileSync(path.join(own, 'cgroup.controllers'), `${controllers}\n`);
  fs.writeFileSync(path.join(own, 'cgroup.procs'), procs);
  fs.writeFileSync(path.join(own, 'cgroup.subtree_control'), '');
  return { mount, own };
}

describe('enterDelegatedCgroup', () => {
  it('moves the unit\'s processes into <own>/isoplay-server and enables memory, pids, cpu in <own>', () => {
    const { mount, own } = fakeUnit();
    const leaf = path.join(own, 'isoplay-server');
    const d = enterDelegatedCgroup(mount, '0::/system.slice/isoplay.service\n', 'isoplay', 512 * 1024 * 1024);
    expect(d).toEqual({ root: own, leaf });
    // One pid per write, as the kernel takes them: the plain file here keeps the last one.
    expect(fs.readFileSync(path.join(leaf, 'cgroup.procs'), 'utf8')).toBe('4243');
    expect(fs.readFileSync(path.join(own, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    expect(fs.readFileSync(path.join(leaf, 'cpu.weight'), 'utf8')).toBe('1000');
    expect(fs.readFileSync(path.join(leaf, 'memory.low'), 'utf8')).toBe(String(512 * 1024 * 1024));
  });

  it('refuses the root cgroup (started by hand with cgroupDelegate on), naming the unit setting', () => {
    const { mount } = fakeUnit();
    expect(() => enterDelegatedCgroup(mount, '0::/\n', 'isoplay', 0)).toThrow(/root cgroup.*Delegate=yes/);
  });

  it('refuses a cgroup that was not delegated the controllers, naming them', () => {
    const { mount } = fakeUnit('cpu io');
    expect(() => enterDelegatedCgroup(mount, '0::/system.slice/isoplay.service\n', 'isoplay', 0)).toThrow(/memory, pids controller\(s\): set Delegate=yes/);
  });

  it('after a restart in place (already in its leaf) takes the leaf\'s parent as root and moves nothing', () => {
    const { mount, own } = fakeUnit();
    const d = enterDelegatedCgroup(mount, '0::/system.slice/isoplay.service/isoplay-server\n', 'isoplay', 0);
    expect(d.root).toBe(own);
    expect(fs.readFileSync(path.join(own, 'cgroup.subtree_control'), 'utf8')).toBe('');
  });
});

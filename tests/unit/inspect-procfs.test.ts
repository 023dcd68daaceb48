import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNsLink, parseStatus, uidInside } from '../../server/inspect/procfs.js';
import { SAMPLE_BOUNDS, readProcessBounded, walkCgroupTree } from '../../server/inspect/sample-pass.js';

const STATUS = 'Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nPPid:\t4166\nUid:\t1000000000\t1000000000\t1000000000\t1000000000\nNSpid:\t4170\t2\t1\n';

describe('procfs readers', () => {
  it('parses status fields', () => {
    expect(parseStatus(STATUS)).toEqual({ name: 'bash', ppid: 4166, uid: 1000000000, nsPids: [4170, 2, 1] });
    // A user process's resident memory (VmRSS, kB); a kernel thread has none.
    expect(parseStatus(`${STATUS}VmRSS:\t  181140 kB\n`).rssKb).toBe(181140);
  });

  it('parses namespace links', () => {
    expect(parseNsLink('pid:[4026532181]')).toBe(4026532181);
    expect(parseNsLink('garbage')).toBeUndefined();
  });

  it('maps a host uid through a uid_map', () => {
    const map = '         0 1000000000      65536\n';
    expect(uidInside(1000000000, map)).toBe(0);
    expect(uidInside(1000001000, map)).toBe(1000);
    expect(uidInside(0, map)).toBe(65534);
  });

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'FakeProc-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads a process from a fake /proc', async () => {
    const dir = path.join(root, '4170');
    fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'status'), STATUS);
    fs.writeFileSync(path.join(dir, 'cmdline'), 'bash\0-l\0');
    fs.symlinkSync('uts:[4026532179]', path.join(dir, 'ns', 'uts'));
    fs.symlinkSync('pid:[4026532181]', path.join(dir, 'ns', 'pid'));
    const p = readProcessBounded(root, 4170, '0 1000000000 65536', SAMPLE_BOUNDS);
    expect(p).toEqual({
      hostPid: 4170, nsPids: [4170, 2, 1], ppid: 4166, comm: 'bash', args: 'bash -l',
      uid: { inside: 0, host: 1000000000 }, ns: { uts: 4026532179, pid: 4026532181 },
    });
    expect(readProcessBounded(root, 9999, '', SAMPLE_BOUNDS)).toBeUndefined();
  });

  it('collects pids of a cgroup subtree', async () => {
    const cg = path.join(root, 'cg');
    fs.mkdirSync(path.join(cg, 'child/inner'), { recursive: true });
    fs.writeFileSync(path.join(cg, 'cgroup.procs'), '10\n11\n');
    fs.writeFileSync(path.join(cg, 'child/cgroup.procs'), '12\n');
    fs.writeFileSync(path.join(cg, 'child/inner/cgroup.procs'), '13\n11\n');
    expect(walkCgroupTree(cg, SAMPLE_BOUNDS).pids).toEqual([10, 11, 12, 13]);
  });
});

// The i386 entry point under the seccomp filter, where the kernel has a working one: the pure-v2
// VM (TCG) does; a paravirtualised development host may fault on int 0x80 (then this skips).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, type Kit } from '../helpers/sandbox.js';
import { buildSysprobe, i386Works, probe, probeSandboxes } from '../helpers/sysprobe.js';

const dir = buildSysprobe();
const works = i386Works(dir);
let kit: Kit;
let filtered: Sandbox;
let open: Sandbox;
beforeAll(async () => {
  if (!works) return;
  kit = await makeKit();
  ({ filtered, open } = await probeSandboxes(kit, dir));
});
afterAll(async () => {
  await Promise.all([filtered?.destroy(), open?.destroy()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!works)(`attack: the i386 ABI (int 0x80)${works ? '' : ' (skipped: int 0x80 faults on this host)'}`, () => {
  it('keyctl and io_uring_setup are refused with ENOSYS under the filter, and work without it', async () => {
    expect(await probe(filtered, 'keyctl', 'i386')).toEqual({ ret: -1, errno: 'ENOSYS' });
    expect(await probe(filtered, 'io_uring_setup', 'i386')).toEqual({ ret: -1, errno: 'ENOSYS' });
    expect((await probe(open, 'keyctl', 'i386')).ret).toBeGreaterThan(0);
    expect(await probe(filtered, 'personality', 'i386')).toEqual({ ret: -1, errno: 'EPERM' });
  });
});

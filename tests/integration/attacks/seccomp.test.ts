// Attack: reach the parts of the shared kernel no lab needs (io_uring, keyrings, bpf, perf,
// userfaultfd, modify_ldt, odd personalities), on the 64-bit ABI or through the i386 and x32
// entry points. What holds: isoplay-init's seccomp deny list, loaded in init and in every process
// that enters (terminal, check, probe). Each probe runs in a sandbox with the filter and in one
// without it, so a filter that stopped matching shows as a difference, not as an unchanged errno.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { INIT_BIN } from '../../../server/sandbox/runtime.js';
import { runCommand } from '../../../server/sandbox/exec.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../../../server/labs/checker.js';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { makeKit, sh, type Kit } from '../../helpers/sandbox.js';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { TermClient } from '../../helpers/ws.js';
import { buildSysprobe, i386Works, probe, probeSandboxes } from '../../helpers/sysprobe.js';

let dir: string;
let kit: Kit;
let filtered: Sandbox;
let open: Sandbox;

beforeAll(async () => {
  dir = buildSysprobe();
  kit = await makeKit();
  ({ filtered, open } = await probeSandboxes(kit, dir));
});
afterAll(async () => {
  await Promise.all([filtered?.destroy(), open?.destroy()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('attack: syscalls no lab needs', () => {
  const denied: [string, string][] = [
    ['io_uring_setup', 'ENOSYS'], ['keyctl', 'ENOSYS'], ['add_key', 'ENOSYS'], ['userfaultfd', 'EPERM'],
    ['perf_event_open', 'EPERM'], ['modify_ldt', 'EPERM'], ['personality', 'EPERM'], ['personality-sneaky', 'EPERM'],
  ];
  for (const [name, errno] of denied) {
    it(`${name} is refused with ${errno} under the filter, and works without it`, async () => {
      expect(await probe(filtered, name)).toEqual({ ret: -1, errno });
      const free = await probe(open, name);
      expect(free.errno === errno && free.ret === -1, `${name} without the filter: ${JSON.stringify(free)}`).toBe(false);
    });
  }

  it('still allows what programs need: getpid, the personality query', async () => {
    expect((await probe(filtered, 'getpid')).ret).toBeGreaterThan(0);
    expect((await probe(filtered, 'personality-query')).ret).toBeGreaterThanOrEqual(0);
  });

  it('the i386 ABI is filtered too (int 0x80)', async (ctx) => {
    if (!i386Works(dir)) ctx.skip('skipped: int 0x80 faults on this host (no usable i386 entry point here); the v2 VM runs tests/v2/seccomp-i386.test.ts');
    expect(await probe(filtered, 'keyctl', 'i386')).toEqual({ ret: -1, errno: 'ENOSYS' });
    expect(await probe(filtered, 'io_uring_setup', 'i386')).toEqual({ ret: -1, errno: 'ENOSYS' });
    expect((await probe(open, 'keyctl', 'i386')).ret).toBeGreaterThan(0);
  });

  it('the x32 ABI is filtered too, where the kernel has it', async (ctx) => {
    const free = await probe(open, 'keyctl', 'x32');
    if (free.errno === 'ENOSYS') ctx.skip('skipped: this kernel has no x32 ABI (CONFIG_X86_X32_ABI is off), so nothing reaches it');
    expect(await probe(filtered, 'keyctl', 'x32')).toEqual({ ret: -1, errno: 'ENOSYS' });
  });

  it('the filter loaded from the build\'s exported BPF is the one the helper compiles, and a helper without that file compiles it itself', async () => {
    // The exported bytes are exactly what this binary's rules compile to.
    const exported = fs.readFileSync(path.join(path.dirname(INIT_BIN), 'isoplay-seccomp.bpf'));
    expect(execFileSync(INIT_BIN, ['export-filter'])).toEqual(exported);
    // A copy of the helper alone (no exported file beside it) still filters.
    const lone = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-lone-'));
    try {
      fs.copyFileSync(INIT_BIN, path.join(lone, 'isoplay-init'));
      fs.chmodSync(path.join(lone, 'isoplay-init'), 0o755);
      const cmd = filtered.enterCommand(['/opt/probe/sysprobe', 'keyctl', 'x86_64']);
      const r = await runCommand(path.join(lone, 'isoplay-init'), cmd.args, { reject: false, timeoutMs: 10_000 });
      expect(r.stdout.trim()).toBe('keyctl x86_64 -1 ENOSYS');
    } finally {
      fs.rmSync(lone, { recursive: true, force: true });
    }
  });

  it('the lab tools still work under the filter: ptrace (strace), unshare, mount, ip netns', async () => {
    const r = await sh(filtered, 'unshare --user --map-root-user --mount --pid --fork sh -c "mount -t tmpfs x /mnt && echo nested-ok"; ip netns add t && echo netns-ok; python3 -c "import ctypes; print(\'ptrace=%d\' % ctypes.CDLL(None).ptrace(0, 0, 0, 0))"');
    expect(r.stdout).toContain('nested-ok');
    expect(r.stdout).toContain('netns-ok');
    expect(r.stdout).toContain('ptrace=0'); // PTRACE_TRACEME: strace and gdb need ptrace
  });
});

describe('attack: a process that escapes the filter by the way it enters', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv.close());

  it('init, a terminal, a check and a probe each run with Seccomp: 2', async () => {
    const s = await createSession(srv.base);
    const sb = srv.app.registry.get(s.id)!.sandbox!;
    expect(fs.readFileSync(`/proc/${sb.initPid}/status`, 'utf8')).toMatch(/^Seccomp:\s+2$/m);
    const t = TermClient.for(srv.ws, s);
    await t.open();
    t.type("awk '/^Seccomp:/{print \"SECCOMP=\" $2}' /proc/$$/status\r");
    await t.waitForText(/SECCOMP=2\r\n/);
    t.close();
    expect((await runScript(sb, 'grep ^Seccomp: /proc/$$/status', 5000)).stdout).toMatch(/^Seccomp:\s+2$/m);
    expect((await sb.run(['/bin/sh', '-c', 'grep ^Seccomp: /proc/self/status'], { timeoutMs: 5000 })).stdout).toMatch(/^Seccomp:\s+2$/m);
  });
});

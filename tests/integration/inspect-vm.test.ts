// The kernel view beside a real VM: `isoplay-vm` boots a Debian kernel under qemu inside the
// sandbox, and the stream reports a kernel of its own (release, boot id) for it, the same boot id
// that the guest's own shell prints, until the VM powers off.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KernelMessage } from '../../server/protocol/events.js';
import { Sampler } from '../../server/inspect/sampler.js';
import { vmUnavailable } from '../../server/labs/catalog.js';
import { PROJECT_TOOLS_DIR } from '../../server/sandbox/rootfs/etc-files.js';
import { MemoryEventBus } from '../../server/sessions/event-bus.js';
import type { SessionInfo } from '../../server/sessions/types.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { until as waitUntil } from '../helpers/wait.js';
import { makeKit, newSandbox, type Kit } from '../helpers/sandbox.js';

const missing = vmUnavailable();
let kit: Kit;
let sb: Sandbox;
let sampler: Sampler;
let vm: ChildProcessWithoutNullStreams | undefined;
let console_ = '';
const bus = new MemoryEventBus();
const notifyActivity = vi.fn();

const until = <T>(fn: () => T | undefined, ms: number, what: string) => waitUntil(fn, ms, what, () => `VM console so far:\n${console_.slice(-800)}`, 50);
const kernel = () => bus.snapshot().find((m) => m.type === 'kernel') as KernelMessage | undefined;

describe.skipIf(!!missing)(`kernel view with a VM inside the sandbox${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    kit = await makeKit();
    sb = await newSandbox(kit);
    const session = { id: 'vmtest', sandbox: sb, bus, notifyActivity } as unknown as SessionInfo;
    sampler = new Sampler(session, kit.driver, 4);
    await sampler.start();
  });
  afterAll(async () => {
    sampler?.stop();
    vm?.kill('SIGKILL');
    await sb?.destroy();
  });

  it('reports the VM with a kernel of its own, the boot id its shell prints, then drops it at poweroff', async () => {
    const hostBoot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    expect(kernel()?.vms ?? []).toEqual([]);
    const cmd = sb.enterCommand(['isoplay-vm', '-q'], { env: { ISOPLAY_QUIET: '1' } });
    vm = spawn(cmd.file, cmd.args, { env: cmd.env });
    vm.stdout.on('data', (d: Buffer) => (console_ += d.toString()));
    vm.stderr.on('data', (d: Buffer) => (console_ += d.toString()));

    const k = await until(() => (kernel()?.vms?.length ? kernel() : undefined), 90_000, 'a VM in the kernel message');
    const v = k.vms![0];
    expect(v.release).toBe(fs.readFileSync(path.join(PROJECT_TOOLS_DIR, 'vm/kernel-release'), 'utf8').trim());
    expect(v.bootId).not.toBe(hostBoot);
    expect(k.sandbox.bootId).toBe(hostBoot);
    expect(v.accel).toMatch(/^(tcg|kvm)$/);
    // The whole boot (from qemu's launch) includes firmware and decompression, which the guest's
    // own clock never saw.
    expect(v.bootWallSec).toBeGreaterThan(v.bootSec);
    expect(fs.readFileSync(`/proc/${v.hostPid}/comm`, 'utf8')).toMatch(/^qemu-system/);
    expect(notifyActivity).toHaveBeenCalled();

    // Ask the guest itself, through its serial console.
    await until(() => (console_.includes('root@vm') ? true : undefined), 30_000, 'the guest shell prompt');
    vm.stdin.write('cat /proc/sys/kernel/random/boot_id\n');
    await until(() => (console_.split(v.bootId).length > 2 ? true : undefined), 30_000, 'the guest printing its boot id');

    vm.stdin.write('poweroff\n');
    const code = await new Promise<number | null>((resolve) => vm!.once('exit', resolve));
    expect(code).toBe(0);
    await until(() => (kernel() && !kernel()!.vms?.length ? true : undefined), 15_000, 'the VM to leave the kernel message');
  }, 180_000);
});

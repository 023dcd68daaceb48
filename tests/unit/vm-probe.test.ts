import { describe, expect, it } from 'vitest';
import { matchVms, parseVmProbe, qemuMemMiB } from '../../server/inspect/vm-probe.js';
import type { ProcessInfo } from '../../server/protocol/events.js';

const boot = '02c985ef-a312-47d9-be2b-91bf498b25b3';
const proc = (hostPid: number, nsPids: number[], ppid: number, comm: string, args = ''): ProcessInfo => ({
  hostPid, nsPids, ppid, comm, args, uid: { inside: 0, host: 100000 }, ns: {},
});

describe('VM probe: the guest reports of isoplay-vm', () => {
  it('parses one line per VM and skips what is not a guest report', () => {
    const out = [
      `41 0 0 {"release":"6.1.0-56-amd64","bootId":"${boot}","uptimeSec":4.97,"memTotalKb":47132}`,
      '42 0 0 {"release":"6.1.0","bootId":"not-a-uuid","uptimeSec":1}',
      '43 0 0 {"release":"6.1.0","bootId"', // half written
      'garbage',
    ].join('\n');
    expect(parseVmProbe(out)).toEqual([{ launcherPid: 41, info: { release: '6.1.0-56-amd64', bootId: boot, uptimeSec: 4.97, memTotalKb: 47132 } }]);
  });

  it('takes the whole boot from the launch time and the report file\'s mtime (nanoseconds)', () => {
    const [r] = parseVmProbe(`41 1700000000000000000 1700000015230000000 {"release":"r","bootId":"${boot}","uptimeSec":4.9}`);
    expect(r.info.bootWallSec).toBe(15.23);
    expect(r.info.uptimeSec).toBe(4.9);
  });

  it('pairs a report with the qemu whose parent is the launcher named in the file, and reads the accelerator', () => {
    const all = [
      proc(5000, [5000, 41], 4000, 'sh'),
      proc(5001, [5001, 42], 5000, 'qemu-system-x86', 'qemu-system-x86_64 -accel tcg,tb-size=32 -cpu max'),
      proc(6000, [6000, 77], 4000, 'sh'),
      proc(6001, [6001, 78], 6000, 'qemu-system-x86', 'qemu-system-x86_64 -accel kvm -cpu host'),
    ];
    const qemus = all.filter((p) => p.comm.startsWith('qemu'));
    const reports = parseVmProbe(`77 0 0 {"release":"a","bootId":"${boot}","uptimeSec":1}\n`);
    expect(matchVms(qemus, all, reports)).toEqual([{ release: 'a', bootId: boot, uptimeSec: 1, bootSec: 1, hostPid: 6001, accel: 'kvm' }]);
    const both = parseVmProbe(`41 0 0 {"release":"b","bootId":"${boot}","uptimeSec":2}\n77 0 0 {"release":"a","bootId":"${boot}","uptimeSec":1}`);
    expect(matchVms(qemus, all, both).map((v) => [v.hostPid, v.accel, v.release])).toEqual([[5001, 'tcg', 'b'], [6001, 'kvm', 'a']]);
  });

  it('reads the RAM qemu gives its guest from its command line (-m), in MiB', () => {
    expect(qemuMemMiB('qemu-system-x86_64 -accel tcg,tb-size=32 -cpu max -m 96 -smp 1')).toBe(96);
    expect(qemuMemMiB('qemu-system-x86_64 -m 128M -smp 1')).toBe(128);
    expect(qemuMemMiB('qemu-system-x86_64 -m 1G')).toBe(1024);
    expect(qemuMemMiB('qemu-system-x86_64 -m size=512M,maxmem=1G')).toBe(512);
    expect(qemuMemMiB('qemu-system-x86_64 -machine microvm -smp 1')).toBeUndefined();
    expect(qemuMemMiB('qemu-system-x86_64 -mem-path /x -smp 1')).toBeUndefined();
    const all = [proc(5000, [5000, 41], 4000, 'sh'), proc(5001, [5001, 42], 5000, 'qemu-system-x86', 'qemu-system-x86_64 -accel tcg -m 96 -smp 1')];
    all[1].rssKb = 181140; // qemu's resident memory on the host: the RAM the VM really costs
    const [vm] = matchVms([all[1]], all, parseVmProbe(`41 0 0 {"release":"a","bootId":"${boot}","uptimeSec":1,"memTotalKb":80000}`));
    expect([vm.memConfiguredMiB, vm.memTotalKb, vm.memUsedMiB]).toEqual([96, 80000, 177]);
  });

  it('reports nothing for a file whose launcher is not a parent of any qemu (unless there is only one of each)', () => {
    const all = [proc(5000, [5000, 41], 4000, 'sh'), proc(5001, [5001, 42], 5000, 'qemu-system-x86', 'qemu-system-x86_64')];
    const qemus = [all[1]];
    expect(matchVms(qemus, all, parseVmProbe(`99 0 0 {"release":"a","bootId":"${boot}","uptimeSec":1}`))).toHaveLength(1);
    const two = parseVmProbe(`98 0 0 {"release":"a","bootId":"${boot}","uptimeSec":1}\n99 0 0 {"release":"b","bootId":"${boot}","uptimeSec":1}`);
    expect(matchVms(qemus, all, two)).toEqual([]);
  });
});

describe('VM probe pacing', () => {
  it('asks every second while a VM boots, then backs off to every 15 s for a qemu that never reports', async () => {
    const { vmProbeDelayMs } = await import('../../server/inspect/vm-probe.js');
    expect(vmProbeDelayMs(0)).toBe(1000);
    expect(vmProbeDelayMs(29_999)).toBe(1000);
    expect(vmProbeDelayMs(60_000)).toBe(4000);
    expect(vmProbeDelayMs(10 * 60_000)).toBe(15_000);
  });
});

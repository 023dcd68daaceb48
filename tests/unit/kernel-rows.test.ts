// The kernel view's row order: the process tree, the sandbox's init first, siblings by their PID
// inside the sandbox, whatever order the host's PIDs come in (they wrap at pid_max).
import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../server/protocol/events.js';
import { orderProcesses } from '../../web/src/kernel/rows.js';

const proc = (hostPid: number, ppid: number, nsPids: number[], comm: string): ProcessInfo =>
  ({ hostPid, ppid, nsPids: [hostPid, ...nsPids], comm, args: comm, uid: { inside: 0, host: 100000 }, ns: {} }) as ProcessInfo;

describe('orderProcesses', () => {
  it('puts the sandbox init first and children under their parent, though host PIDs wrapped', () => {
    // The server lists by host PID: after a wrap the newest processes come first.
    const list = [
      proc(120, 32001, [7], 'bash'), // the observer's shell, started after the wrap
      proc(130, 32010, [9], 'unshare'),
      proc(131, 130, [10, 1], 'sleep'),
      proc(32000, 1, [1], 'isoplay-init'), // its parent is outside the sandbox
      proc(32001, 32000, [2], 'bash'),
      proc(32010, 32001, [3], 'bash'),
    ];
    expect(orderProcesses(list).map((r) => [r.p.comm, r.p.nsPids[1], r.depth])).toEqual([
      ['isoplay-init', 1, 0],
      ['bash', 2, 1],
      ['bash', 3, 2],
      ['unshare', 9, 3],
      ['sleep', 10, 4],
      ['bash', 7, 2],
    ]);
  });

  it('keeps every process once, roots by their sandbox PID, and survives a ppid loop', () => {
    const list = [proc(50, 60, [5], 'a'), proc(60, 50, [4], 'b'), proc(70, 1, [3], 'c'), proc(80, 80, [2], 'self-parent')];
    const rows = orderProcesses(list);
    expect(rows.map((r) => r.p.comm).sort()).toEqual(['a', 'b', 'c', 'self-parent']);
    expect(rows.slice(0, 2).map((r) => r.p.comm)).toEqual(['self-parent', 'c']);
  });
});

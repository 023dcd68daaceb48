// The capacity formula (server/workshops/capacity.ts, README "Capacity"): which limit binds, what a
// VM lab costs, what a workshop's path needs; and the CSV cell escaping of the exports.
import { describe, expect, it } from 'vitest';
import { hostCapacity, seatCost, workshopNeed } from '../../server/workshops/capacity.js';
import { csvCell, csvRow } from '../../server/workshops/shape.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const cfg = (over: Partial<{ memoryBytes: number; pids: number; sandboxesCpus: number; maxSessions: number; reserve: number }> = {}) => ({
  serverReserveBytes: over.reserve ?? 512 * MiB,
  sandboxesCpus: over.sandboxesCpus ?? 1.5,
  maxSessions: over.maxSessions ?? 1000,
  limits: { memoryBytes: over.memoryBytes ?? 256 * MiB, pids: over.pids ?? 256, cpuQuotaUsec: 50_000, cpuPeriodUsec: 100_000, cpuWeight: 100 },
});

describe('host capacity', () => {
  it('is the smallest of memory, CPU, pids and maxSessions, and names the one that binds', () => {
    // 24 GiB: (24 GiB - 512 MiB) / 256 MiB = 94; 1.5 CPUs / 0.02 = 75; 32768 / 2 / 256 = 64.
    const c = hostCapacity(cfg(), { memTotalBytes: 24 * GiB, pidMax: 32768 });
    expect(c.by).toEqual({ memory: 94, cpu: 75, pids: 64, maxSessions: 1000 });
    expect(c).toMatchObject({ seats: 64, limitedBy: 'pids' });
    expect(hostCapacity(cfg(), { memTotalBytes: 4 * GiB, pidMax: 4_194_304 })).toMatchObject({ seats: 14, limitedBy: 'memory' });
    expect(hostCapacity(cfg({ sandboxesCpus: 0.5 }), { memTotalBytes: 64 * GiB, pidMax: 4_194_304 })).toMatchObject({ seats: 25, limitedBy: 'cpu' });
    expect(hostCapacity(cfg({ maxSessions: 10 }), { memTotalBytes: 64 * GiB, pidMax: 4_194_304 })).toMatchObject({ seats: 10, limitedBy: 'maxSessions' });
    // A memory limit larger than the host: no seat at all, not a negative one.
    expect(hostCapacity(cfg({ memoryBytes: 8 * GiB }), { memTotalBytes: 4 * GiB, pidMax: 32768 }).seats).toBe(0);
  });

  it('charges a VM lab more seats, more so at a small memory limit, and sizes a path by its costliest lab', () => {
    expect(seatCost(false, cfg())).toBe(1);
    expect(seatCost(true, cfg())).toBe(2); // 1 + ceil(160 MiB / 256 MiB)
    expect(seatCost(true, cfg({ memoryBytes: 64 * MiB }))).toBe(4); // 1 + ceil(160 / 64)
    expect(workshopNeed([{ id: 'a', vm: false }, { id: 'v', vm: true }], 30, cfg())).toEqual({ perLearner: 2, learners: 30, total: 60, vmLabs: ['v'] });
    expect(workshopNeed([], 12, cfg())).toEqual({ perLearner: 1, learners: 12, total: 12, vmLabs: [] });
  });
});

describe('CSV cells', () => {
  it('quotes separators and quotes, and turns a spreadsheet formula into text', () => {
    expect(csvCell('Ada')).toBe('Ada');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1']) expect(csvCell(f).startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(undefined)).toBe('');
    expect(csvRow(['a', 1, null])).toBe('a,1,\r\n');
  });
});

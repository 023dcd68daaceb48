// The load generator and the whole-room rehearsal (bench/load.ts, bench/room.ts), run short in
// `npm test` so the harness itself cannot rot; their long runs and the figures are `npm run bench
// -- --only load|room` (bench/RESULTS.md). Nothing here asserts a time: speed is the benchmark's.
import { describe, expect, it } from 'vitest';
import { measureLoad } from '../../bench/load.js';
import { rehearse } from '../../bench/room.js';

describe('the load generator and the rehearsal, short', () => {
  it('4 learners typing for 3 s over the real API: all opened, every key echoed, none lost, the host and server measured', async () => {
    const f = await measureLoad(4, 3);
    expect(f.opened).toBe(4);
    expect(f.failed).toEqual([]);
    expect(f.lost).toBe(0);
    // a key every 100 ms per learner, less the commands' pauses
    expect(f.keys).toBeGreaterThan(4 * 15);
    expect(f.p99).toBeGreaterThan(0);
    expect(f.hostBusyPct).toBeGreaterThan(0);
    expect(f.hostBusyPct).toBeLessThanOrEqual(100);
    expect(f.serverRssMiB).toBeGreaterThan(20);
    expect(f.memPerSessionMiB).toBeGreaterThan(0);
  }, 120_000);

  it('3 learners join a workshop by its code, pass step 1 by its automatic check, and see the broadcast demo', async () => {
    const f = await rehearse(3, 15);
    expect(f.failed).toEqual([]);
    expect(f.joined).toBe(3);
    expect(f.check).toHaveLength(3);
    expect(f.lost).toBe(0);
    expect(f.broadcastMin).toBeGreaterThan(0);
    expect(f.dashboard.length).toBeGreaterThan(0);
    expect(f.capacity.seats).toBeGreaterThan(0);
    // every key typed after the last join is in the settled figures too
    expect(f.echoSettled.length).toBeGreaterThan(0);
    expect(f.echoSettled.length).toBeLessThanOrEqual(f.echo.length);
  }, 180_000);
});

// The workshop heatmap's cells (passed, on it, stuck after N minutes online, asked for help, not
// reached), its columns (the workshop's path when it has one, else the labs in use, in catalogue
// order), its per-step reasons; the help text's validation; announcements expiring on their own.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../server/labs/catalog.js';
import { AnnouncementBoard } from '../../server/workshops/announcements.js';
import { buildHeatmap, heatmapLabs, type HeatmapMember } from '../../server/workshops/heatmap.js';
import { helpText } from '../../server/workshops/help-queue.js';

const lab = (id: string, steps: number, failures: Record<string, string> = {}) =>
  ({ id, manifest: { title: id.toUpperCase() }, steps: Array.from({ length: steps }, (_, i) => ({ title: `${id} ${i + 1}`, failures })) }) as unknown as Lab;

const A = lab('a', 2, { 'no-a': 'A is not there yet' });
const B = lab('b', 3);
const NOW = 10_000_000;
const min = 60_000;

function member(learner: string, extra: Partial<HeatmapMember> = {}): HeatmapMember {
  return { learner, name: learner, joinedAt: NOW - 60 * min, ...extra };
}

describe('heatmapLabs', () => {
  it("takes the workshop's path in its order when it has one, else the labs in use in catalogue order", () => {
    expect(heatmapLabs([A, B], ['b', 'a', 'gone'], []).map((l) => l.id)).toEqual(['b', 'a']);
    expect(heatmapLabs([A, B], undefined, ['b', undefined, 'a', 'b']).map((l) => l.id)).toEqual(['a', 'b']);
    expect(heatmapLabs([A, B], [], ['b']).map((l) => l.id)).toEqual(['b']);
  });
});

describe('buildHeatmap', () => {
  const base = { labs: [A, B], latestLab: new Map<string, string>(), stuckMinutes: 10, now: NOW };

  it('marks passed steps, the step a learner is on, stuck after N minutes online, and a raised hand', () => {
    const hm = buildHeatmap({
      ...base,
      members: [
        // On a's step 2 since passing step 1, 3 minutes ago: on it.
        member('fresh', { session: { id: 's1', lab: 'a', createdAt: NOW - 30 * min, online: true } }),
        // On it for 12 minutes (since step 1 passed), online: stuck.
        member('slow', { session: { id: 's2', lab: 'a', createdAt: NOW - 30 * min, online: true } }),
        // Same, but offline: not counted as stuck.
        member('away', { session: { id: 's3', lab: 'a', createdAt: NOW - 30 * min, online: false } }),
        // Stuck and asked for help: the hand shows.
        member('hand', { session: { id: 's4', lab: 'a', createdAt: NOW - 30 * min, online: true }, helpAt: NOW - min }),
        // In lab b, passed a entirely before.
        member('bee', { session: { id: 's5', lab: 'b', createdAt: NOW - 2 * min, online: true } }),
        // Never started anything, no session: nothing is current.
        member('ghost'),
      ],
      passes: [
        { learner: 'fresh', lab: 'a', step: 0, passedAt: NOW - 3 * min },
        { learner: 'slow', lab: 'a', step: 0, passedAt: NOW - 12 * min },
        { learner: 'away', lab: 'a', step: 0, passedAt: NOW - 12 * min },
        { learner: 'hand', lab: 'a', step: 0, passedAt: NOW - 12 * min },
        { learner: 'bee', lab: 'a', step: 0, passedAt: NOW - 50 * min },
        { learner: 'bee', lab: 'a', step: 1, passedAt: NOW - 40 * min },
      ],
      failures: [
        { learner: 'slow', lab: 'a', step: 1, reason: 'no-a', count: 7, lastAt: NOW - min },
        { learner: 'hand', lab: 'a', step: 1, reason: 'no-a', count: 2, lastAt: NOW - min },
        { learner: 'fresh', lab: 'a', step: 1, reason: 'other', count: 1, lastAt: NOW - min },
        { learner: 'ghost', lab: 'zz', step: 0, reason: 'no-a', count: 1, lastAt: NOW },
      ],
    });
    expect(hm.columns.map((c) => `${c.lab}${c.step}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'b2']);
    expect(Object.fromEntries(hm.rows.map((r) => [r.name, r.cells.join(' ')]))).toEqual({
      fresh: 'passed current todo todo todo',
      slow: 'passed stuck todo todo todo',
      away: 'passed current todo todo todo',
      hand: 'passed help todo todo todo',
      bee: 'passed passed current todo todo',
      ghost: 'todo todo todo todo todo',
    });
    // bee is on b's step 1 since the session started (after the last pass in another lab).
    expect(hm.rows[4]).toMatchObject({ currentCol: 2, since: NOW - 2 * min, online: true, sessionId: 's5' });
    expect(hm.rows[1]).toMatchObject({ currentCol: 1, since: NOW - 12 * min, reason: 'no-a' });
    expect(hm.rows[5].currentCol).toBeUndefined();
    expect(hm.rows.map((r) => r.help ?? false)).toEqual([false, false, false, true, false, false]);
    // Per step: most learners first, with the lab's message when it declares one; unknown labs' rows ignored.
    expect(hm.reasons).toEqual([
      {
        col: 1,
        reasons: [
          { id: 'no-a', message: 'A is not there yet', learners: 2, checks: 9 },
          { id: 'other', learners: 1, checks: 1 },
        ],
      },
    ]);
  });

  it('a lower stuck limit turns the same learner stuck; an offline learner in no lab has no current step', () => {
    const args = {
      ...base,
      members: [member('m', { session: { id: 's', lab: 'b', createdAt: NOW - 4 * min, online: true } })],
      passes: [],
      failures: [],
    };
    expect(buildHeatmap(args).rows[0].cells[2]).toBe('current');
    expect(buildHeatmap({ ...args, stuckMinutes: 3 }).rows[0].cells[2]).toBe('stuck');
    // Where an offline learner was comes from their latest progress.
    const off = buildHeatmap({ ...args, members: [member('m')], latestLab: new Map([['m', 'b']]) });
    expect(off.rows[0]).toMatchObject({ cells: ['todo', 'todo', 'current', 'todo', 'todo'], online: false });
  });
});

describe('helpText', () => {
  it('trims, keeps up to 200 characters of one line, refuses more', () => {
    expect(helpText('  why?  ')).toBe('why?');
    expect(helpText('   ')).toBeUndefined();
    expect(helpText(undefined)).toBeUndefined();
    expect(helpText('x'.repeat(200))).toHaveLength(200);
    expect(() => helpText('x'.repeat(201))).toThrow(/200/);
    expect(() => helpText('a\nb')).toThrow(/one line/);
  });
});

describe('AnnouncementBoard', () => {
  afterEach(() => void vi.useRealTimers());

  it('expires announcements on their own and says so, so the room drops them', () => {
    vi.useFakeTimers();
    const changed: string[] = [];
    const board = new AnnouncementBoard((w) => changed.push(w));
    const a = board.add('w1', 'short', 1);
    board.add('w1', 'long', 15);
    board.add('w2', 'elsewhere', 1);
    expect(board.list('w1').map((x) => x.text)).toEqual(['short', 'long']);
    vi.advanceTimersByTime(61_000);
    expect(board.list('w1').map((x) => x.text)).toEqual(['long']);
    expect(changed.sort()).toEqual(['w1', 'w2']);
    expect(board.remove('w1', a.id)).toBe(false);
    expect(board.list('w2')).toEqual([]);
  });

  it('keeps at most 20 per workshop, the newest', () => {
    const board = new AnnouncementBoard(() => undefined);
    for (let i = 0; i < 25; i++) board.add('w', `n${i}`, 5);
    const list = board.list('w');
    expect(list).toHaveLength(20);
    expect(list[0].text).toBe('n5');
    for (const a of list) board.remove('w', a.id);
    expect(board.list('w')).toEqual([]);
  });
});

// Instance claims (server/sandbox/instance.ts): one number per data directory, kept across a
// crash, refused to a second live server of the same directory, never shared between live ones.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimInstance, instanceCount, InstanceBusyError, listInstances, SLOTS_PER_INSTANCE, tagOf } from '../../server/sandbox/instance.js';
import { reapable } from '../../server/sandbox/reaper.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-inst-'));
const base = { uidBase: 1_000_000_000, uidCount: 65537 };

/** A pid that has exited (and its start time): a crashed holder. */
function deadHolder(): { pid: number; start: string } {
  const r = spawnSync('sh', ['-c', 'echo $$; cut -d" " -f22 /proc/$$/stat'], { encoding: 'utf8' });
  const [pid, start] = r.stdout.trim().split('\n');
  return { pid: Number(pid), start };
}

describe('instance claims', () => {
  it('two data directories get two numbers, disjoint uid ranges and distinct tags', () => {
    const d = dir();
    const a = claimInstance({ ...base, key: '/data/a', dir: d });
    const b = claimInstance({ ...base, key: '/data/b', dir: d });
    expect([a.index, b.index]).toEqual([0, 1]);
    expect([a.tag, b.tag]).toEqual(['i00', 'i01']);
    expect(b.uidBase - a.uidBase).toBe(SLOTS_PER_INSTANCE * base.uidCount);
    // Released, a number is free for the next directory.
    a.release();
    expect(claimInstance({ ...base, key: '/data/c', dir: d }).index).toBe(0);
  });

  it('a crashed server of the same directory gets its number back; a live one refuses a second server', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, '3.json'), JSON.stringify({ key: '/data/a', ...deadHolder() }));
    const again = claimInstance({ ...base, key: '/data/a', dir: d, exclusive: true });
    expect(again.tag).toBe(tagOf(3));
    // Now held by this live process: a second server (another live pid) is refused.
    const live = JSON.parse(fs.readFileSync(path.join(d, '3.json'), 'utf8'));
    fs.writeFileSync(path.join(d, '3.json'), JSON.stringify({ ...live, pid: 1, start: fs.readFileSync('/proc/1/stat', 'utf8').split(') ')[1].split(' ')[19] }));
    expect(() => claimInstance({ ...base, key: '/data/a', dir: d, exclusive: true })).toThrow(InstanceBusyError);
  });

  it('when every number is held, a dead holder\'s number is taken over after its leftovers are removed; live ones never', () => {
    const d = dir();
    const n = instanceCount(base.uidBase, base.uidCount);
    expect(n).toBeGreaterThan(40);
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(d, `${i}.json`), JSON.stringify({ key: `/k${i}`, pid: 1, start: fs.readFileSync('/proc/1/stat', 'utf8').split(') ')[1].split(' ')[19] }));
    expect(() => claimInstance({ ...base, key: '/new', dir: d })).toThrow(/all \d+ isoplay instance numbers/);
    fs.writeFileSync(path.join(d, '7.json'), JSON.stringify({ key: '/k7', ...deadHolder() }));
    const swept: string[] = [];
    const got = claimInstance({ ...base, key: '/new', dir: d, beforeTakeover: (t) => swept.push(t) });
    expect(got.index).toBe(7);
    expect(swept).toEqual([tagOf(7)]);
    expect(listInstances(d).get(7)?.key).toBe('/new');
    // Held by this very process (a test worker's other kit) and by a dead holder: the dead one's goes.
    const mine = { pid: process.pid, start: fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[19] };
    fs.writeFileSync(path.join(d, '2.json'), JSON.stringify({ key: '/mine', ...mine }));
    fs.writeFileSync(path.join(d, '9.json'), JSON.stringify({ key: '/k9', ...deadHolder() }));
    expect(claimInstance({ ...base, key: '/another', dir: d }).index).toBe(9);
  });

  it('a reaper takes its own tag and dead lab self-tests\' tags, never a live neighbour\'s or an unknown name', () => {
    const live = { key: '/data/b', pid: process.pid, start: fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[19] };
    const instances = new Map([[1, live], [2, { key: 'lab-test:123', ...deadHolder() }], [3, { ...live, key: 'lab-test:456' }]]);
    const names = ['isoplay/i00-sabc', 'isoplay/i01-sdef', 'isoplay/i02-lt1', 'isoplay/i03-lt2', 'isoplay/sold', 'isoplay/i00-probe-9'];
    expect(reapable(names, 'isoplay', { tag: 'i00' }, instances)).toEqual(['isoplay/i00-sabc', 'isoplay/i02-lt1', 'isoplay/i00-probe-9']);
    expect(reapable(names, 'isoplay', { tag: 'i00', all: true }, instances)).toEqual(names);
  });
});

// The suites' global teardown removes the scratch data directories their tests made, and never one
// made before the run, one that is not ours (no isoplay- prefix), or one with a mount under it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDirsSince } from '../helpers/global-teardown.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-cleanup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scratch directories of a test run', () => {
  it("lists this run's isoplay- directories only, skipping any with a mount under it", () => {
    const old = path.join(tmp, 'isoplay-test-old');
    fs.mkdirSync(old);
    const started = Date.now() + 5;
    while (Date.now() <= started + 5) {
      /* a birth time strictly after the start */
    }
    for (const n of ['isoplay-test-a', 'isoplay-deleg-b', 'isoplay-test-mounted', 'other-c', 'isoplay-shots']) fs.mkdirSync(path.join(tmp, n));
    fs.writeFileSync(path.join(tmp, 'isoplay-file'), '');
    const mounts = `proc /proc proc rw 0 0\ntmpfs ${tmp}/isoplay-test-mounted/rootfs tmpfs rw 0 0\n`;
    expect(scratchDirsSince(started, tmp, mounts).map((d) => path.basename(d)).sort()).toEqual(['isoplay-deleg-b', 'isoplay-test-a']);
  });
});

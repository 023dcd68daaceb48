// A cgroup whose task outlives a teardown's 5 s (a loaded host) is not left behind: it is removed
// in the background once the task is gone, and a stopping server waits for that (settleRemovals).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { keepRemoving, killAndRemove, settleRemovals } from '../../server/sandbox/cgroups/fs-util.js';

const V2 = fs.statfsSync('/sys/fs/cgroup').type === 0x63677270;

describe('a cgroup busy longer than a teardown waits', () => {
  it('is removed in the background once its last task exits, and settleRemovals waits for it', async () => {
    const dir = V2 ? `/sys/fs/cgroup/isoplay-linger-${process.pid}` : `/sys/fs/cgroup/pids/isoplay-linger-${process.pid}`;
    fs.mkdirSync(dir);
    const task = spawn('sleep', ['300'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(task.pid));
    // The task "takes" 6 s to go: the kill does nothing until then (as a slow exit would look).
    const t0 = Date.now();
    const kill = async () => {
      if (Date.now() - t0 > 6000) task.kill('SIGKILL');
    };
    const left = await killAndRemove([dir], kill, 1500);
    expect(left).toEqual([dir]);
    keepRemoving([dir], kill);
    await settleRemovals(30_000);
    expect(fs.existsSync(dir)).toBe(false);
    expect(task.killed).toBe(true);
  }, 60_000);
});

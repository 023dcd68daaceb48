// The kernel view's one worker thread, for real: started on the first request, reading a fake /proc
// and cgroupfs; stopped when the last sampler lets go and on server close; a crash or a stuck read
// is logged with the sessions it held, and a fresh worker, given every open session's plan again,
// answers the next request.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { PassPlan } from '../../server/inspect/sample-pass.js';
import { SampleWorker, WorkerStoppedError } from '../../server/inspect/sample-worker.js';
import type { Logger } from '../../server/log.js';
import { SamplerScheduler } from '../../server/inspect/scheduler.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'FakeSampleWorker-'));
const FAULTY = new URL('../fixtures/faulty-sample-thread.mjs', import.meta.url);
const workers: SampleWorker[] = [];
afterEach(() => {
  vi.useRealTimers();
  workers.splice(0).forEach((w) => w.close());
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function fakeLog(): Logger & { errors: { obj: Record<string, unknown>; msg: string }[] } {
  const errors: { obj: Record<string, unknown>; msg: string }[] = [];
  return { errors, info: vi.fn(), warn: vi.fn(), error: (obj, msg) => void errors.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }) };
}

function worker(opts: ConstructorParameters<typeof SampleWorker>[0] = {}): SampleWorker {
  const w = new SampleWorker({ log: fakeLog(), ...opts });
  workers.push(w);
  return w;
}

/** A plan for a session whose tree is one empty cgroup directory (the fixture ignores it). */
function plan(session: string): PassPlan {
  const dir = path.join(root, 'cg', session);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cgroup.procs'), '');
  return { session, procRoot: path.join(root, 'proc'), driver: { mode: 'v2' }, cgroup: { path: session, dirs: { unified: dir }, procsFiles: [], leafProcsFiles: [] }, treeDir: dir, cpuFile: undefined, uidMap: '' };
}

describe('SampleWorker: the one thread that reads for every sampler', () => {
  it('starts on the first request, reads the fake /proc there, and stops when the last user lets go', async () => {
    fs.mkdirSync(path.join(root, 'proc/42'), { recursive: true });
    fs.mkdirSync(path.join(root, 'proc/sys/kernel/random'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/42/uid_map'), '0 1000000000 65536\n');
    fs.writeFileSync(path.join(root, 'proc/sys/kernel/random/boot_id'), 'b7a1d0c2-1111-4222-8333-944455556666\n');
    fs.writeFileSync(path.join(root, 'proc/uptime'), '1234.56 99.0\n');
    const w = worker();
    w.acquire();
    w.acquire();
    expect(w.running).toBe(false);
    const base = await w.request({ kind: 'base', procRoot: path.join(root, 'proc'), initPid: 42 });
    expect(w.running).toBe(true);
    expect(base).toMatchObject({ kind: 'base', uidMap: '0 1000000000 65536\n', host: { bootId: 'b7a1d0c2-1111-4222-8333-944455556666', uptimeSec: 1234, release: os.release() } });
    w.open(plan('real'));
    const pass = await w.request({ kind: 'pass', session: 'real', full: true });
    expect(pass.result).toMatchObject({ session: 'real', idle: false, cgroups: { list: [{ path: '/' }], more: 0 } });
    w.release();
    expect(w.running).toBe(true);
    w.release();
    expect(w.running).toBe(false);
    expect(w.starts).toBe(1);
  });

  it('logs a crash with the sessions it held, fails their requests, and starts afresh on a later one', async () => {
    // Only the clock is fake (the restart delay is measured with Date.now); the thread is real.
    vi.useFakeTimers({ toFake: ['Date'] });
    const log = fakeLog();
    const w = worker({ entry: FAULTY, log, restartDelayMs: 200 });
    w.acquire();
    w.open(plan('ok'));
    w.open(plan('crash'));
    await expect(w.request({ kind: 'pass', session: 'crash', full: true })).rejects.toBeInstanceOf(WorkerStoppedError);
    const crashedAt = Date.now();
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ msg: expect.stringContaining('crashed'), obj: { sessions: ['crash'] } });
    // Within the restart delay a request is refused (no crash loop), up to its last millisecond...
    await expect(w.request({ kind: 'pass', session: 'ok', full: true })).rejects.toBeInstanceOf(WorkerStoppedError);
    vi.setSystemTime(crashedAt + 199);
    await expect(w.request({ kind: 'pass', session: 'ok', full: true })).rejects.toBeInstanceOf(WorkerStoppedError);
    expect(w.starts).toBe(1);
    // ...then a fresh worker answers. It knows 'ok' without being told again; a forgotten session is an error there.
    vi.setSystemTime(crashedAt + 200);
    const r = await w.request({ kind: 'pass', session: 'ok', full: true });
    expect(r.result).toEqual({ session: 'ok', idle: true });
    expect(w.starts).toBe(2);
    w.forget('ok');
    await expect(w.request({ kind: 'pass', session: 'ok', full: true })).rejects.toThrow('no plan for session ok');
  });

  it('replaces a worker that stops answering (a read stuck in the kernel), and logs it', async () => {
    const log = fakeLog();
    const w = worker({ entry: FAULTY, log, requestTimeoutMs: 300, restartDelayMs: 0 });
    w.acquire();
    w.open(plan('hang'));
    w.open(plan('ok'));
    const t0 = Date.now();
    await expect(w.request({ kind: 'pass', session: 'hang', full: true })).rejects.toBeInstanceOf(WorkerStoppedError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(log.errors[0]).toMatchObject({ msg: expect.stringContaining('stopped answering'), obj: { sessions: ['hang'] } });
    expect((await w.request({ kind: 'pass', session: 'ok', full: true })).result.idle).toBe(true);
    expect(w.starts).toBe(2);
  });

  it('is terminated when the server closes, whoever still holds it, and logs nothing for it', async () => {
    const log = fakeLog();
    const w = worker({ entry: FAULTY, log });
    const sched = new SamplerScheduler(2, { worker: w, log });
    sched.add({ tick: async () => {} });
    w.open(plan('ok'));
    await w.request({ kind: 'pass', session: 'ok', full: true });
    expect(w.running).toBe(true);
    sched.close();
    expect(w.running).toBe(false);
    expect(sched.size).toBe(0);
    expect(log.errors).toEqual([]);
  });
});

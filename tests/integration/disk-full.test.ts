// The data directory's disk fills up mid-workshop (a small tmpfs mounted as the data directory):
// new sessions are refused with a clear error, a live learner keeps typing and passing checks, and
// nothing already written is lost or corrupted (SQLite's integrity check after); freed, it recovers.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-diskfull-'));
let srv: TestServer | undefined;
let mounted = false;

afterAll(async () => {
  await srv?.close().catch(() => undefined);
  if (mounted) spawnSync('umount', ['-l', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

describe('a full disk under the data directory', () => {
  it('refuses new sessions with a clear 507, keeps the live learner working, and loses nothing already written', async () => {
    // A 6 MiB tmpfs named like every isoplay object (the leak checks would see it if it stayed).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0755', 'isoplay-diskfull', dir]);
    mounted = true;
    srv = await startServer({ dataDir: dir });
    const a = await createSession(srv.base, { lab: 'first-namespace' });
    const term = TermClient.for(srv.ws, a);
    await term.open();
    await term.waitForText(/# $/);
    // Step 1 passed and recorded before the disk fills.
    term.type('hostname my-box\r');
    const passed1 = await until(async () => {
      const r = await fetch(`${srv!.base}/api/sessions/${a.id}/lab/steps/1/check`, json({}, a.token));
      const b = (await r.json()) as { status?: string };
      return b.status === 'passed' ? b : undefined;
    }, 15_000, 'step 1 to pass');
    expect(passed1.status).toBe('passed');

    // Fill it.
    spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
    expect(fs.statfsSync(dir).bavail).toBe(0);

    // A new learner is refused, with words a person understands; nothing half-made is left.
    const before = srv.app.registry.list().length;
    const r = await fetch(`${srv.base}/api/sessions`, json({}));
    expect(r.status).toBe(507);
    const err = (await r.json()) as { code: string; message: string };
    expect(err.code).toBe('ISOPLAY_ERR_DISK_FULL');
    expect(err.message).toMatch(/disk .*full/i);
    expect(srv.app.registry.list().length).toBe(before);

    // The live learner keeps typing, and the next check still judges (its record may wait for space).
    term.type('echo still-$((40+2))\r');
    await term.waitForText(/still-42/);
    term.type('unshare --uts bash\r');
    await term.waitForText(/# $/);
    // A failed check still answers what failed (its count for the instructor's heatmap is what waits).
    const f2 = await fetch(`${srv.base}/api/sessions/${a.id}/lab/steps/2/check`, json({}, a.token));
    expect(f2.status).toBe(200);
    expect(((await f2.json()) as { status: string }).status).toBe('failed');
    term.type('hostname inner\r');
    await term.waitForText(/# $/);
    const c2 = await fetch(`${srv.base}/api/sessions/${a.id}/lab/steps/2/check`, json({}, a.token));
    // Judged and shown as passed; its record waits in memory until there is room.
    const c2b = (await c2.json()) as { status?: string; progress?: { current: number } };
    expect(c2.status).toBe(200);
    expect(c2b.status).toBe('passed');
    expect(c2b.progress?.current).toBe(2);
    expect(srv.app.labs.progress.unsavedCount).toBe(1);

    // Space again: nothing written before is lost or corrupt, and new learners come in.
    fs.rmSync(path.join(dir, 'filler'));
    // The next write (or the 5 s retry) saves what waited.
    await until(() => srv!.app.labs.progress.unsavedCount === 0, 10_000, 'the waiting pass to be written');
    const db = new Database(path.join(dir, 'progress.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT lab, step FROM progress ORDER BY step').all();
    expect(rows).toEqual([{ lab: 'first-namespace', step: 0 }, { lab: 'first-namespace', step: 1 }]);
    db.close();
    const progress = (await (await fetch(`${srv.base}/api/sessions/${a.id}/progress`, { headers: { authorization: `Bearer ${a.token}` } })).json()) as { labs?: Record<string, { passed: number[] }> } & Record<string, unknown>;
    expect(JSON.stringify(progress)).toMatch(/first-namespace/);
    const b = await createSession(srv.base);
    expect(b.id).toMatch(/^s/);
    term.close();
  }, 120_000);
});

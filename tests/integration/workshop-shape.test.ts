// The workshop's shape and the instructor's authority on a real server with real sandboxes: the
// server-wide instructor key (configured, or generated into a 0600 file and never logged), a path
// whose first lab learners land in, a learner limit, a start and an end with both warnings in
// order, an extension, the end (sandboxes close with a reason, joins refused, progress readable and
// exported as CSV with formula injection neutralised), the per-step command history from the
// shell's own history, the kill switch, deletion, and admission refused beyond the host's capacity.
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkshopAddresses, WorkshopCapacityView, WorkshopDashboard } from '../../server/protocol/api.js';
import type { ServerEventMessage } from '../../server/protocol/events.js';
import { INSTRUCTOR_KEY_FILE } from '../../server/workshops/admin-key.js';
import { createSession, createWorkshop, postWorkshop, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const join = (srv: TestServer, body: Record<string, unknown>) =>
  fetch(`${srv.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const as = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
});

describe('instructor authority', () => {
  it('generates the server key into a 0600 root file when none is configured, never logs it, and refuses forged keys with 401', async () => {
    const lines: string[] = [];
    const srv = await startServer({ instructorKey: undefined, logLevel: 'info' }, { logStream: { write: (l) => void lines.push(l) } });
    servers.push(srv);
    const file = `${srv.config.dataDir}/${INSTRUCTOR_KEY_FILE}`;
    const st = fs.statSync(file);
    expect(st.mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect(st.uid).toBe(0);
    const key = fs.readFileSync(file, 'utf8').trim();
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(srv.app.adminKey.generated).toBe(true);

    for (const forged of [null, '', 'x', key.slice(0, -1), `${key}x`, key.toUpperCase()]) {
      const r = await postWorkshop(srv, { title: 'Forged' }, forged);
      expect(r.status, `key ${JSON.stringify(forged)}`).toBe(401);
      expect((await r.json()).code).toBe('ISOPLAY_ERR_ADMIN_KEY');
    }
    const ok = await postWorkshop(srv, { title: 'Real' }, key);
    expect(ok.status).toBe(201);
    const w = (await ok.json()) as { instructorKey: string };
    // A workshop's own key does not open new workshops.
    expect((await postWorkshop(srv, { title: 'Stolen' }, w.instructorKey)).status).toBe(401);
    expect(lines.join('')).not.toContain(key);

    // A restart on the same data dir keeps the same key (it is read, not made again).
    await srv.app.close();
    const again = await startServer({ instructorKey: undefined, dataDir: srv.config.dataDir });
    servers.push(again);
    expect(again.app.adminKey.generated).toBe(false);
    expect((await postWorkshop(again, { title: 'Same key' }, key)).status).toBe(201);
  });
});

describe('the workshop has a shape', () => {
  it('validates the path, lands learners in its first lab, enforces the limit and the start, and refuses a wrong code', async () => {
    const srv = await startServer();
    servers.push(srv);
    const bad = await postWorkshop(srv, { title: 'Bad path', path: ['first-namespace', 'no-such-lab'] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toContain('no-such-lab');

    const w = await createWorkshop(srv, { title: 'Path room', path: ['first-namespace', 'cgroup-memory'], learnerLimit: 1 });
    const info = await (await fetch(`${srv.base}/api/workshops/join/${w.joinCode}`)).json();
    expect(info).toMatchObject({ title: 'Path room', path: ['first-namespace', 'cgroup-memory'] });
    const ada = await createSession(srv.base, { workshop: w.joinCode, name: 'Ada', learner: 'learner-ada-0001' });
    expect(ada.lab).toBe('first-namespace'); // not a free sandbox

    // The limit: a second learner is refused with a clear message; Ada may come back.
    const bob = await join(srv, { workshop: w.joinCode, name: 'Bob', learner: 'learner-bob-0001' });
    expect(bob.status).toBe(409);
    const e = await bob.json();
    expect(e.code).toBe('ISOPLAY_ERR_WORKSHOP_FULL');
    expect(e.message).toMatch(/full: it takes 1 learners/);
    expect((await join(srv, { workshop: w.joinCode, name: 'Ada', learner: 'learner-ada-0001' })).status).toBe(201);

    // Before the start: told when it starts.
    const later = await createWorkshop(srv, { title: 'Tomorrow', startsAt: Date.now() + 86_400_000, endsAt: Date.now() + 90_000_000 });
    const early = await join(srv, { workshop: later.joinCode, name: 'Eve', learner: 'learner-eve-0001' });
    expect(early.status).toBe(409);
    expect((await early.json()).code).toBe('ISOPLAY_ERR_WORKSHOP_NOT_STARTED');
    // A wrong code: 404, as before.
    expect((await join(srv, { workshop: 'ZZZZZZ', name: 'Eve' })).status).toBe(404);
    // A time in the past, an end before the start: 400.
    expect((await postWorkshop(srv, { title: 'Past', endsAt: Date.now() - 1000 })).status).toBe(400);
  });

  it('warns at both thresholds in order, can be extended, then closes every sandbox with a reason; joins are refused; progress exports as CSV', async () => {
    const srv = await startServer({ workshopWarningsMs: [6000, 3000] });
    servers.push(srv);
    const t0 = Date.now();
    const w = await createWorkshop(srv, { title: 'Short room', endsAt: t0 + 12_000 });
    const ada = await createSession(srv.base, { workshop: w.joinCode, name: '=HYPERLINK("http://evil")', learner: 'learner-ada-0002', lab: 'first-namespace' });
    const bob = await createSession(srv.base, { workshop: w.joinCode, name: 'Bob, "the" builder', learner: 'learner-bob-0002' });
    const outsider = await createSession(srv.base, {});
    // A second room with the same end, which nobody extends: its sandboxes close when the time is up.
    const w2 = await createWorkshop(srv, { title: 'Other short room', endsAt: t0 + 12_000 });
    const cy = await createSession(srv.base, { workshop: w2.joinCode, name: 'Cy', learner: 'learner-cy-00002' });
    const cyTerm = TermClient.for(srv.ws, cy);
    const heard: { at: number; m: ServerEventMessage }[] = [];
    srv.app.registry.get(ada.id)!.bus.subscribe((m) => m.type === 'event' && m.kind === 'workshop-ending' && heard.push({ at: Date.now(), m }));
    const term = TermClient.for(srv.ws, ada);
    const bobTerm = TermClient.for(srv.ws, bob);
    await Promise.all([term.open(), bobTerm.open()]);
    term.type('hostname my-box\r');
    await until(async () => {
      const d = (await (await fetch(`${srv.base}/api/workshops/${w.id}`, as(w.instructorKey))).json()) as WorkshopDashboard;
      return d.learners[0]?.passed === 1 || undefined;
    }, 10_000, "Ada's step 1");

    await until(() => heard.length >= 2 || undefined, 12_000, 'both warnings');
    expect(heard.map((h) => h.m.type === 'event' && h.m.kind === 'workshop-ending' && h.m.endsAt)).toEqual([t0 + 12_000, t0 + 12_000]);
    // In order, at 6 s and 3 s before the end.
    expect(heard[0].at - t0).toBeGreaterThanOrEqual(5900);
    expect(heard[1].at - t0).toBeGreaterThanOrEqual(8900);
    expect(heard[1].at - t0).toBeLessThan(12_000);

    // The instructor gives one more minute: the sandboxes outlive the first end time.
    const ext = await fetch(`${srv.base}/api/workshops/${w.id}/extend`, as(w.instructorKey, { method: 'POST', body: JSON.stringify({ minutes: 1 }) }));
    expect(ext.status).toBe(200);
    const { endsAt } = (await ext.json()) as { endsAt: number };
    expect(endsAt).toBeGreaterThanOrEqual(t0 + 72_000);
    await until(() => heard.some((h) => h.m.type === 'event' && h.m.kind === 'workshop-ending' && h.m.extended) || undefined, 3000, 'the extension event');
    await cyTerm.waitClosed(15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 12_000);
    expect(cyTerm.closed!.reason).toBe('the workshop ended (its end time passed)');
    expect((await join(srv, { workshop: w2.joinCode, name: 'Cy', learner: 'learner-cy-00002' })).status).toBe(410);
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 13_000 - Date.now())));
    expect(term.closed).toBeUndefined();

    // The instructor ends it now (a test does not wait a minute): every learner's sandbox closes with the reason.
    expect((await fetch(`${srv.base}/api/workshops/${w.id}/end`, as('wrong-key', { method: 'POST' }))).status).toBe(401);
    const ended = await fetch(`${srv.base}/api/workshops/${w.id}/end`, as(w.instructorKey, { method: 'POST' }));
    expect(await ended.json()).toEqual({ closed: 2 });
    await term.waitClosed();
    await bobTerm.waitClosed();
    expect(term.closed!.reason).toBe('the workshop was ended by its instructor');
    expect(srv.app.registry.get(ada.id)).toBeUndefined();
    expect(srv.app.registry.get(outsider.id)).toBeDefined(); // not in the workshop: untouched
    // Joins refused; the dashboard and the CSV stay readable.
    const late = await join(srv, { workshop: w.joinCode, name: 'Late', learner: 'learner-late-0001' });
    expect(late.status).toBe(410);
    expect((await late.json()).code).toBe('ISOPLAY_ERR_WORKSHOP_ENDED');
    const d = (await (await fetch(`${srv.base}/api/workshops/${w.id}`, as(w.instructorKey))).json()) as WorkshopDashboard;
    expect(d.endedAt).toBeGreaterThan(0);
    expect(d.learners.map((l) => [l.name, l.passed])).toEqual([['=HYPERLINK("http://evil")', 1], ['Bob, "the" builder', 0]]);
    expect((await fetch(`${srv.base}/api/workshops/${w.id}/export.csv`)).status).toBe(401);
    const csv = await fetch(`${srv.base}/api/workshops/${w.id}/export.csv`, as(w.instructorKey));
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('name,online,lab,step,passed,steps,last activity,help requested,memory MiB,oom kills');
    // The formula is text ('=...), quoted because it holds quotes; the comma and quotes are escaped.
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",no,first-namespace,A namespace inside the namespace,1,3,20\d\d-/);
    expect(lines[2]).toMatch(/^"Bob, ""the"" builder",no,/);
  });

  it("records each learner's command history per step from the shell's own history (not keystrokes), exported only with the key; the kill switch ends one session with a reason", async () => {
    const srv = await startServer();
    servers.push(srv);
    const w = await createWorkshop(srv, { title: 'History room', path: ['first-namespace'] });
    const other = await createWorkshop(srv, { title: 'Other room' });
    const ada = await createSession(srv.base, { workshop: w.joinCode, name: 'Ada', learner: 'learner-ada-0003' });
    const term = TermClient.for(srv.ws, ada);
    await term.open();
    await term.waitForText('root@');
    term.type('hostname my-box\r');
    await until(async () => {
      const d = (await (await fetch(`${srv.base}/api/workshops/${w.id}`, as(w.instructorKey))).json()) as WorkshopDashboard;
      return d.learners[0]?.passed === 1 || undefined;
    }, 10_000, "Ada's step 1");
    // A secret typed at a program's prompt is keystrokes, not a command: it must not be exported.
    term.type("read -s -p 'password: ' PW; echo got-it\r");
    await term.waitForText('password: ');
    term.type('hunter2\r');
    await term.waitForText('got-it');
    term.type('echo after-step-one\r');
    await term.waitForText(/after-step-one[\s\S]*root@/);
    expect((await fetch(`${srv.base}/api/workshops/${w.id}/history.csv`, as(other.instructorKey))).status).toBe(401);
    const hist = await until(async () => {
      const t = await (await fetch(`${srv.base}/api/workshops/${w.id}/history.csv`, as(w.instructorKey))).text();
      return t.includes('echo after-step-one') ? t : undefined;
    }, 10_000, 'the history export');
    const rows = hist.trim().split('\r\n');
    expect(rows[0]).toBe('name,lab,step,time,command');
    expect(rows.find((r) => r.endsWith(',hostname my-box'))).toMatch(/^Ada,first-namespace,1,/);
    expect(rows.find((r) => r.endsWith(',echo after-step-one'))).toMatch(/^Ada,first-namespace,2,/);
    expect(hist).not.toContain('hunter2');
    // The other workshop's export has none of it.
    expect(await (await fetch(`${srv.base}/api/workshops/${other.id}/history.csv`, as(other.instructorKey))).text()).toBe('name,lab,step,time,command\r\n');

    // The kill switch: the other workshop's instructor cannot end Ada's session; hers can, with a reason.
    const kill = (wid: string, key: string) =>
      fetch(`${srv.base}/api/workshops/${wid}/sessions/${ada.id}/end`, as(key, { method: 'POST', body: JSON.stringify({ reason: 'please take a break' }) }));
    expect((await kill(other.id, other.instructorKey)).status).toBe(404);
    expect((await kill(w.id, other.instructorKey)).status).toBe(401);
    expect(term.closed).toBeUndefined();
    expect((await kill(w.id, w.instructorKey)).status).toBe(204);
    await term.waitClosed();
    expect(term.closed!.reason).toBe('the instructor ended this session: please take a break');

    // Deleted: the workshop, its members and history are gone; its code no longer joins.
    expect((await fetch(`${srv.base}/api/workshops/${w.id}`, as(other.instructorKey, { method: 'DELETE' }))).status).toBe(401);
    expect((await fetch(`${srv.base}/api/workshops/${w.id}`, as(w.instructorKey, { method: 'DELETE' }))).status).toBe(204);
    expect((await fetch(`${srv.base}/api/workshops/${w.id}`, as(w.instructorKey))).status).toBe(401);
    expect((await join(srv, { workshop: w.joinCode, name: 'Ada' })).status).toBe(404);
    expect(srv.app.stores.workshops.members(w.id)).toEqual([]);
    expect(srv.app.stores.workshops.history(w.id)).toEqual([]);

    // Where the room can reach the server: this one listens on loopback only.
    const a = (await (await fetch(`${srv.base}/api/workshops/${other.id}/addresses`, as(other.instructorKey))).json()) as WorkshopAddresses;
    expect(a.loopbackOnly).toBe(true);
    expect(a.port).toBe(Number(new URL(srv.base).port));
    expect(a.addresses.every((x) => !x.address.startsWith('127.') && x.address !== '::1')).toBe(true);
    expect((await fetch(`${srv.base}/api/workshops/${other.id}/addresses`)).status).toBe(401);
  });
});

describe('the store', () => {
  it('opens a workshops file written before the shape columns existed, and keeps its workshops', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { WorkshopStore } = await import('../../server/db/workshops.js');
    const dir = fs.mkdtempSync(`${os.tmpdir()}/isoplay-old-ws-`);
    const old = new Database(`${dir}/workshops.db`);
    old.exec(`CREATE TABLE workshops (id TEXT PRIMARY KEY, title TEXT NOT NULL, join_code TEXT NOT NULL UNIQUE, key_hash BLOB NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE members (workshop TEXT NOT NULL, learner TEXT NOT NULL, name TEXT NOT NULL, joined_at INTEGER NOT NULL, PRIMARY KEY (workshop, learner));`);
    old.prepare('INSERT INTO workshops VALUES (?, ?, ?, ?, ?)').run('w0123456789ab', 'Old room', 'ABCDEF', Buffer.alloc(32), 1);
    old.prepare('INSERT INTO members VALUES (?, ?, ?, ?)').run('w0123456789ab', 'learner-old-0001', 'Old Ada', 2);
    old.close();
    const store = new WorkshopStore(dir);
    expect(store.byCode('ABCDEF')).toEqual({ id: 'w0123456789ab', title: 'Old room', joinCode: 'ABCDEF', createdAt: 1, path: [], learnerLimit: null, startsAt: null, endsAt: null, endedAt: null });
    expect(store.members('w0123456789ab').map((m) => m.name)).toEqual(['Old Ada']);
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('capacity before the start', () => {
  it('refuses a join beyond the host capacity with a clear 409, and says what limits it', async () => {
    // Memory for one sandbox and a half: the host holds one learner.
    const room = os.totalmem() - 512 * 1024 * 1024;
    const srv = await startServer({ serverReserveBytes: 512 * 1024 * 1024, limits: { memoryBytes: Math.floor(room / 1.5) } as never });
    servers.push(srv);
    const w = await createWorkshop(srv, { title: 'Tiny host', path: ['containers-vs-vms'], learnerLimit: 30 });
    const cap = (await (await fetch(`${srv.base}/api/workshops/${w.id}/capacity`, as(w.instructorKey))).json()) as WorkshopCapacityView;
    expect(cap).toMatchObject({ seats: 1, limitedBy: 'memory', fits: false });
    expect(cap.need).toMatchObject({ perLearner: 2, learners: 30, total: 60, vmLabs: ['containers-vs-vms'] });
    expect(cap.formula).toMatch(/MemTotal/);
    const first = await join(srv, { workshop: w.joinCode, name: 'Ada', learner: 'learner-ada-0004', lab: 'first-namespace' });
    expect(first.status).toBe(201);
    const second = await join(srv, { workshop: w.joinCode, name: 'Bob', learner: 'learner-bob-0004', lab: 'first-namespace' });
    expect(second.status).toBe(409);
    const e = await second.json();
    expect(e.code).toBe('ISOPLAY_ERR_ROOM_FULL');
    expect(e.message).toMatch(/no room for another learner/);
    expect(srv.app.registry.list().length).toBe(1);
  });
});

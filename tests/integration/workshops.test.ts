// Workshops on a real server: an instructor creates one, learners join with the code and a name,
// and the dashboard shows each learner's lab, step, connection and sandbox, also after a restart.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreateWorkshopResponse, WorkshopDashboard } from '../../server/protocol/api.js';
import { createSession, postWorkshop, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

let srv: TestServer | undefined;
afterAll(async () => srv?.close());

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function dashboard(base: string, w: CreateWorkshopResponse, key = w.instructorKey): Promise<Response> {
  return fetch(`${base}/api/workshops/${w.id}`, { headers: { authorization: `Bearer ${key}` } });
}

describe('workshops', () => {
  it('create, join with code and name, see everyone on the dashboard, and keep it across a restart', async () => {
    srv = await startServer();
    // Without the server's instructor key, or with a wrong one: 401, nothing created.
    for (const key of [null, 'not-the-key']) {
      const refused = await postWorkshop(srv, { title: 'Containers 101, room B' }, key);
      expect(refused.status).toBe(401);
      expect((await refused.json()).code).toBe('ISOPLAY_ERR_ADMIN_KEY');
    }
    const created = await postWorkshop(srv, { title: 'Containers 101, room B' });
    expect(created.status).toBe(201);
    const w = (await created.json()) as CreateWorkshopResponse;
    expect(w.joinCode).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(await (await fetch(`${srv.base}/api/workshops/join/${w.joinCode.toLowerCase()}`)).json()).toEqual({ title: 'Containers 101, room B', joinCode: w.joinCode });

    // Wrong code, missing name, wrong key: clear 4xx errors, nothing created.
    const before = srv.app.registry.list().length;
    const bad = await fetch(`${srv.base}/api/sessions`, json({ workshop: 'ZZZZZZ', name: 'Ada' }));
    expect(bad.status).toBe(404);
    expect((await bad.json()).code).toBe('ISOPLAY_ERR_WORKSHOP_NOT_FOUND');
    const noName = await fetch(`${srv.base}/api/sessions`, json({ workshop: w.joinCode }));
    expect(noName.status).toBe(400);
    expect(srv.app.registry.list().length).toBe(before);
    expect((await dashboard(srv.base, w, 'not-the-key')).status).toBe(401);
    expect((await fetch(`${srv.base}/api/workshops/${w.id}`)).status).toBe(401);

    // Two learners join; Ada works through step 1 of a lab in her terminal.
    const ada = await createSession(srv.base, { workshop: w.joinCode, name: 'Ada', lab: 'first-namespace', learner: 'learner-ada-0001' });
    const bob = await createSession(srv.base, { workshop: w.joinCode, name: 'Bob <script>', learner: 'learner-bob-0001' });
    const term = TermClient.for(srv.ws, ada);
    await term.open();
    const board = async () => (await (await dashboard(srv!.base, w)).json()) as WorkshopDashboard;
    expect((await board()).learners.find((l) => l.name === 'Ada')).toMatchObject({ passed: 0 });
    term.type('hostname my-box\r');
    // The automatic check after her command passes step 1; the dashboard shows it.
    const d = await until(async () => {
      const now = await board();
      return now.learners.find((l) => l.name === 'Ada')?.passed === 1 ? now : undefined;
    }, 10_000, "Ada's step 1 on the dashboard");
    expect(d.title).toBe('Containers 101, room B');
    expect(d.learners.map((l) => l.name)).toEqual(['Ada', 'Bob <script>']);
    const a = d.learners[0];
    expect(a).toMatchObject({ online: true, sessionId: ada.id, lab: 'first-namespace', labTitle: 'Your first namespaces', passed: 1, steps: 3, currentStep: 'A namespace inside the namespace' });
    expect(a.lastActivityAt).toBeGreaterThan(d.now - 15_000);
    expect(d.learners[1]).toMatchObject({ online: false, sessionId: bob.id, passed: 0, steps: 0 });
    // The learners' secret tokens never reach the dashboard.
    expect(JSON.stringify(d)).not.toContain('learner-ada-0001');

    // Bob raises his hand; the dashboard shows it until he withdraws it. Only his token may.
    const help = (s: { id: string; token: string }, on: boolean, token = s.token) =>
      fetch(`${srv!.base}/api/sessions/${s.id}/help`, { ...json({ on }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    expect((await help(bob, true, ada.token)).status).toBe(401);
    expect((await help(bob, true)).status).toBe(200);
    let withHand = (await (await dashboard(srv.base, w)).json()) as WorkshopDashboard;
    expect(withHand.learners.find((l) => l.name === 'Bob <script>')!.helpRequestedAt).toBeGreaterThan(0);
    expect(withHand.learners.find((l) => l.name === 'Ada')!.helpRequestedAt).toBeUndefined();
    await help(bob, false);
    withHand = (await (await dashboard(srv.base, w)).json()) as WorkshopDashboard;
    expect(withHand.learners.find((l) => l.name === 'Bob <script>')!.helpRequestedAt).toBeUndefined();

    // An announcement reaches every live session of this workshop, and no other.
    const outsider = await createSession(srv.base, {});
    const heard: Record<string, string[]> = {};
    for (const s of [ada, bob, outsider]) {
      heard[s.id] = [];
      srv.app.registry.get(s.id)!.bus.subscribe((m) => m.type === 'event' && m.kind === 'announce' && heard[s.id].push(m.text));
    }
    const announce = (key: string) => fetch(`${srv!.base}/api/workshops/${w.id}/announce`, { ...json({ text: 'Five minutes left' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    expect((await announce('wrong')).status).toBe(401);
    const sent = await announce(w.instructorKey);
    expect(await sent.json()).toEqual({ delivered: 2 });
    expect([heard[ada.id], heard[bob.id], heard[outsider.id]]).toEqual([['Five minutes left'], ['Five minutes left'], []]);
    term.close();

    // Restart on the same data: the workshop, its members and their progress are still there.
    const dataDir = srv.config.dataDir;
    await srv.app.close();
    srv = await startServer({ dataDir });
    const after = (await (await dashboard(srv.base, w)).json()) as WorkshopDashboard;
    expect(after.learners.map((l) => [l.name, l.online, l.lab, l.passed])).toEqual([
      ['Ada', false, 'first-namespace', 1],
      ['Bob <script>', false, undefined, 0],
    ]);
    expect(fs.existsSync(`${dataDir}/workshops.db`)).toBe(true);
  });

  it('refuses a bad title with a 400 naming the field', async () => {
    srv ??= await startServer();
    const r = await postWorkshop(srv, { title: '' });
    expect(r.status).toBe(400);
    expect((await r.json()).message).toMatch(/title/);
  });
});

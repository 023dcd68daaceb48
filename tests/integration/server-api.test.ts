// The REST API through inject() on a real app (sandbox mode, real kernel): codes, not texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type IsoplayApp } from '../../server/app.js';
import { testConfig } from '../helpers/server.js';
import { isoplayCgroupsNamed } from '../helpers/leaks.js';

let app: IsoplayApp;
beforeAll(async () => {
  app = await buildApp(testConfig({ maxSessions: 2 }));
});
afterAll(async () => app.close());

const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers } });

describe('REST API', () => {
  it('creates, reads and deletes a session, leaving no cgroup', async () => {
    const r = await post('/api/sessions', {});
    expect(r.statusCode).toBe(201);
    const s = r.json();
    expect(s.id).toMatch(/^s[a-z2-7]{10}$/);
    expect(s.terminals).toEqual([{ name: 'shell', title: 'Terminal 1' }]);
    expect(isoplayCgroupsNamed(s.id).length).toBeGreaterThan(0);
    const g = await app.inject({ url: `/api/sessions/${s.id}`, headers: { authorization: `Bearer ${s.token}` } });
    expect(g.json()).toMatchObject({ id: s.id, state: 'ready' });
    const d = await app.inject({ method: 'DELETE', url: `/api/sessions/${s.id}`, headers: { authorization: `Bearer ${s.token}` } });
    expect(d.statusCode).toBe(204);
    expect(isoplayCgroupsNamed(s.id)).toEqual([]);
  });

  it('answers unknown sessions, bad tokens, bad bodies and unknown routes with codes', async () => {
    const s = (await post('/api/sessions', {})).json();
    expect((await app.inject({ url: `/api/sessions/saaaaaaaaaa`, headers: { authorization: 'Bearer x' } })).json().code).toBe('ISOPLAY_ERR_SESSION_NOT_FOUND');
    const bad = await app.inject({ url: `/api/sessions/${s.id}`, headers: { authorization: 'Bearer wrong' } });
    expect([bad.statusCode, bad.json().code]).toEqual([401, 'ISOPLAY_ERR_UNAUTHORIZED']);
    const body = await post('/api/sessions', { lab: '../../etc' });
    expect([body.statusCode, body.json().code]).toEqual([400, 'ISOPLAY_ERR_BAD_REQUEST']);
    const junk = await app.inject({ method: 'POST', url: '/api/sessions', payload: '{not json', headers: { 'content-type': 'application/json' } });
    expect([junk.statusCode, junk.json().code]).toEqual([400, 'ISOPLAY_ERR_BAD_REQUEST']);
    const none = await app.inject({ url: '/api/nothing-here' });
    expect([none.statusCode, none.json().code]).toEqual([404, 'ISOPLAY_ERR_NOT_FOUND']);
    const lab = await post('/api/sessions', { lab: 'no-such-lab' });
    expect([lab.statusCode, lab.json().code]).toEqual([404, 'ISOPLAY_ERR_LAB_NOT_FOUND']);
    await app.inject({ method: 'DELETE', url: `/api/sessions/${s.id}`, headers: { authorization: `Bearer ${s.token}` } });
  });

  it('refuses sessions beyond capacity with 503 and a message, and serves again after one ends', async () => {
    const a = (await post('/api/sessions', {})).json();
    const b = (await post('/api/sessions', {})).json();
    const full = await post('/api/sessions', {});
    expect(full.statusCode).toBe(503);
    expect(full.json().code).toBe('ISOPLAY_ERR_CAPACITY');
    expect(full.json().message).toMatch(/full/);
    await app.inject({ method: 'DELETE', url: `/api/sessions/${a.id}`, headers: { authorization: `Bearer ${a.token}` } });
    const again = await post('/api/sessions', {});
    expect(again.statusCode).toBe(201);
    for (const s of [b, again.json()]) await app.inject({ method: 'DELETE', url: `/api/sessions/${s.id}`, headers: { authorization: `Bearer ${s.token}` } });
  });

  it('lists labs with availability and answers step checks with 409 when not reached', async () => {
    const labs = (await app.inject({ url: '/api/labs' })).json().labs;
    expect(labs.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining(['first-namespace', 'cgroup-memory']));
    expect((await app.inject({ url: '/api/labs/nope' })).json().code).toBe('ISOPLAY_ERR_LAB_NOT_FOUND');
    const s = (await post('/api/sessions', { lab: 'first-namespace' })).json();
    expect(s.terminals.map((t: { name: string }) => t.name)).toEqual(['shell', 'observer']);
    const r = await post(`/api/sessions/${s.id}/lab/steps/3/check`, undefined, { authorization: `Bearer ${s.token}` });
    expect([r.statusCode, r.json().code]).toEqual([409, 'ISOPLAY_ERR_STEP_NOT_REACHED']);
    const first = await post(`/api/sessions/${s.id}/lab/steps/1/check`, undefined, { authorization: `Bearer ${s.token}` });
    expect(first.json().status).toBe('failed');
    await app.inject({ method: 'DELETE', url: `/api/sessions/${s.id}`, headers: { authorization: `Bearer ${s.token}` } });
  });
});

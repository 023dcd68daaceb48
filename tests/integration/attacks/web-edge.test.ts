// Attacks on the web edge, against a real server and real sandboxes: DNS rebinding (foreign Host
// and Origin), an anonymous flood of sessions, tokens leaking into the log; and the audit trail
// an operator reads afterwards. Each test asserts what held the attack.
import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../../server/protocol/frames.js';
import { TEST_INSTRUCTOR_KEY, startServer, type TestServer } from '../../helpers/server.js';
import { TermClient } from '../../helpers/ws.js';
import { until } from '../../helpers/wait.js';
import { isoplayCgroupsNamed } from '../../helpers/leaks.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { code?: string; message?: string; [k: string]: unknown };
}

/** An HTTP request with full control of Host, Origin and the source address (node:http; fetch cannot set Host). */
function request(
  srv: TestServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; localAddress?: string } = {},
): Promise<Reply> {
  const url = new URL(srv.base);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: opts.method ?? 'GET',
        localAddress: opts.localAddress,
        agent: false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: Reply['body'] = {};
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Session = { id: string; token: string; learner: string };

async function newSession(srv: TestServer, body: Record<string, unknown> = {}, localAddress?: string): Promise<Session> {
  const r = await request(srv, '/api/sessions', { method: 'POST', body, localAddress });
  if (r.status !== 201) throw new Error(`POST /api/sessions: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as unknown as Session;
}

async function endSession(srv: TestServer, s: Session): Promise<void> {
  const r = await request(srv, `/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
  expect(r.status).toBe(204);
}

/**
 * Opens a WebSocket and reports how it went: refused before the upgrade (HTTP status), closed by
 * the server (code), or, if it sends a first message, served (then closed by us).
 */
interface SocketOutcome {
  status?: number;
  body?: string;
  /** For a refused upgrade: whether the server has closed the connection (it must not hold it). */
  connectionClosed?: () => boolean;
  opened: boolean;
  served?: boolean;
  close?: { code: number; reason: string };
}
function socketOutcome(url: string, opts: { host?: string; origin?: string } = {}): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}), headers: opts.host ? { host: opts.host } : {} });
    let opened = false;
    ws.once('message', () => {
      resolve({ opened, served: true });
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      let closed = false;
      res.socket.once('close', () => (closed = true));
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body, opened: false, connectionClosed: () => closed }));
    });
    ws.on('open', () => {
      opened = true;
    });
    ws.on('close', (code, reason) => resolve({ opened, close: { code, reason: reason.toString() } }));
    ws.on('error', () => undefined);
  });
}

function hostOf(srv: TestServer): string {
  return new URL(srv.base).host;
}

describe('DNS rebinding: a page on a foreign name that resolves to the server', () => {
  let srv: TestServer;
  let s: Session;
  beforeAll(async () => {
    srv = await startServer({ allowedHosts: ['playground.test'] });
    s = await newSession(srv);
  });
  afterAll(async () => srv?.close());

  const port = () => new URL(srv.base).port;
  const terminalUrl = () => `${srv.ws}/api/sessions/${s.id}/terminals/shell?token=${s.token}`;
  const eventsUrl = () => `${srv.ws}/api/sessions/${s.id}/events?token=${s.token}`;

  it('is refused on REST, on the page itself and on unknown routes, with the flag that would allow the name', async () => {
    for (const host of [`evil.example:${port()}`, 'evil.example', `127.0.0.1.evil.example:${port()}`, `localhost.evil.example:${port()}`, `user@localhost:${port()}`]) {
      for (const path of ['/api/health', `/api/sessions/${s.id}`, '/', '/index.html', '/api/nothing']) {
        const r = await request(srv, path, { headers: { host, authorization: `Bearer ${s.token}` } });
        expect([path, host, r.status, r.body.code]).toEqual([path, host, 403, 'ISOPLAY_ERR_HOST_NOT_ALLOWED']);
      }
    }
    const r = await request(srv, '/api/health', { headers: { host: `evil.example:${port()}` } });
    expect(r.body.message).toContain('--allowed-hosts evil.example');
    // State-changing calls never reach their handler: no session is made or ended.
    const before = srv.app.registry.list().length;
    const post = await request(srv, '/api/sessions', { method: 'POST', body: {}, headers: { host: 'evil.example' } });
    expect([post.status, post.body.code]).toEqual([403, 'ISOPLAY_ERR_HOST_NOT_ALLOWED']);
    const del = await request(srv, `/api/sessions/${s.id}`, { method: 'DELETE', headers: { host: 'evil.example', authorization: `Bearer ${s.token}` } });
    expect(del.status).toBe(403);
    expect(srv.app.registry.list().length).toBe(before);
    expect(srv.app.registry.get(s.id)).toBeDefined();
  });

  it('is refused on the terminal and the event socket before the upgrade, even with a valid token', async () => {
    for (const url of [terminalUrl(), eventsUrl()]) {
      for (const host of [`evil.example:${port()}`, `localhost.evil.example:${port()}`]) {
        const o = await socketOutcome(url, { host, origin: `http://${host}` });
        expect([url, host, o.opened, o.status]).toEqual([url, host, false, 403]);
        expect(JSON.parse(o.body!).code).toBe('ISOPLAY_ERR_HOST_NOT_ALLOWED');
        await until(() => o.connectionClosed!() || undefined, 3000, 'the server to close the refused connection');
      }
    }
    // Nothing attached: no shell was started for the refused terminal socket.
    expect(srv.app.registry.get(s.id)!.summary().terminals).toEqual([{ name: 'shell', title: 'Terminal 1', attached: false, exited: false }]);
    expect(srv.app.registry.get(s.id)!.terminals.size).toBe(0);
  });

  it('a foreign Origin with a legitimate Host is refused on both sockets (4005) and on state-changing REST calls', async () => {
    for (const url of [terminalUrl(), eventsUrl()]) {
      for (const origin of ['http://evil.example', `http://evil.example:${port()}`, `http://localhost.evil.example:${port()}`, 'null']) {
        const o = await socketOutcome(url, { origin });
        expect([url, origin, o.close?.code]).toEqual([url, origin, CloseCode.badOrigin]);
      }
    }
    expect(srv.app.registry.get(s.id)!.terminals.size).toBe(0);
    const post = await request(srv, '/api/sessions', { method: 'POST', body: {}, headers: { origin: 'http://evil.example' } });
    expect([post.status, post.body.code]).toEqual([403, 'ISOPLAY_ERR_ORIGIN_NOT_ALLOWED']);
    expect(post.body.message).toContain('--allowed-hosts evil.example');
    const del = await request(srv, `/api/sessions/${s.id}`, { method: 'DELETE', headers: { origin: `http://evil.example:${port()}`, authorization: `Bearer ${s.token}` } });
    expect([del.status, del.body.code]).toEqual([403, 'ISOPLAY_ERR_ORIGIN_NOT_ALLOWED']);
    expect(srv.app.registry.get(s.id)).toBeDefined();
  });

  it('loopback names, IP literals, the machine\'s name and configured names pass, with their own origins', async () => {
    for (const host of [hostOf(srv), `localhost:${port()}`, 'localhost', `app.localhost:${port()}`, `[::1]:${port()}`, `10.9.8.7:${port()}`, os.hostname(), 'playground.test', `PLAYGROUND.TEST:${port()}`]) {
      const r = await request(srv, '/api/health', { headers: { host } });
      expect([host, r.status]).toEqual([host, 200]);
    }
    const viaName = await request(srv, '/api/sessions', { method: 'POST', body: {}, headers: { host: `playground.test:${port()}`, origin: `http://playground.test:${port()}` } });
    expect(viaName.status).toBe(201);
    const other = viaName.body as unknown as Session;
    const viaIp = await request(srv, `/api/sessions/${other.id}`, { method: 'DELETE', headers: { origin: srv.base, authorization: `Bearer ${other.token}` } });
    expect(viaIp.status).toBe(204);
    // A browser on a configured name gets a working shell.
    const t = new TermClient(terminalUrl(), { origin: `http://playground.test:${port()}` });
    await t.open();
    t.type('echo $((20+22))\r');
    await t.waitForText(/[\r\n]42\r\n/);
    t.close();
    await t.waitClosed();
    const ev = await socketOutcome(eventsUrl(), { host: `localhost:${port()}`, origin: `http://localhost:${port()}` });
    expect(ev).toMatchObject({ opened: true, served: true });
  });
});

describe('anonymous capacity flood', () => {
  let srv: TestServer | undefined;
  afterAll(async () => srv?.close());

  it('a flood from one client address leaves room for another, whatever X-Forwarded-For it claims', async () => {
    srv = await startServer({ maxSessions: 8, sessionRateMax: 4, maxSessionsPerClient: 3, sessionRateWindowMs: 60_000 });
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(srv!, '/api/sessions', { method: 'POST', body: {}, localAddress: '127.0.0.1', headers: { 'x-forwarded-for': `203.0.113.${i}` } }),
      ),
    );
    const created = flood.filter((r) => r.status === 201);
    const limited = flood.filter((r) => r.status === 429);
    // The live cap (3) holds the flood, and the rate limit (4 per minute) refuses the rest outright.
    expect(created.length).toBe(3);
    expect(limited.length).toBe(17);
    expect(new Set(limited.map((r) => r.body.code))).toEqual(new Set(['ISOPLAY_ERR_RATE_LIMITED', 'ISOPLAY_ERR_TOO_MANY_SESSIONS']));
    for (const r of limited) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    const rated = limited.find((r) => r.body.code === 'ISOPLAY_ERR_RATE_LIMITED')!;
    expect(rated.body.message).toMatch(/from your network address.*wait \d+ seconds/);
    expect(Number(rated.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Keyed on the socket's address: the forged X-Forwarded-For headers bought nothing.
    expect(srv.app.registry.list().map((x) => x.clientAddress)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    // Another client still gets in, and the server has room left.
    const other = await newSession(srv, {}, '127.0.0.2');
    expect(srv.app.registry.get(other.id)).toBeDefined();
    expect(srv.app.registry.list().length).toBe(4);
    await srv.close();
    srv = undefined;
  });

  it('caps the live anonymous sessions of one address, and a freed slot can be used again', async () => {
    srv = await startServer({ maxSessions: 8, sessionRateMax: 100, maxSessionsPerClient: 2 });
    const a = await newSession(srv, {}, '127.0.0.3');
    await newSession(srv, {}, '127.0.0.3');
    const third = await request(srv, '/api/sessions', { method: 'POST', body: {}, localAddress: '127.0.0.3' });
    expect([third.status, third.body.code]).toEqual([429, 'ISOPLAY_ERR_TOO_MANY_SESSIONS']);
    expect(third.body.message).toMatch(/already have 2 sandboxes/);
    await endSession(srv, a);
    expect((await request(srv, '/api/sessions', { method: 'POST', body: {}, localAddress: '127.0.0.3' })).status).toBe(201);
    await srv.close();
    srv = undefined;
  });

  it('a made-up join code buys no bucket of its own: it counts against the address', async () => {
    srv = await startServer({ sessionRateMax: 3 });
    const codes = ['ZZZZZA', 'ZZZZZB', 'ZZZZZC', 'ZZZZZD', 'ZZZZZE'];
    const statuses: (string | undefined)[] = [];
    for (const code of codes) statuses.push((await request(srv, '/api/sessions', { method: 'POST', body: { workshop: code, name: 'Mallory' }, localAddress: '127.0.0.4' })).body.code);
    expect(statuses).toEqual(['ISOPLAY_ERR_WORKSHOP_NOT_FOUND', 'ISOPLAY_ERR_WORKSHOP_NOT_FOUND', 'ISOPLAY_ERR_WORKSHOP_NOT_FOUND', 'ISOPLAY_ERR_RATE_LIMITED', 'ISOPLAY_ERR_RATE_LIMITED']);
    await srv.close();
    srv = undefined;
  });

  it('60 learners joining one workshop from one address within 30 s all get in; the room has a limit of its own', async () => {
    srv = await startServer({ maxSessions: 70, sessionRateMax: 2, maxSessionsPerClient: 2, workshopSessionRateMax: 60 });
    const w = (await request(srv, '/api/workshops', { method: 'POST', headers: { authorization: `Bearer ${TEST_INSTRUCTOR_KEY}` }, body: { title: 'Room behind one NAT' } })).body as { joinCode: string };
    // The room's address has used up its anonymous allowance; the workshop's learners do not care.
    await newSession(srv, {}, '127.0.0.1');
    await newSession(srv, {}, '127.0.0.1');
    expect((await request(srv, '/api/sessions', { method: 'POST', body: {}, localAddress: '127.0.0.1' })).body.code).toBe('ISOPLAY_ERR_RATE_LIMITED');
    const t0 = Date.now();
    const joined: Session[] = [];
    const failures: string[] = [];
    const names = Array.from({ length: 60 }, (_, i) => `Learner ${i + 1}`);
    // Six at a time, like a room clicking the link within a few seconds of each other.
    for (let i = 0; i < names.length; i += 6) {
      const batch = await Promise.all(
        names.slice(i, i + 6).map((name) => request(srv!, '/api/sessions', { method: 'POST', body: { workshop: w.joinCode, name }, localAddress: '127.0.0.1' })),
      );
      for (const r of batch) {
        if (r.status === 201) joined.push(r.body as unknown as Session);
        else failures.push(`${r.status} ${r.body.code}`);
      }
    }
    const elapsed = Date.now() - t0;
    expect(failures).toEqual([]);
    expect(joined.length).toBe(60);
    expect(elapsed).toBeLessThan(30_000);
    // The 61st join within the window meets the workshop's own limit, with a message naming it.
    const extra = await request(srv, '/api/sessions', { method: 'POST', body: { workshop: w.joinCode, name: 'Late' }, localAddress: '127.0.0.1' });
    expect([extra.status, extra.body.code]).toEqual([429, 'ISOPLAY_ERR_RATE_LIMITED']);
    expect(extra.body.message).toContain(`in workshop ${w.joinCode}`);
    for (const s of joined) await endSession(srv, s);
    expect(srv.app.registry.list().length).toBe(2);
    await srv.close();
    srv = undefined;
  }, 120_000);

  it('a session nobody ever attaches ends after the short grace; one that was attached keeps the detach grace', async () => {
    srv = await startServer({ unattachedGraceMs: 1000, detachGraceMs: 60_000 });
    const attached = await newSession(srv);
    const t = TermClient.for(srv.ws, attached);
    await t.open();
    await t.waitForText('# ');
    t.close();
    await t.waitClosed();
    await until(() => srv!.app.registry.get(attached.id)?.state === 'detached', 5000, 'the attached session to be detached');
    const t0 = Date.now();
    const never = await newSession(srv);
    expect(isoplayCgroupsNamed(never.id).length).toBeGreaterThan(0);
    await until(() => srv!.app.registry.get(never.id) === undefined, 10_000, 'the never-attached session to end');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await until(() => isoplayCgroupsNamed(never.id).length === 0 || undefined, 5000, 'its cgroups to go');
    // Created before it and detached all the while, the attached session lives on.
    expect(srv.app.registry.get(attached.id)?.state).toBe('detached');
    await srv.close();
    srv = undefined;
  });
});

describe('tokens in the log, and the audit trail', () => {
  const lines: string[] = [];
  let srv: TestServer;
  let log: () => string;
  let entries: () => Record<string, unknown>[];
  beforeAll(async () => {
    srv = await startServer({ logLevel: 'info', unattachedGraceMs: 1000 }, { logStream: { write: (l) => void lines.push(l) } });
    log = () => lines.join('');
    entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  });
  afterAll(async () => srv?.close());

  it('never logs a session token, the learner secret or an instructor key, while it logs the session', async () => {
    const w = (await request(srv, '/api/workshops', { method: 'POST', headers: { authorization: `Bearer ${TEST_INSTRUCTOR_KEY}` }, body: { title: 'Logged room' } })).body as { id: string; joinCode: string; instructorKey: string };
    const s = await newSession(srv, { workshop: w.joinCode, name: 'Ada Lovelace', learner: 'learner-secret-0001', lab: 'first-namespace' }, '127.0.0.2');
    const t = TermClient.for(srv.ws, s);
    await t.open();
    t.type('echo logged-$((1+1))\r');
    await t.waitForText('logged-2');
    const ev = new WebSocket(`${srv.ws}/api/sessions/${s.id}/events?token=${s.token}`);
    await new Promise((r) => ev.once('message', r));
    ev.close();
    const auth = { authorization: `Bearer ${s.token}` };
    expect((await request(srv, `/api/sessions/${s.id}`, { headers: auth })).status).toBe(200);
    expect((await request(srv, `/api/sessions/${s.id}/progress`, { headers: auth })).status).toBe(200);
    expect((await request(srv, `/api/sessions/${s.id}/lab?token=${s.token}`)).status).toBe(200);
    expect((await request(srv, `/api/sessions/${s.id}/kernel?%74oken=${s.token}`)).status).toBe(200);
    expect((await request(srv, `/api/workshops/${w.id}`, { headers: { authorization: `Bearer ${w.instructorKey}` } })).status).toBe(200);
    expect((await request(srv, `/api/sessions/${s.id}`, { headers: { authorization: 'Bearer wrong-token-guess' } })).status).toBe(401);
    t.close();
    await t.waitClosed();
    await endSession(srv, s);
    await until(() => entries().some((e) => e.audit === 'session-end' && e.session === s.id) || undefined, 5000, 'the end of the session in the log');

    const text = log();
    expect(text).not.toContain(s.token);
    expect(text).not.toContain(encodeURIComponent(s.token));
    expect(text).not.toContain('learner-secret-0001');
    expect(text).not.toContain(w.instructorKey);
    expect(text).not.toContain('wrong-token-guess');
    expect(text).toContain(s.id);
    // The request lines were logged, with the secret replaced: the assertions above are not vacuous.
    expect(text).toContain(`/api/sessions/${s.id}/terminals/shell?token=[redacted]`);
    expect(text).toContain(`/api/sessions/${s.id}/events?token=[redacted]`);
    expect(text).toContain(`/api/sessions/${s.id}/kernel?%74oken=[redacted]`);
  });

  it('records each session\'s start (lab, workshop, name, client address) and end with its reason, at info level', async () => {
    const w = (await request(srv, '/api/workshops', { method: 'POST', headers: { authorization: `Bearer ${TEST_INSTRUCTOR_KEY}` }, body: { title: 'Audited room' } })).body as { joinCode: string };
    const joined = await newSession(srv, { workshop: w.joinCode, name: 'Grace Hopper', lab: 'first-namespace' }, '127.0.0.5');
    const anon = await newSession(srv, {}, '127.0.0.6');
    await endSession(srv, joined);
    // The anonymous one never attaches: it ends on the short grace, and says so.
    await until(() => entries().some((e) => e.audit === 'session-end' && e.session === anon.id) || undefined, 10_000, 'the never-attached session to end');
    const start = entries().find((e) => e.audit === 'session-start' && e.session === joined.id);
    expect(start).toMatchObject({ level: 30, lab: 'first-namespace', workshop: w.joinCode, name: 'Grace Hopper', clientAddress: '127.0.0.5' });
    expect(entries().find((e) => e.audit === 'session-end' && e.session === joined.id)).toMatchObject({ level: 30, reason: 'deleted by its owner', workshop: w.joinCode, name: 'Grace Hopper', clientAddress: '127.0.0.5' });
    expect(entries().find((e) => e.audit === 'session-start' && e.session === anon.id)).toMatchObject({ level: 30, lab: null, workshop: null, name: null, clientAddress: '127.0.0.6' });
    expect(entries().find((e) => e.audit === 'session-end' && e.session === anon.id)).toMatchObject({ level: 30, reason: 'no terminal ever attached', clientAddress: '127.0.0.6' });
    for (const e of entries().filter((x) => x.audit)) {
      expect(JSON.stringify(e)).not.toMatch(new RegExp(`${joined.token}|${anon.token}|${joined.learner}|${anon.learner}`));
    }
  });
});

describe('progress of a learner: only with its session\'s token', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv?.close());

  it('answers 401 without a token or with another session\'s token, and the learner\'s progress with its own', async () => {
    const mine = await newSession(srv, { lab: 'first-namespace', learner: 'learner-progress-0001' });
    const theirs = await newSession(srv, { learner: 'learner-progress-0002' });
    const t = TermClient.for(srv.ws, mine);
    await t.open();
    t.type('hostname my-box\r');
    // The check after the command passes step 1 for this learner only.
    const p = await until(
      async () => {
        const r = await request(srv, `/api/sessions/${mine.id}/progress`, { headers: { authorization: `Bearer ${mine.token}` } });
        return (r.body['first-namespace'] as { current: number } | undefined)?.current === 1 ? r : undefined;
      },
      10_000,
      'step 1 to pass',
      undefined,
      100,
    );
    expect(p.status).toBe(200);
    expect(p.body['first-namespace']).toEqual({ current: 1, done: false, steps: 3 });
    const other = await request(srv, `/api/sessions/${theirs.id}/progress`, { headers: { authorization: `Bearer ${theirs.token}` } });
    expect(other.body['first-namespace']).toEqual({ current: 0, done: false, steps: 3 });
    const none = await request(srv, `/api/sessions/${mine.id}/progress`);
    expect([none.status, none.body.code]).toEqual([401, 'ISOPLAY_ERR_UNAUTHORIZED']);
    const wrong = await request(srv, `/api/sessions/${mine.id}/progress`, { headers: { authorization: `Bearer ${theirs.token}` } });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'ISOPLAY_ERR_UNAUTHORIZED']);
    const bad = await request(srv, '/api/sessions/..%2f..%2fetc/progress', { headers: { authorization: `Bearer ${mine.token}` } });
    expect([bad.status, bad.body.code]).toEqual([400, 'ISOPLAY_ERR_BAD_REQUEST']);
    // The old route, which took the learner secret in its URL and no authorization, is gone.
    const old = await request(srv, '/api/learners/learner-progress-0001/progress');
    expect([old.status, old.body.code]).toEqual([404, 'ISOPLAY_ERR_NOT_FOUND']);
    t.close();
  });
});

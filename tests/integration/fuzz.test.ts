// Fuzzing the server's edges with fast-check: every HTTP route the app registers (bodies, params,
// query strings, headers) and the two WebSocket decoders (terminal frames, event socket text) get
// malformed, oversized and random input. Every case answers with a 4xx (or a 2xx when the random
// input happened to be valid, or 503 "full"), or closes with a documented close code; the server
// never answers 5xx otherwise, never logs an error, never has an unhandled rejection; and another
// learner's terminal (the canary, never touched by the fuzzer) keeps echoing throughout.
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, encodeClientFrame } from '../../server/protocol/frames.js';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';

let srv: TestServer;
let canary: TermClient;
let canarySession: { id: string; token: string };
/** Sessions the fuzzer may use with their real tokens (it may end them: then it gets 404s). */
let victims: { id: string; token: string }[];
const logged: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

const DOCUMENTED_CLOSE = new Set<number>([...Object.values(CloseCode).filter((c) => c !== CloseCode.internalError), 1005, 1009]);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  srv = await startServer({ logLevel: 'warn', maxSessions: 12 }, { logStream: { write: (l: string) => void logged.push(l) } });
  const c = (canarySession = await createSession(srv.base));
  victims = [await createSession(srv.base), await createSession(srv.base)];
  canary = TermClient.for(srv.ws, c);
  await canary.open();
  await canary.waitForText(/# $/);
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  canary?.close();
  await srv?.close();
});

let canaryRound = 0;
/** The canary's shell still echoes what is typed into it. */
async function canaryEchoes(): Promise<void> {
  const word = `alive${++canaryRound}x`;
  canary.type(`echo ${word.replace('x', '')}$((1))\r`);
  await canary.waitForText(new RegExp(`^${word.replace('x', '')}1\\r?$`, 'm'), 10_000);
}

/** Errors the server logged (pino level 50 and up), other than the fuzzer's own sockets' 1011s (none are expected). */
function loggedErrors(): string[] {
  return logged.filter((l) => {
    try {
      return (JSON.parse(l) as { level: number }).level >= 50;
    } catch {
      return true;
    }
  });
}

/** A client frame: a type byte, then the body. */
function withType(type: number, body: string): Uint8Array {
  const b = new TextEncoder().encode(body);
  const out = new Uint8Array(b.length + 1);
  out[0] = type;
  out.set(b, 1);
  return out;
}

const text = fc.oneof(fc.string({ maxLength: 80 }), fc.fullUnicodeString({ maxLength: 40 }), fc.constantFrom('', '..', '%00', '%2e%2e%2f', 'a'.repeat(5000), 's' + 'a'.repeat(10), 'sAAAAAAAAAA', '-1', '0', '1e9', 'null', '__proto__', 'constructor'));

describe('fuzzing the HTTP API and the socket decoders', () => {
  it(`every registered route answers random methods, params, query strings, headers and bodies with a 4xx (or a valid 2xx, or 503 full), never an error (seed ${SEED})`, async () => {
    const routes = srv.app.routeList.filter((r) => (r.url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(r.url)) && !r.websocket && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(10);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.constant(''), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')),
        fc.array(fc.oneof(text, fc.constantFrom(...victims.map((v) => v.id), 'A2B3C4')), { minLength: 4, maxLength: 4 }),
        fc.oneof(
          fc.constant(undefined),
          fc.json({ maxDepth: 3 }),
          fc.string({ maxLength: 200 }),
          fc.constant('{"title":' + '"x'.repeat(40_000)),
          fc.constant(JSON.stringify({ lab: 'first-namespace', name: 'a'.repeat(100_000) })),
          fc.record({ title: text, text, on: fc.boolean(), answer: fc.integer(), lab: text, name: text, workshop: text, learner: text }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', undefined),
        fc.oneof(fc.constant(undefined), text.map((t) => `Bearer ${encodeURIComponent(t).slice(0, 6000)}`), fc.constantFrom(...victims.map((v) => `Bearer ${v.token}`)), fc.constant('Basic ' + 'A'.repeat(9000))),
        fc.dictionary(fc.constantFrom('token', 'n', 'lang', 'since', 'x', 'cols'), text, { maxKeys: 3 }),
        async (route, otherMethod, params, body, contentType, auth, query) => {
          let i = 0;
          const url = route.url.replace(/:[a-zA-Z]+/g, () => encodeURIComponent(params[i++ % params.length]));
          const method = otherMethod || route.method;
          const qs = new URLSearchParams(query).toString();
          const headers: Record<string, string> = {};
          if (contentType && body !== undefined) headers['content-type'] = contentType;
          if (auth) headers.authorization = auth;
          const r = await fetch(`${srv.base}${url}${qs ? `?${qs}` : ''}`, {
            method,
            headers,
            body: method === 'GET' || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          });
          const answer = await r.text();
          seen.set(String(r.status), (seen.get(String(r.status)) ?? 0) + 1);
          const full = r.status === 503 && answer.includes('ISOPLAY_ERR_CAPACITY');
          if (r.status >= 500 && !full) throw new Error(`${method} ${url}: ${r.status} ${answer.slice(0, 300)}`);
          // A 4xx says what was wrong, as JSON with a code (the web edge's and fastify's errors included).
          if (r.status >= 400 && r.status !== 404 && r.status !== 405) expect(answer, `${method} ${url}`).toMatch(/"code":"ISOPLAY_ERR_[A-Z_]+"/);
        },
      ),
      { numRuns: 400, seed: SEED },
    );
    // The fuzz reached past validation too (some 2xx), and was mostly refused (4xx).
    expect([...seen.keys()].some((s) => s.startsWith('2'))).toBe(true);
    expect([...seen.keys()].some((s) => s.startsWith('4'))).toBe(true);
    // Sessions the fuzzer made are ended; the canary still echoes.
    for (const s of srv.app.registry.list()) if (![canarySession, ...victims].some((v) => v.id === s.id)) await srv.app.registry.destroy(s.id).catch(() => undefined);
    await canaryEchoes();
    expect(loggedErrors()).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 180_000);

  it(`terminal sockets fed random, malformed and oversized binary and text frames close with a documented code or carry on; the canary keeps echoing (seed ${SEED})`, async () => {
    // A session of its own: the HTTP fuzz above may have ended the victims (then every socket here
    // would close with 4000, and no malformed frame would ever be read: seed 324296 did that).
    const v = await createSession(srv.base);
    const closes = new Map<number, number>();
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ minLength: 60_000, maxLength: 70_000 }),
      fc.constant(new Uint8Array(1_100_000)),
      fc.string({ maxLength: 50 }).map((s) => encodeClientFrame({ type: 'input', data: new TextEncoder().encode(s.replace(/[\r\n\x03\x04\x1a]/g, '')) })),
      // Resize and ack frames (JSON bodies) with any values, and bodies that are not JSON at all.
      fc.record({ cols: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.string()), rows: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constant(null)) }).map((x) => withType(1, JSON.stringify(x))),
      fc.oneof(fc.integer({ min: -1, max: 2 ** 33 }), fc.double(), fc.string()).map((n) => withType(2, JSON.stringify({ bytes: n }))),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.string({ maxLength: 40 })).map(([t, b]) => withType(t, b)),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
        const ws = new WebSocket(`${srv.ws}/api/sessions/${v.id}/terminals/shell?token=${v.token}`);
        ws.on('error', () => undefined);
        await new Promise<void>((resolve) => ws.once('open', () => resolve()));
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        for (const f of frames) if (ws.readyState === WebSocket.OPEN) ws.send(f, { binary: typeof f !== 'string' });
        // A ping after the frames is a barrier: the server reads frames in order and answers a ping
        // only while open, so a pong means it read every frame and carried on (-1), and a close
        // means a frame was refused. (A 300 ms wait instead counted refusals as "carried on" on a
        // loaded CI host, and no 4400 was seen at all.)
        const pong = new Promise<number>((resolve) => ws.once('pong', () => resolve(-1)));
        if (ws.readyState === WebSocket.OPEN) ws.ping();
        const code = await Promise.race([closed, pong, new Promise<number>((r) => setTimeout(() => r(-2), 15_000))]);
        if (code === -2) throw new Error('neither a close nor a pong within 15 s: the server stopped reading this socket');
        if (code === -1) ws.close();
        closes.set(code, (closes.get(code) ?? 0) + 1);
        if (code !== -1 && !DOCUMENTED_CLOSE.has(code)) throw new Error(`closed with ${code}`);
      }),
      { numRuns: 150, seed: SEED },
    );
    // Malformed frames were really refused (4400), and some sockets carried on.
    expect(closes.get(CloseCode.malformedFrame) ?? 0).toBeGreaterThan(0);
    expect(closes.get(-1) ?? 0).toBeGreaterThan(0);
    await canaryEchoes();
    expect(loggedErrors()).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 180_000);

  it(`event sockets fed random text and binary close with a documented code or ignore it; bad ids and tokens close with theirs (seed ${SEED})`, async () => {
    const v = await createSession(srv.base); // its own, as above
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(v.id), text),
        fc.oneof(fc.constant(v.token), text),
        fc.array(fc.oneof(fc.json(), fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), fc.constant('x'.repeat(200_000))), { maxLength: 4 }),
        async (id, token, msgs) => {
          const ws = new WebSocket(`${srv.ws}/api/sessions/${encodeURIComponent(id)}/events?token=${encodeURIComponent(token)}`);
          ws.on('error', () => undefined);
          const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
          const opened = await Promise.race([new Promise<boolean>((r) => ws.once('open', () => r(true))), closed.then(() => false)]);
          if (opened) for (const m of msgs) if (ws.readyState === WebSocket.OPEN) ws.send(m);
          // A wrong id or token never gets a live socket: it is closed (however long a loaded host takes).
          const wrong = id !== v.id || token !== v.token;
          const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), wrong ? 15_000 : 200))]);
          if (code === -1) ws.close();
          if (code !== -1 && !DOCUMENTED_CLOSE.has(code) && code !== 1006) throw new Error(`closed with ${code}`);
          if (wrong) expect(code, `${id} ${token}`).not.toBe(-1);
        },
      ),
      { numRuns: 120, seed: SEED },
    );
    await canaryEchoes();
    expect(loggedErrors()).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 120_000);
});

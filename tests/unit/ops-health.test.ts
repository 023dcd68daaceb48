// The operations endpoints of a real app (host mode: no sandbox needed) and its JSON request log:
// request ids, the session id of a request about a session, and no token in any line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type IsoplayApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { metricsAllowed } from '../../server/http/health.js';
import { SQLITE_OK, SQLITE_SKIP_REASON } from '../helpers/native.js';

let app: IsoplayApp;
const lines: string[] = [];
let dataDir: string;

beforeAll(async () => {
  if (!SQLITE_OK) return;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-ops-unit-'));
  const config = loadConfig([], {}, { mode: 'host', dataDir, logLevel: 'info', metricsToken: 'tok-123', webDir: dataDir });
  app = await buildApp(config, { logStream: { write: (l) => void lines.push(l) } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!SQLITE_OK)(`health endpoints${SQLITE_SKIP_REASON}`, () => {
  it('/healthz answers 200 with the uptime', async () => {
    const r = await app.inject({ url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok' });
    expect(typeof r.json().uptimeSec).toBe('number');
  });

  it('/readyz is ready in host mode (no sandbox path to check)', async () => {
    const r = await app.inject({ url: '/readyz' });
    expect([r.statusCode, r.json().ready, r.json().mode]).toEqual([200, true, 'host']);
  });

  it('/metrics: loopback clients and bearers of the token only', async () => {
    expect((await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(403);
    expect((await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { authorization: 'Bearer tok-12' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { authorization: 'Bearer tok-123' } })).statusCode).toBe(200);
  });

  it('/metrics names every metric the README promises, in Prometheus text format', async () => {
    const r = await app.inject({ url: '/metrics' });
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [name, type] of [
      ['isoplay_sessions', 'gauge'], ['isoplay_pool_sandboxes', 'gauge'], ['isoplay_capacity_used_ratio', 'gauge'],
      ['isoplay_capacity_max_sessions', 'gauge'], ['isoplay_terminals', 'gauge'], ['isoplay_terminal_bytes_total', 'counter'],
      ['isoplay_check_runs_total', 'counter'], ['isoplay_oom_kills_total', 'counter'], ['isoplay_sandbox_create_seconds', 'histogram'],
      ['isoplay_sandbox_destroy_seconds', 'histogram'], ['isoplay_sampler_tick_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'], ['process_resident_memory_bytes', 'gauge'], ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) expect(r.body, name).toContain(`# TYPE ${name} ${type}`);
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const m of r.body.matchAll(/^# TYPE (isoplay_\w+)/gm)) expect(readme, `README names ${m[1]}`).toContain(m[1]);
  });

  it('metricsAllowed: no token configured means loopback only', () => {
    expect(metricsAllowed({ ip: '10.1.2.3', headers: { authorization: 'Bearer ' } }, '')).toBe(false);
    expect(metricsAllowed({ ip: '::ffff:127.0.0.1', headers: {} }, '')).toBe(true);
  });
});

describe.skipIf(!SQLITE_OK)(`the JSON request log${SQLITE_SKIP_REASON}`, () => {
  it('has a request id on each line, the session id on lines about a session, and no token', async () => {
    lines.length = 0;
    const r = await app.inject({
      url: '/api/sessions/sOPSLOG1/events?token=SECRET-QUERY',
      headers: { authorization: 'Bearer SECRET-HEADER' },
    });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const incoming = entries.find((e) => e.msg === 'incoming request');
    const completed = entries.find((e) => e.msg === 'request completed');
    expect(incoming?.reqId).toBeTruthy();
    expect(completed?.reqId).toBe(incoming?.reqId);
    expect(incoming?.session).toBe('sOPSLOG1');
    expect(completed?.session).toBe('sOPSLOG1');
    expect((incoming?.req as { url: string }).url).toBe('/api/sessions/sOPSLOG1/events?token=[redacted]');
    expect(lines.join('')).not.toContain('SECRET');
    // Requests about no session carry no session field.
    lines.length = 0;
    await app.inject({ url: '/api/labs' });
    const plain = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((e) => e.reqId && !('session' in e))).toBe(true);
  });
});

// Operations endpoints against a real server and real sandboxes: /healthz, /readyz (ready, and 503
// when the sandbox path is really broken), /metrics counters and histograms moving as a learner
// creates a session, types, runs a check, fills its memory until the OOM killer acts, and leaves.
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

/** Prometheus text → { 'name{labels}': value } (labels as printed by prom-client). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

async function metrics(base: string): Promise<Map<string, number>> {
  const r = await fetch(`${base}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await r.text());
}

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('operations endpoints on a real server', () => {
  it('probes answer, and /metrics moves with a session, its typing, a check, an OOM kill and its end', async () => {
    const srv = await startServer({ metricsToken: 'scrape-secret', limits: { memoryBytes: 48 * 1024 * 1024 } as never });
    servers.push(srv);
    const { base } = srv;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, mode: 'sandbox' });

    const before = await metrics(base);
    const v = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
    // Process metrics from collectDefaultMetrics.
    expect(before.has('process_cpu_seconds_total')).toBe(true);
    expect(before.has('nodejs_eventloop_lag_seconds')).toBe(true);

    const s = await createSession(base, { lab: 'first-namespace' });
    const t = TermClient.for(srv.ws, s);
    await t.open();
    await t.waitFor((c) => c.output.length > 0, 15_000, 'prompt');
    const cmd = 'echo ops-$((6*7))\r';
    t.type(cmd);
    await t.waitForText('ops-42');
    const check = await fetch(`${base}/api/sessions/${s.id}/lab/steps/1/check`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
    expect((await check.json()).status).toBe('failed');
    // A hog past the session's 48 MiB: `tail` keeps the whole newline-free line in memory.
    t.type('head -c 200M /dev/zero | tail; echo hog-$?\r');
    await t.waitForText(/hog-\d+/, 30_000);

    const mid = await metrics(base);
    expect(v(mid, 'isoplay_sandbox_create_seconds_count{result="ok"}') - v(before, 'isoplay_sandbox_create_seconds_count{result="ok"}')).toBe(1);
    expect(v(mid, 'isoplay_terminal_bytes_total{direction="in"}') - v(before, 'isoplay_terminal_bytes_total{direction="in"}')).toBeGreaterThanOrEqual(cmd.length);
    expect(v(mid, 'isoplay_terminal_bytes_total{direction="out"}') - v(before, 'isoplay_terminal_bytes_total{direction="out"}')).toBeGreaterThan(0);
    expect(v(mid, 'isoplay_check_runs_total{result="failed"}') - v(before, 'isoplay_check_runs_total{result="failed"}')).toBeGreaterThanOrEqual(1);
    expect(v(mid, 'isoplay_oom_kills_total') - v(before, 'isoplay_oom_kills_total')).toBeGreaterThanOrEqual(1);
    expect(v(mid, 'isoplay_sessions{state="attached"}')).toBe(1);
    // The lab has two terminals; the one opened above runs.
    expect(v(mid, 'isoplay_terminals')).toBeGreaterThanOrEqual(1);
    expect(v(mid, 'isoplay_capacity_max_sessions')).toBe(srv.config.maxSessions);
    expect(v(mid, 'isoplay_capacity_used_ratio')).toBeCloseTo(1 / srv.config.maxSessions, 5);

    // A scraper from another address needs the token.
    const far = await srv.app.inject({ url: '/metrics', remoteAddress: '192.0.2.7' });
    expect(far.statusCode).toBe(403);
    const withToken = await srv.app.inject({ url: '/metrics', remoteAddress: '192.0.2.7', headers: { authorization: 'Bearer scrape-secret' } });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toContain('isoplay_sandbox_create_seconds_bucket');

    t.close();
    await fetch(`${base}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
    const after = await until(async () => {
      const m = await metrics(base);
      return v(m, 'isoplay_sandbox_destroy_seconds_count') > v(before, 'isoplay_sandbox_destroy_seconds_count') ? m : undefined;
    }, 15_000, 'a sandbox destroy timed');
    expect(v(after, 'isoplay_sessions{state="attached"}')).toBe(0);
    expect(v(after, 'isoplay_sandbox_destroy_seconds_sum')).toBeGreaterThan(v(before, 'isoplay_sandbox_destroy_seconds_sum'));
  });

  it('/readyz is 503 with the reason when the kernel refuses the sandbox cgroup', async () => {
    // A CPU quota below the kernel's minimum (1000 us): the config accepts it, the kernel refuses
    // the write into every sandbox's cgroup, so no sandbox can be made on this server.
    const srv = await startServer({ limits: { cpuQuotaUsec: 500 } as never });
    servers.push(srv);
    const r = await fetch(`${srv.base}/readyz`);
    expect(r.status).toBe(503);
    const body = await r.json();
    expect(body.ready).toBe(false);
    expect(body.reason).toMatch(/cgroup driver \(v[12]\) cannot make a sandbox cgroup: .*cpuQuotaUsec/);
    // Liveness is not readiness: the process still answers.
    expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
    // And the sandbox path really is broken: a learner gets no session, and the metric says so.
    const created = await fetch(`${srv.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(created.status).toBeGreaterThanOrEqual(500);
    const m = await metrics(srv.base);
    expect(m.get('isoplay_sandbox_create_seconds_count{result="error"}') ?? 0).toBeGreaterThanOrEqual(1);
  });
});

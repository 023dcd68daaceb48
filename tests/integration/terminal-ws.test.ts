// The terminal socket end to end, against a real server and real sandboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { formatMessage } from '../../server/errors.js';
import { CloseCode } from '../../server/protocol/frames.js';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { isoplayCgroupsNamed } from '../helpers/leaks.js';
import { until } from '../helpers/wait.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ detachGraceMs: 1500 });
});
afterAll(async () => srv.close());

describe('terminal socket', () => {
  it('runs what is typed in the sandbox and answers', async () => {
    const s = await createSession(srv.base);
    const c = TermClient.for(srv.ws, s);
    await c.open();
    c.type('echo $((6*7))\r');
    await c.waitForText(/[\r\n]42\r\n/);
    c.close();
  });

  it('closes with 4000, 4001, 4004 and 4005 for unknown session, bad token, terminal, origin', async () => {
    const s = await createSession(srv.base);
    // The reason is what the page shows: the error catalogue's message, or the socket's own text.
    const cases: [string, number, string, { origin?: string }][] = [
      [`/api/sessions/szzzzzzzzzz/terminals/shell?token=${s.token}`, CloseCode.noSuchSession, formatMessage('ISOPLAY_ERR_SESSION_NOT_FOUND', { id: 'szzzzzzzzzz' }), {}],
      [`/api/sessions/${s.id}/terminals/shell?token=nope`, CloseCode.badToken, formatMessage('ISOPLAY_ERR_UNAUTHORIZED', {}), {}],
      [`/api/sessions/${s.id}/terminals/nope?token=${s.token}`, CloseCode.noSuchTerminal, 'this session has no terminal named nope', {}],
      [`/api/sessions/${s.id}/terminals/shell?token=${s.token}`, CloseCode.badOrigin, 'origin http://evil.example is not allowed (see --allowed-hosts)', { origin: 'http://evil.example' }],
    ];
    for (const [url, code, reason, opts] of cases) {
      const c = new TermClient(srv.ws + url, opts);
      await c.waitClosed();
      expect(c.closed, url).toEqual({ code, reason });
    }
    // None of them touched the session: its shell still answers.
    const ok = TermClient.for(srv.ws, s);
    await ok.open();
    ok.type('echo alive-$((2+3))\r');
    await ok.waitForText('alive-5');
    ok.close();
  });

  it('closes a malformed or oversized frame with 4400 and the shell lives on', async () => {
    const s = await createSession(srv.base);
    for (const bad of [Buffer.from([7, 1, 2]), Buffer.from('text frame'), Buffer.concat([Buffer.from([0]), Buffer.alloc(70 * 1024, 97)])]) {
      const c = TermClient.for(srv.ws, s);
      await c.open();
      c.type('export MARK=still-here\r');
      if (bad.toString() === 'text frame') c.ws.send('text frame');
      else c.ws.send(bad);
      await c.waitClosed();
      expect(c.closed!.code).toBe(CloseCode.malformedFrame);
    }
    const c = TermClient.for(srv.ws, s);
    await c.open();
    c.type('echo "$MARK"\r');
    await c.waitForText(/[\r\n]still-here\r\n/);
    c.close();
  });

  it('replays the scrollback on reconnect, and the same shell answers', async () => {
    const s = await createSession(srv.base);
    const a = TermClient.for(srv.ws, s);
    await a.open();
    a.type('echo before-$((1+1)); echo pid=$$\r');
    await a.waitForText('before-2');
    await a.waitForText(/pid=\d+\r\n/);
    const pid = /pid=(\d+)\r\n/.exec(a.text())![1];
    a.close();
    await a.waitClosed();
    const b = TermClient.for(srv.ws, s);
    await b.open();
    await b.waitForText('before-2');
    b.type('echo again=$$\r');
    await b.waitForText(`again=${pid}`);
    b.close();
  });

  it('a second socket replaces the first (4006)', async () => {
    const s = await createSession(srv.base);
    const a = TermClient.for(srv.ws, s);
    await a.open();
    const b = TermClient.for(srv.ws, s);
    await b.open();
    await a.waitClosed();
    expect(a.closed!.code).toBe(CloseCode.replaced);
    b.close();
  });

  it('delivers every byte before the exit status', async () => {
    const s = await createSession(srv.base);
    const c = TermClient.for(srv.ws, s);
    await c.open();
    await c.waitForText('# ');
    c.type('stty -echo; seq 1 60000; exit 3\r');
    await c.waitFor((x) => x.statuses.some((st) => st.state === 'exited'), 20_000, 'exit status');
    const exited = c.statuses.find((st) => st.state === 'exited')!;
    expect(exited).toMatchObject({ code: 3 });
    // Every line, in order, up to the last: nothing lost before the exit status.
    const nums = c.text().split('\r\n').map((l) => l.replace(/^.*\r/, '')).filter((l) => /^\d+$/.test(l)).map(Number);
    expect(nums.length).toBe(60000);
    expect(nums[59999]).toBe(60000);
    expect(nums.every((n, i) => n === i + 1)).toBe(true);
    c.close();
  });

  it('pauses a flooding shell when the client stops acking, keeping server memory flat', async () => {
    const s = await createSession(srv.base);
    const c = TermClient.for(srv.ws, s);
    c.autoAck = false;
    await c.open();
    c.type('yes\r');
    const t = srv.app.registry.get(s.id)!.terminals.get('shell')!;
    // Nothing is acked, so everything sent since the attach is in flight: wait until the server has
    // sent past the high-water mark (where it pauses the shell) and the client has all of it.
    await c.waitFor((x) => t.unacked > srv.config.flowHighWaterBytes && x.output.length === t.unacked, 10_000, 'the high-water mark, all of it received');
    const received = c.output.length;
    const written = t.outputBytes;
    expect(t.unacked).toBeLessThanOrEqual(srv.config.flowHighWaterBytes + 64 * 1024 + 4096);
    // The subject is that nothing happens, so this waits a fixed time on purpose: unpaused, `yes`
    // writes megabytes in a second, and either count below would be far past its bound.
    await new Promise((r) => setTimeout(r, 1000));
    // Paused: nothing more arrives while nobody acks, and the shell itself is stopped (what it
    // writes stays in the PTY, which holds a few kilobytes), so server memory stays flat.
    expect(c.output.length - received).toBeLessThan(128 * 1024);
    expect(t.outputBytes - written).toBeLessThan(128 * 1024);
    c.autoAck = true;
    c.ws.send(Buffer.from([2, ...Buffer.from(JSON.stringify({ bytes: c.output.length }))]));
    await c.waitFor((x) => x.output.length > received + 256 * 1024, 10_000, 'resume after ack');
    c.type('\x03');
    c.close();
  });

  it('ends the session after the grace period, and DELETE ends it at once; nothing is left', async () => {
    const s = await createSession(srv.base);
    const c = TermClient.for(srv.ws, s);
    await c.open();
    const closedAt = Date.now();
    c.close();
    await c.waitClosed();
    // Detached, not ended: the session and its cgroups are still there.
    expect(srv.app.registry.get(s.id)?.id).toBe(s.id);
    expect(isoplayCgroupsNamed(s.id).length).toBeGreaterThan(0);
    await until(() => srv.app.registry.get(s.id) === undefined, srv.config.detachGraceMs + 5000, 'the session to end after the grace period');
    // Not before the grace period (its timer starts after closedAt; 20 ms for timer rounding).
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(srv.config.detachGraceMs - 20);
    await until(() => isoplayCgroupsNamed(s.id).length === 0, 10_000, `the cgroups of ${s.id} to go`);
    const s2 = await createSession(srv.base);
    const c2 = TermClient.for(srv.ws, s2);
    await c2.open();
    const d = await fetch(`${srv.base}/api/sessions/${s2.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s2.token}` } });
    expect(d.status).toBe(204);
    await c2.waitClosed();
    expect(c2.closed!.code).toBe(CloseCode.expired);
    expect(isoplayCgroupsNamed(s2.id)).toEqual([]);
  });

  it('streams events over the event socket, snapshots first', async () => {
    const s = await createSession(srv.base);
    // The session's sampler fills its snapshot before anyone connects...
    const bus = srv.app.registry.get(s.id)!.bus;
    const types = (ms: { type: string }[]) => ms.map((m) => m.type);
    await until(() => ['kernel', 'processes', 'cgroups'].every((t) => types(bus.snapshot()).includes(t)), 8000, 'the kernel, processes and cgroups snapshot');
    const snapshot = types(bus.snapshot());
    // ...and a new event socket gets that snapshot first, in order, before any live message.
    const ws = new WebSocket(`${srv.ws}/api/sessions/${s.id}/events?token=${s.token}`);
    const got: { type: string }[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    await until(() => got.length >= snapshot.length, 8000, `${snapshot.length} messages`);
    expect(types(got.slice(0, snapshot.length))).toEqual(snapshot);
    // Then live: a command in the sandbox shows up as a fresh processes message.
    const before = got.length;
    await srv.app.registry.get(s.id)!.sandbox!.run(['/bin/sh', '-c', 'sleep 30 >/dev/null 2>&1 &'], { timeoutMs: 5000 });
    await until(() => got.slice(before).some((m) => m.type === 'processes' && (m as unknown as { list: { comm: string }[] }).list.some((p) => p.comm === 'sleep')), 8000, 'a processes message listing sleep');
    ws.close();
  });
});

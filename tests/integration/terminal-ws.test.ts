// The terminal socket end to end, against a real server and real sandboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../server/protocol/frames.js';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { isoplayCgroupsNamed } from '../helpers/leaks.js';

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
    const cases: [string, number, { origin?: string }][] = [
      [`/api/sessions/szzzzzzzzzz/terminals/shell?token=${s.token}`, CloseCode.noSuchSession, {}],
      [`/api/sessions/${s.id}/terminals/shell?token=nope`, CloseCode.badToken, {}],
      [`/api/sessions/${s.id}/terminals/nope?token=${s.token}`, CloseCode.noSuchTerminal, {}],
      [`/api/sessions/${s.id}/terminals/shell?token=${s.token}`, CloseCode.badOrigin, { origin: 'http://evil.example' }],
    ];
    for (const [url, code, opts] of cases) {
      const c = new TermClient(srv.ws + url, opts);
      await c.waitClosed();
      expect(c.closed!.code).toBe(code);
      expect(c.closed!.reason.length).toBeGreaterThan(3);
    }
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
    await new Promise((r) => setTimeout(r, 1500));
    const t = srv.app.registry.get(s.id)!.terminals.get('shell')!;
    const received = c.output.length;
    expect(t.unacked).toBeLessThanOrEqual(srv.config.flowHighWaterBytes + 64 * 1024 + 4096);
    await new Promise((r) => setTimeout(r, 1000));
    // Paused: nothing more arrives while nobody acks.
    expect(c.output.length - received).toBeLessThan(128 * 1024);
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
    c.close();
    await c.waitClosed();
    expect(isoplayCgroupsNamed(s.id).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect(srv.app.registry.get(s.id)).toBeUndefined();
    for (let i = 0; i < 50 && isoplayCgroupsNamed(s.id).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(isoplayCgroupsNamed(s.id)).toEqual([]);
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
    const ws = new WebSocket(`${srv.ws}/api/sessions/${s.id}/events?token=${s.token}`);
    const types = new Set<string>();
    ws.on('message', (d) => types.add(JSON.parse(d.toString()).type));
    const deadline = Date.now() + 8000;
    while (!(types.has('kernel') && types.has('processes') && types.has('cgroups')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...types].sort()).toEqual(expect.arrayContaining(['cgroups', 'kernel', 'processes']));
    ws.close();
  });
});

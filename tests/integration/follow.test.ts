// Follow a learner, take their keyboard, broadcast the instructor's terminal: on a real server with
// real sandboxes. A terminal has one writer and many read-only viewers; a viewer's input never
// reaches the shell; a viewer that stops reading gets a snapshot and never slows the shell.
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { CreateWorkshopResponse } from '../../server/protocol/api.js';
import type { ServerEventMessage } from '../../server/protocol/events.js';
import { CloseCode, decodeServerFrame, encodeClientFrame, type TerminalStatus } from '../../server/protocol/frames.js';
import { Terminal } from '../../server/terminal/terminal.js';
import { createSession, createWorkshop, startServer, type TestServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

let srv: TestServer | undefined;
afterAll(async () => srv?.close());

const post = (url: string, body: unknown, key?: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });

/** A viewer socket that keeps its output as chunks (a 10 MB stream would be quadratic to concat). */
class Viewer {
  readonly ws: WebSocket;
  chunks: Buffer[] = [];
  bytes = 0;
  statuses: TerminalStatus[] = [];
  /** Output bytes received when each status arrived. */
  statusAt: number[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly opened: Promise<void>;
  /** `ack`: acknowledge output like a learner's page (the writer's acks pace the shell). */
  constructor(url: string, private readonly ack = false) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.ws.on('message', (raw: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(raw));
      if (f.type === 'output') {
        this.chunks.push(Buffer.from(f.data));
        this.bytes += f.data.length;
        if (this.ack) this.ws.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
      } else {
        this.statuses.push(f.status);
        this.statusAt.push(this.bytes);
      }
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', () => undefined);
  }
  text(from = 0): string {
    return Buffer.concat(this.chunks).subarray(from).toString('utf8');
  }
  /** The end of the output (cheap to poll on a long stream). */
  tail(chunks = 32): string {
    return Buffer.concat(this.chunks.slice(-chunks)).toString('utf8');
  }
  type(s: string): void {
    this.ws.send(encodeClientFrame({ type: 'input', data: Buffer.from(s) }));
  }
  async waitClosed(ms = 10_000): Promise<{ code: number; reason: string }> {
    return until(() => this.closed, ms, 'viewer closed');
  }
}

/** The numbers printed by `seq`, in the order they arrived (lines that are only digits). */
function numbers(text: string): number[] {
  // bash ends bracketed paste (ESC[?2004l, then CR) on the first output line.
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\x1b\[\?2004l\r/, ''))
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

function isSequence(ns: number[], n: number): boolean {
  if (ns.length !== n) return false;
  for (let i = 0; i < n; i++) if (ns[i] !== i + 1) return false;
  return true;
}

describe('follow and broadcast', () => {
  it('follows a learner read-only, hands the keyboard over and back, refuses other workshops and learners (logged)', async () => {
    srv = await startServer({ maxSessions: 20 });
    const warn = vi.spyOn(srv.app.log, 'warn');
    const mk = async (title: string) => (await createWorkshop(srv!, { title })) as CreateWorkshopResponse;
    const w1 = await mk('Room A');
    const w2 = await mk('Room B');
    const ada = await createSession(srv.base, { workshop: w1.joinCode, name: 'Ada' });
    const bob = await createSession(srv.base, { workshop: w1.joinCode, name: 'Bob' });
    const cy = await createSession(srv.base, { workshop: w2.joinCode, name: 'Cy' });
    const adaTerm = TermClient.for(srv.ws, ada);
    await adaTerm.open();
    await adaTerm.waitFor((c) => c.statuses.some((s) => s.state === 'attached'));
    const follow = (w: CreateWorkshopResponse, sid: string, key = w.instructorKey, what = 'terminals/shell') =>
      new Viewer(`${srv!.ws}/api/workshops/${w.id}/follow/${sid}/${what}?token=${encodeURIComponent(key)}`);

    // The instructor follows Ada: what she types shows in the viewer, and her socket stays the writer.
    const v = follow(w1, ada.id);
    await v.opened;
    await until(() => v.statuses.find((s) => s.state === 'attached'), 5000, 'viewer attached');
    adaTerm.type('echo follow-$((6*7))\r');
    await until(() => v.text().includes('follow-42') || undefined, 10_000, 'the viewer shows what Ada ran');
    expect(adaTerm.closed).toBeUndefined();
    // The kernel view of the learner: her event bus, read-only, for the instructor.
    const ev = new WebSocket(`${srv.ws}/api/workshops/${w1.id}/follow/${ada.id}/events?token=${w1.instructorKey}`);
    const evs: ServerEventMessage[] = [];
    ev.on('message', (m) => evs.push(JSON.parse(String(m))));
    await new Promise((r) => ev.once('open', r));

    // A follower's input is refused by the server (4031) and never reaches the shell.
    warn.mockClear();
    v.type('touch /tmp/follower-typed\r');
    expect((await v.waitClosed()).code).toBe(CloseCode.readOnly);
    expect(warn.mock.calls.some(([o]) => (o as { reason?: string }).reason?.includes('read-only'))).toBe(true);
    adaTerm.type('test -e /tmp/follower-typed && echo LEAK-$((1+1)) || echo clean-$((1+1))\r');
    await adaTerm.waitForText('clean-2');
    expect(adaTerm.text()).not.toContain('LEAK-2');

    // Another workshop's instructor, a wrong key, and a learner's own token: refused with a code, logged.
    warn.mockClear();
    const other = follow(w2, ada.id);
    expect((await other.waitClosed()).code).toBe(CloseCode.notInWorkshop);
    expect(warn.mock.calls.some(([o]) => (o as { workshop?: string }).workshop === w2.id && /not a learner of this workshop/.test((o as { reason: string }).reason))).toBe(true);
    const otherEvents = follow(w2, ada.id, w2.instructorKey, 'events');
    expect((await otherEvents.waitClosed()).code).toBe(CloseCode.notInWorkshop);
    const w1OnCy = follow(w1, cy.id);
    expect((await w1OnCy.waitClosed()).code).toBe(CloseCode.notInWorkshop);
    const forged = follow(w1, bob.id, ada.token);
    expect((await forged.waitClosed()).code).toBe(CloseCode.badToken);
    expect(warn.mock.calls.filter(([, msg]) => msg === 'follow refused').length).toBeGreaterThanOrEqual(4);
    // A learner reaching another learner's terminal with her own token: refused.
    const adaOnBob = new TermClient(`${srv.ws}/api/sessions/${bob.id}/terminals/shell?token=${ada.token}`);
    await adaOnBob.waitClosed();
    expect(adaOnBob.closed!.code).toBe(CloseCode.badToken);
    expect((await post(`${srv.base}/api/workshops/${w2.id}/follow/${ada.id}/keyboard`, { take: true }, w2.instructorKey)).status).toBe(403);
    // Nothing else changed: Ada is still the writer of her shell.
    expect(adaTerm.closed).toBeUndefined();
    adaTerm.type('echo still-$((3*3))\r');
    await adaTerm.waitForText('still-9');

    // Take the keyboard: only while following; the learner's input is refused and she is told.
    const kb = (take: boolean, key = w1.instructorKey) => post(`${srv!.base}/api/workshops/${w1.id}/follow/${ada.id}/keyboard`, { take, terminal: 'shell' }, key);
    expect((await kb(true)).status).toBe(409);
    const v2 = follow(w1, ada.id);
    await v2.opened;
    await until(() => v2.statuses.find((s) => s.state === 'attached'), 5000, 'second viewer attached');
    expect((await kb(true, ada.token)).status).toBe(401);
    const took = await kb(true);
    expect(took.status).toBe(200);
    expect(await took.json()).toEqual({ terminal: 'shell', instructor: true });
    await adaTerm.waitFor((c) => c.statuses.some((s) => s.state === 'keyboard' && s.instructor), 5000, 'keyboard status to Ada');
    await until(() => evs.find((m) => m.type === 'event' && m.kind === 'keyboard' && m.instructor), 5000, 'keyboard event on Ada\'s bus');
    adaTerm.type('echo ada-$((5*5))\r');
    v2.type('echo instructor-$((4*4))\r');
    await adaTerm.waitForText('instructor-16');
    await new Promise((r) => setTimeout(r, 300));
    expect(adaTerm.text()).not.toContain('ada-25');
    expect(v2.closed).toBeUndefined();

    // Given back: Ada types again; the instructor's input is refused again.
    expect(await (await kb(false)).json()).toEqual({ terminal: 'shell', instructor: false });
    await adaTerm.waitFor((c) => c.statuses.some((s) => s.state === 'keyboard' && !s.instructor), 5000, 'keyboard back to Ada');
    adaTerm.type('echo back-$((7+7))\r');
    await adaTerm.waitForText('back-14');
    await until(() => v2.text().includes('back-14') || undefined, 5000, 'the viewer sees it');

    // Taken again, then the instructor's socket closes: the keyboard returns to Ada by itself.
    expect((await kb(true)).status).toBe(200);
    v2.ws.close();
    await until(() => evs.filter((m) => m.type === 'event' && m.kind === 'keyboard' && !m.instructor).length >= 2 || undefined, 5000, 'keyboard released on close');
    adaTerm.type('echo after-close-$((8+1))\r');
    await adaTerm.waitForText('after-close-9');
    ev.close();
    adaTerm.close();
  }, 90_000);

  it('broadcasts the instructor\'s terminal to 50 viewers, every byte in order; a stalled viewer is resynced and slows nobody', async () => {
    srv ??= await startServer({ maxSessions: 20 });
    const w = (await createWorkshop(srv, { title: 'Demo room' })) as CreateWorkshopResponse;
    const learners = await Promise.all(['Ann', 'Ben', 'Cat', 'Dan', 'Eve'].map((name) => createSession(srv!.base, { workshop: w.joinCode, name })));
    const outsider = await createSession(srv.base, {});
    const heard = new Map<string, boolean[]>();
    for (const l of [...learners, outsider]) {
      heard.set(l.id, []);
      srv.app.registry.get(l.id)!.bus.subscribe((m) => m.type === 'event' && m.kind === 'broadcast' && heard.get(l.id)!.push(m.live));
    }
    // The instructor's own sandbox, with its shell open in the instructor's page.
    const demo = await createSession(srv.base, {});
    const demoTerm = new Viewer(`${srv.ws}/api/sessions/${demo.id}/terminals/shell?token=${demo.token}`, true);
    await demoTerm.opened;
    await until(() => demoTerm.statuses.find((s) => s.state === 'attached'), 5000, 'demo attached');

    const learnerView = (l: { id: string; token: string }) => new Viewer(`${srv!.ws}/api/sessions/${l.id}/broadcast/terminal?token=${l.token}`);
    // Before the broadcast: nothing to view.
    const early = learnerView(learners[0]);
    expect((await early.waitClosed()).code).toBe(CloseCode.noSuchTerminal);
    // Only with the instructor key, and only a session whose token the instructor holds.
    expect((await post(`${srv.base}/api/workshops/${w.id}/broadcast`, { sessionId: demo.id, token: demo.token }, learners[0].token)).status).toBe(401);
    expect((await post(`${srv.base}/api/workshops/${w.id}/broadcast`, { sessionId: learners[1].id, token: demo.token }, w.instructorKey)).status).toBe(401);
    const started = await post(`${srv.base}/api/workshops/${w.id}/broadcast`, { sessionId: demo.id, token: demo.token }, w.instructorKey);
    expect(started.status).toBe(200);
    expect(await started.json()).toEqual({ live: true, delivered: 5 });
    for (const l of learners) expect(heard.get(l.id)).toEqual([true]);
    expect(heard.get(outsider.id)).toEqual([]);
    expect(await (await fetch(`${srv.base}/api/sessions/${learners[2].id}/broadcast`, { headers: { authorization: `Bearer ${learners[2].token}` } })).json()).toEqual({ live: true });

    // A session outside the workshop cannot watch it.
    const out = learnerView(outsider);
    expect((await out.waitClosed()).code).toBe(CloseCode.notInWorkshop);

    // 50 viewers: each of the 5 learners with 10 sockets (tabs, pop-outs).
    const viewers = learners.flatMap((l) => Array.from({ length: 10 }, () => learnerView(l)));
    await Promise.all(viewers.map((v) => v.opened));
    await until(() => viewers.every((v) => v.statuses.some((s) => s.state === 'attached')) || undefined, 10_000, 'all viewers attached');
    const starts = viewers.map((v) => v.bytes);
    demoTerm.type('seq 1 20000; echo seq-done-$((10*10))\r');
    await until(() => viewers.every((v) => v.tail().includes('seq-done-100')) || undefined, 60_000, 'every viewer saw the end', () => `${viewers.filter((v) => v.tail().includes('seq-done-100')).length} of 50`);
    for (const [i, v] of viewers.entries()) {
      const ns = numbers(v.text(starts[i]));
      expect(isSequence(ns, 20000), `viewer ${i}: ${ns.length} numbers`).toBe(true);
      expect(v.statuses.some((s) => s.state === 'resync')).toBe(false);
    }
    expect(isSequence(numbers(demoTerm.text()), 20000)).toBe(true);

    // The room has no input path: a viewer's input closes it 4031 and never reaches the shell.
    viewers[7].type('touch /tmp/room-typed\r');
    expect((await viewers[7].waitClosed()).code).toBe(CloseCode.readOnly);
    for (const v of viewers.slice(2)) v.ws.close();

    // A viewer that stops reading: its queue is dropped, the shell and the others carry on at full
    // speed, and once it reads again it gets a fresh snapshot (resync) and live output after it.
    const prev = Terminal.viewerOptions;
    Terminal.viewerOptions = { maxBufferedBytes: 256 * 1024, resumeBelowBytes: 16 * 1024 };
    try {
      const fast = learnerView(learners[3]);
      const slow = learnerView(learners[4]);
      await Promise.all([fast.opened, slow.opened]);
      await until(() => [fast, slow].every((v) => v.statuses.some((s) => s.state === 'attached')) || undefined, 5000, 'attached');
      const fastFrom = fast.bytes;
      const demoFrom = demoTerm.bytes;
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const N = 1_500_000;
      demoTerm.type(`seq 1 ${N}; echo big-done-$((20*20))\r`);
      // The shell finished while the slow viewer still reads nothing: it did not hold anyone up.
      await until(() => demoTerm.tail().includes('big-done-400') || undefined, 120_000, 'the shell finished');
      await until(() => fast.tail().includes('big-done-400') || undefined, 30_000, 'the fast viewer saw the end');
      expect(slow.statuses.some((s) => s.state === 'resync')).toBe(false);
      expect(isSequence(numbers(demoTerm.text(demoFrom)), N)).toBe(true);
      expect(isSequence(numbers(fast.text(fastFrom)), N)).toBe(true);
      expect(fast.statuses.some((s) => s.state === 'resync')).toBe(false);
      // Now it reads again: a resync, then the screen, and then live output in order.
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await until(() => slow.statuses.find((s) => s.state === 'resync'), 30_000, 'the slow viewer is resynced');
      const resyncAt = slow.statusAt[slow.statuses.findIndex((s) => s.state === 'resync')];
      await until(() => slow.tail().includes('big-done-400') || undefined, 30_000, 'the snapshot holds the end of the stream');
      expect(slow.text(resyncAt).startsWith('\x1bc')).toBe(true);
      demoTerm.type('echo live-again-$((6*6))\r');
      await until(() => slow.tail().includes('live-again-36') || undefined, 10_000, 'live output after the resync');
      expect(slow.closed).toBeUndefined();
      for (const v of [fast, slow]) v.ws.close();
    } finally {
      Terminal.viewerOptions = prev;
    }

    // Stopped: every learner hears it; their viewers are closed.
    const still = viewers[0];
    expect((await post(`${srv.base}/api/workshops/${w.id}/broadcast`, { sessionId: null }, w.instructorKey)).status).toBe(200);
    for (const l of learners) expect(heard.get(l.id)).toEqual([true, false]);
    expect((await still.waitClosed()).code).toBe(CloseCode.normal);
    demoTerm.ws.close();
  }, 240_000);
});

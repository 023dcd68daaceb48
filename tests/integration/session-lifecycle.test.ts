// Resources are disposables and owners dispose them: a terminal's dispose ends its shell and its
// timers; a reconnect that replaces a socket gets every byte once; the server's stop closes every
// terminal and event socket with 4010; a socket handler's own failure is a 1011, never a 4400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Terminal, type TerminalClient } from '../../server/terminal/terminal.js';
import { CloseCode, decodeServerFrame, encodeClientFrame } from '../../server/protocol/frames.js';
import { createSession, startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { pidAlive } from '../helpers/leaks.js';
import { TermClient } from '../helpers/ws.js';

function recorder(): TerminalClient & { out: () => string; statuses: string[]; closes: { code: number; reason: string }[] } {
  const chunks: Buffer[] = [];
  const statuses: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  return {
    send(frame) {
      const f = decodeServerFrame(frame);
      if (f.type === 'output') chunks.push(Buffer.from(f.data));
      else statuses.push(f.status.state);
    },
    close: (code, reason) => void closes.push({ code, reason }),
    out: () => Buffer.concat(chunks).toString(),
    statuses,
    closes,
  };
}

const shellOpts = (args: string[]) => ({
  name: 'shell',
  command: { file: '/bin/sh', args, env: { PATH: '/usr/bin:/bin' } },
  scrollbackBytes: 1 << 20,
  highWaterBytes: 1 << 20,
  lowWaterBytes: 1 << 19,
});

describe('a terminal is a disposable', () => {
  it('a socket that replaces another in the same turn as fresh output gets that output once (in the replay), not twice', async () => {
    const t = new Terminal(shellOpts(['-c', 'sleep 30']));
    try {
      const first = recorder();
      t.attach(first);
      // The race a reconnect meets: the PTY's output arrives in the same event-loop turn as the new
      // socket's upgrade, so it is in the ring and still waiting for its batch when attach() runs.
      (t as unknown as { onOutput(b: Buffer): void }).onOutput(Buffer.from('ONCE-ONLY\r\n'));
      const second = recorder();
      t.attach(second);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(second.out().split('ONCE-ONLY').length - 1).toBe(1);
      expect(first.closes).toEqual([{ code: CloseCode.replaced, reason: 'this terminal was opened elsewhere' }]);
    } finally {
      t.dispose();
    }
  });

  it('dispose() kills the shell, sends nothing more and drops its listeners; a second dispose() is harmless', async () => {
    const t = new Terminal(shellOpts(['-c', 'echo started; sleep 30']));
    const c = recorder();
    t.attach(c);
    await until(() => c.out().includes('started') || undefined, 5000, 'the shell to start');
    const pid = t.pid;
    expect(pidAlive(pid)).toBe(true);
    t.dispose();
    t.dispose();
    await until(() => !pidAlive(pid) || undefined, 5000, 'the shell to die');
    expect(t.attached).toBe(false);
    // The exit is not reported to a client of a disposed terminal.
    await new Promise((r) => setTimeout(r, 200)); // the window in which an exit status would have been sent
    expect(c.statuses).toEqual(['attached']);
  });

  it('an exiting shell reports its status only after its last output, without polling for quiet', async () => {
    const t = new Terminal(shellOpts(['-c', 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done; exit 7']));
    const c = recorder();
    t.attach(c);
    try {
      await until(() => (c.statuses.includes('exited') ? true : undefined), 5000, 'the exit status');
      expect(c.out()).toContain('line-199');
      expect(t.exited).toBe(true);
    } finally {
      t.dispose();
    }
  });
});

describe('server stop and handler failures close sockets with their documented codes', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv?.close());

  it('a socket handler that throws is logged and closes 1011; the session lives on, and a malformed frame is still 4400', async () => {
    const s = await createSession(srv.base);
    const term = TermClient.for(srv.ws, s);
    await term.open();
    await term.waitForText(/[#$] $/);
    const session = srv.app.registry.get(s.id)!;
    const terminal = session.terminals.get('shell')!;
    const resize = terminal.resize.bind(terminal);
    terminal.resize = () => {
      throw new Error('injected failure');
    };
    try {
      term.ws.send(encodeClientFrame({ type: 'resize', cols: 80, rows: 24 }));
      await term.waitClosed();
      expect(term.closed).toEqual({ code: CloseCode.internalError, reason: 'internal error (logged on the server)' });
    } finally {
      terminal.resize = resize;
    }
    const again = TermClient.for(srv.ws, s);
    await again.open();
    again.type('echo still-$((6*7))\r');
    await again.waitForText('still-42');
    again.ws.send(Buffer.from([9, 9, 9]));
    await again.waitClosed();
    expect(again.closed!.code).toBe(CloseCode.malformedFrame);
  });

  it('any session opens more terminals into the same sandbox (the + tab), up to the limit; another session\'s token cannot', async () => {
    const s = await createSession(srv.base);
    const other = await createSession(srv.base);
    const post = (id: string, token: string) => fetch(`${srv.base}/api/sessions/${id}/terminals`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const r2 = await post(s.id, s.token);
    expect([r2.status, await r2.json()]).toEqual([201, { name: 'shell-2', title: 'Terminal 2' }]);
    const one = TermClient.for(srv.ws, s);
    const two = TermClient.for(srv.ws, s, 'shell-2');
    await Promise.all([one.open(), two.open()]);
    one.type('hostname tab-one; echo set-$((1+1))\r');
    await one.waitForText('set-2');
    two.type('hostname; echo done-$((40+2))\r');
    await two.waitForText('done-42');
    expect(two.text()).toMatch(/tab-one\r\n/); // the same UTS namespace: one sandbox, two shells
    expect((await post(s.id, other.token)).status).toBe(401);
    expect((await post('not-an-id', s.token)).status).toBe(400);
    expect((await post(s.id, s.token)).status).toBe(201);
    expect((await post(s.id, s.token)).status).toBe(201);
    const full = await post(s.id, s.token);
    expect([full.status, (await full.json()).code]).toEqual([409, 'ISOPLAY_ERR_TERMINALS_FULL']);
    const summary = await (await fetch(`${srv.base}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } })).json();
    expect(summary.terminals.map((t: { name: string }) => t.name)).toEqual(['shell', 'shell-2', 'shell-3', 'shell-4']);
    one.close();
    two.close();
  });

  it('stopping the server closes every terminal and event socket with 4010 and says why', async () => {
    const own = await startServer();
    const s = await createSession(own.base);
    const term = TermClient.for(own.ws, s);
    const events = new WebSocket(`${own.ws}/api/sessions/${s.id}/events?token=${s.token}`);
    const eventsClosed = new Promise<{ code: number; reason: string }>((resolve) => events.on('close', (code, r) => resolve({ code, reason: r.toString() })));
    await Promise.all([term.open(), new Promise((r) => events.once('open', r))]);
    await own.close();
    await term.waitClosed();
    expect(term.closed).toEqual({ code: CloseCode.serverShutdown, reason: 'server shutdown' });
    expect(await eventsClosed).toEqual({ code: CloseCode.serverShutdown, reason: 'server shutdown' });
  });
});

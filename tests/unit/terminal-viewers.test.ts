// The viewers of a terminal (server/terminal/viewers.ts): a new viewer gets the screen first, then
// live output in order; one that falls behind loses its queue (never pacing anything) and, once its
// socket drained, gets a reset and a fresh snapshot, then live output again.
import { describe, expect, it } from 'vitest';
import { decodeServerFrame, type TerminalStatus } from '../../server/protocol/frames.js';
import { ViewerHub, type ViewerSocket } from '../../server/terminal/viewers.js';

/** A socket whose queued bytes the test sets (ws's bufferedAmount). */
class Sock implements ViewerSocket {
  bufferedAmount = 0;
  out: string[] = [];
  statuses: TerminalStatus[] = [];
  closed: number | undefined;
  send(frame: Uint8Array): void {
    const f = decodeServerFrame(frame);
    if (f.type === 'output') this.out.push(Buffer.from(f.data).toString());
    else this.statuses.push(f.status);
  }
  close(code: number): void {
    this.closed = code;
  }
  text(): string {
    return this.out.join('');
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ViewerHub', () => {
  it('sends the snapshot, then live output in order, batched per turn of the loop', async () => {
    let screen = 'PROMPT$ ';
    const hub = new ViewerHub(() => ({ data: Buffer.from(screen), cols: 90, rows: 30 }));
    const a = new Sock();
    hub.add(a, 'shell');
    expect(a.text()).toBe('PROMPT$ ');
    expect(a.statuses).toEqual([{ state: 'attached', terminal: 'shell', replayedBytes: 8, cols: 90, rows: 30 }]);
    for (const c of ['1\r\n', '2\r\n', '3\r\n']) {
      screen += c;
      hub.push(Buffer.from(c));
    }
    expect(a.out.length).toBe(1); // nothing live yet: one frame at the end of this turn
    await tick();
    expect(a.out).toEqual(['PROMPT$ ', '1\r\n2\r\n3\r\n']);
    // A second viewer arriving now starts from the screen as it is, and both see what follows.
    const b = new Sock();
    hub.add(b, 'shell');
    screen += '4\r\n';
    hub.push(Buffer.from('4\r\n'));
    await tick();
    expect(b.text()).toBe('PROMPT$ 1\r\n2\r\n3\r\n4\r\n');
    expect(a.text()).toBe('PROMPT$ 1\r\n2\r\n3\r\n4\r\n');
 
    // A viewer that arrives while output is still batched gets it once (in its snapshot), the others live.
    screen += '5\r\n';
    hub.push(Buffer.from('5\r\n'));
    const c = new Sock();
    hub.add(c, 'shell');
    await tick();
    expect(c.text()).toBe('PROMPT$ 1\r\n2\r\n3\r\n4\r\n5\r\n');
    expect(a.text()).toBe('PROMPT$ 1\r\n2\r\n3\r\n4\r\n5\r\n');
    // One encoded frame is shared by every viewer, not copied per viewer.
    const frames: Uint8Array[] = [];
    for (const x of [a, b, c]) {
      const send = x.send.bind(x);
      x.send = (f) => (frames.push(f), send(f));
    }
    hub.push(Buffer.from('6'));
    await tick();
    expect(frames.length).toBe(3);
    expect(frames[1]).toBe(frames[0]);
    expect(frames[2]).toBe(frames[0]);
  });

  it('drops the queue of a viewer that falls behind, leaves the others alone, and resyncs it with a reset and a snapshot once it drained', async () => {
    let screen = '';
    const hub = new ViewerHub(() => ({ data: Buffer.from(screen), cols: 80, rows: 24 }), { maxBufferedBytes: 100, resumeBelowBytes: 10, pollMs: 5 });
    const slow = new Sock();
    const fast = new Sock();
    hub.add(slow, 'shell');
    hub.add(fast, 'shell');
    slow.bufferedAmount = 95; // its network is stuck
    const write = (s: string) => {
      screen += s;
      hub.push(Buffer.from(s));
    };
    write('aaaaaaaaaa'); // 95 + 10 > 100: behind
    await tick();
    write('bbbbbbbbbb');
    await tick();
    expect(slow.text()).toBe('');
    expect(fast.text()).toBe('aaaaaaaaaabbbbbbbbbb');
    await sleep(30);
    expect(slow.statuses.some((s) => s.state === 'resync')).toBe(false); // still stuck: no snapshot piles up
    slow.bufferedAmount = 0;
    await sleep(30);
    expect(slow.statuses.at(-1)).toEqual({ state: 'resync', replayedBytes: 20, cols: 80, rows: 24 });
    expect(slow.text()).toBe('\x1bcaaaaaaaaaabbbbbbbbbb');
    expect(hub.resyncsOf(slow)).toBe(1);
    write('c');
    await tick();
    expect(slow.text().endsWith('bbc')).toBe(true);
    expect(fast.text()).toBe('aaaaaaaaaabbbbbbbbbbc');
  });

  it('forgets a removed viewer (its resync timer too) and closes the rest on closeAll', async () => {
    const hub = new ViewerHub(() => ({ data: Buffer.alloc(0), cols: 80, rows: 24 }), { maxBufferedBytes: 1, pollMs: 5 });
    const a = new Sock();
    const b = new Sock();
    hub.add(a, 'shell');
    hub.add(b, 'shell');
    a.bufferedAmount = 5;
    hub.push(Buffer.from('x'));
    await tick();
    hub.remove(a);
    a.bufferedAmount = 0;
    await sleep(20);
    expect(a.statuses.some((s) => s.state === 'resync')).toBe(false);
    expect(hub.size).toBe(1);
    hub.closeAll(1000, 'bye');
    expect(b.closed).toBe(1000);
    expect(hub.size).toBe(0);
  });
});

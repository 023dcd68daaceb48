import { describe, expect, it } from 'vitest';
import { FlowWindow, ScrollbackRing } from '../../server/terminal/buffers.js';

describe('scrollback ring', () => {
  it('keeps the last capacity bytes across chunk boundaries', () => {
    const r = new ScrollbackRing(10);
    r.push(Buffer.from('abcdef'));
    r.push(Buffer.from('ghijkl'));
    expect(r.contents().toString()).toBe('cdefghijkl');
    expect(r.size).toBe(10);
    r.push(Buffer.from('m'));
    expect(r.contents().toString()).toBe('defghijklm');
  });

  it('keeps the tail of a chunk larger than the ring', () => {
    const r = new ScrollbackRing(4);
    r.push(Buffer.from('0123456789'));
    expect(r.contents().toString()).toBe('6789');
  });

  it('is empty at first', () => {
    expect(new ScrollbackRing(4).contents().length).toBe(0);
  });
});

describe('flow window', () => {
  it('pauses above the high watermark and resumes only below the low one', () => {
    const f = new FlowWindow(100, 20);
    f.sent(90);
    expect(f.shouldPause(false)).toBe(false);
    f.sent(20);
    expect(f.shouldPause(false)).toBe(true);
    f.ack(50); // 60 in flight: still above low, stays paused
    expect(f.shouldPause(true)).toBe(true);
    f.ack(45); // 15 in flight
    expect(f.shouldPause(true)).toBe(false);
  });

  it('never counts more acks than bytes sent', () => {
    const f = new FlowWindow(100, 20);
    f.sent(10);
    f.ack(1000);
    expect(f.inFlight).toBe(0);
    f.sent(150);
    expect(f.shouldPause(false)).toBe(true);
  });
});

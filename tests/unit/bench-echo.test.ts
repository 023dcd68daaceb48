import { describe, expect, it } from 'vitest';
import { EchoTracker } from '../../bench/echo.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('echo tracker (bench --only attacks)', () => {
  it('pairs each echo with its key, in order, across frames and with several keys waiting', () => {
    const t = new EchoTracker();
    expect(String.fromCharCode(t.type(0))).toBe('a');
    expect(String.fromCharCode(t.type(100))).toBe('b');
    t.type(200); // c
    expect(t.outstanding).toBe(3);
    t.received(bytes('a'), 1);
    t.received(bytes('bc'), 250);
    expect(t.latencies).toEqual([1, 150, 50]);
    expect(t.outstanding).toBe(0);
  });

  it('ignores what is not the awaited key: escape sequences, Ctrl-U erasing, a letter typed later', () => {
    const t = new EchoTracker();
    t.type(0); // a
    t.received(bytes('\x1b[K\b\b\r[1Cb'), 5);
    expect(t.outstanding).toBe(1);
    t.received(bytes('\x1b[Ka'), 7);
    expect(t.latencies).toEqual([7]);
  });

  it('cycles through the 26 letters and starts afresh on reset', () => {
    const t = new EchoTracker();
    const keys = Array.from({ length: 27 }, (_, i) => String.fromCharCode(t.type(i)));
    expect(keys.join('')).toBe('abcdefghijklmnopqrstuvwxyza');
    t.reset();
    expect(t.outstanding).toBe(0);
    expect(t.latencies).toEqual([]);
  });
});

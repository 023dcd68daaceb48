import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame, encodeClientFrame, encodeServerFrame, FrameError } from '../../server/protocol/frames.js';

describe('terminal frame codec', () => {
  it('round-trips input, resize and ack frames', () => {
    const input = decodeClientFrame(encodeClientFrame({ type: 'input', data: new TextEncoder().encode('ls -l\r') }));
    expect(input.type).toBe('input');
    expect(new TextDecoder().decode((input as { data: Uint8Array }).data)).toBe('ls -l\r');
    expect(decodeClientFrame(encodeClientFrame({ type: 'resize', cols: 120, rows: 40 }))).toEqual({ type: 'resize', cols: 120, rows: 40 });
    expect(decodeClientFrame(encodeClientFrame({ type: 'ack', bytes: 65536 }))).toEqual({ type: 'ack', bytes: 65536 });
  });

  it('puts the type in the first byte', () => {
    expect(encodeClientFrame({ type: 'ack', bytes: 1 })[0]).toBe(2);
    expect(encodeServerFrame({ type: 'status', status: { state: 'exited', code: 3, signal: null } })[0]).toBe(1);
  });

  it('round-trips server output and status frames', () => {
    const out = decodeServerFrame(encodeServerFrame({ type: 'output', data: Uint8Array.of(0, 255, 10) }));
    expect(Array.from((out as { data: Uint8Array }).data)).toEqual([0, 255, 10]);
    expect(decodeServerFrame(encodeServerFrame({ type: 'status', status: { state: 'exited', code: 3, signal: null } }))).toEqual({
      type: 'status',
      status: { state: 'exited', code: 3, signal: null },
    });
  });

  it.each([
    ['empty frame', new Uint8Array(0), /empty/],
    ['unknown type', Uint8Array.of(9, 1), /unknown frame type 9/],
    ['resize that is not JSON', Uint8Array.of(1, 0x7b), /not UTF-8 JSON/],
    ['resize out of range', encodeClientFrame({ type: 'resize', cols: 0, rows: 10 }), /between 1 and 1000/],
    ['resize with a fraction', new Uint8Array([1, ...new TextEncoder().encode('{"cols":1.5,"rows":2}')]), /integer/],
    ['ack that is negative', new Uint8Array([2, ...new TextEncoder().encode('{"bytes":-1}')]), /non-negative/],
    ['ack that is an array', new Uint8Array([2, ...new TextEncoder().encode('[1]')]), /JSON object/],
  ])('rejects %s', (_name, raw, msg) => {
    expect(() => decodeClientFrame(raw)).toThrow(FrameError);
    expect(() => decodeClientFrame(raw)).toThrow(msg);
  });

  it('rejects frames over the size limit', () => {
    expect(() => decodeClientFrame(new Uint8Array(100), 64)).toThrow(/exceeds the 64-byte limit/);
    expect(decodeClientFrame(new Uint8Array(64), 64).type).toBe('input');
  });
});

// Which bucket a session creation counts in: a real workshop's join code, else the client address.
import { describe, expect, it } from 'vitest';
import { sessionRateKey } from '../../server/http/session-limits.js';

const exists = (code: string) => code === 'ABCDEF';

describe('sessionRateKey', () => {
  it('keys a learner with a valid join code on the workshop, not the address', () => {
    expect(sessionRateKey('ABCDEF', '10.0.0.9', exists)).toEqual({ kind: 'workshop', code: 'ABCDEF', key: 'workshop:ABCDEF' });
  });

  it.each([
    ['no workshop', undefined],
    ['a code that names no workshop (a made-up code buys no bucket)', 'ZZZZZZ'],
    ['a non-string', 42],
    ['an object', { code: 'ABCDEF' }],
  ])('keys %s on the client address', (_what, workshop) => {
    expect(sessionRateKey(workshop, '10.0.0.9', exists)).toEqual({ kind: 'client', address: '10.0.0.9', key: 'client:10.0.0.9' });
  });
});

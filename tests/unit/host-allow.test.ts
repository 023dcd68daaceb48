// The Host/Origin allow-list that closes DNS rebinding, table-tested with hostile input.
import { describe, expect, it } from 'vitest';
import { buildAllowList, hostAllowed, originAllowed, parseHost, shownHost } from '../../server/http/host-allow.js';

const allow = buildAllowList(['Playground.Example.org', 'lab-01.internal:8080'], '127.0.0.1', 'devbox');

describe('hostAllowed', () => {
  it.each([
    // loopback names, with and without port, any case, fully qualified
    ['localhost', true],
    ['localhost:8080', true],
    ['LOCALHOST:8080', true],
    ['localhost.', true],
    ['app.localhost:3000', true],
    // IP literals: v4, v6 in brackets, with and without port
    ['127.0.0.1', true],
    ['127.0.0.1:8080', true],
    ['10.1.2.3:80', true],
    ['[::1]', true],
    ['[::1]:8080', true],
    ['[::ffff:127.0.0.1]:8080', true],
    ['[2001:db8::5]:443', true],
    // the machine's name and configured names, any case, port ignored
    ['devbox', true],
    ['DEVBOX:8080', true],
    ['playground.example.org', true],
    ['PLAYGROUND.EXAMPLE.ORG:443', true],
    ['lab-01.internal', true],
    // foreign names, including ones built to look local
    ['evil.example', false],
    ['evil.example:8080', false],
    ['127.0.0.1.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.evil.example', false],
    ['localhostevil.example', false],
    ['evillocalhost', false],
    ['devbox.evil.example', false],
    ['playground.example.org.evil.example', false],
    ['example.org', false],
    // malformed: empty, userinfo, bare v6, junk ports, paths, spaces, controls, over-long
    ['', false],
    [undefined, false],
    ['user@localhost', false],
    ['localhost@evil.example', false],
    ['evil.example@127.0.0.1', false],
    ['::1', false],
    ['[::1', false],
    ['[::1]x', false],
    ['[::1]:99999', false],
    ['[fe80::1%25eth0]', false],
    ['localhost:', false],
    ['localhost:80:80', false],
    ['localhost:abc', false],
    ['127.0.0.1:65536', false],
    ['localhost/evil', false],
    ['local host', false],
    ['localhost\r\nX-Evil: 1', false],
    ['localhost\0', false],
    ['..', false],
    ['a..localhost', false],
    ['-bad.localhost', false],
    [`${'a'.repeat(64)}.localhost`, false],
    [`${'a.'.repeat(150)}localhost`, false],
    ['x'.repeat(100_000), false],
    ['0127.0.0.1', false],
    ['2130706433', false],
  ] as [string | undefined, boolean][])('%j -> %s', (host, expected) => {
    expect(hostAllowed(host, allow)).toBe(expected);
  });

  it('adds the bound address when it is a name, and nothing for wildcard binds', () => {
    expect(hostAllowed('box.lan:8080', buildAllowList([], 'box.lan', 'other'))).toBe(true);
    expect(buildAllowList([], '0.0.0.0', 'devbox').names).toEqual(new Set(['devbox']));
    expect(buildAllowList([], '::', 'devbox').names).toEqual(new Set(['devbox']));
  });

  it('parses ports and brackets exactly', () => {
    expect(parseHost('[::1]:8080')).toEqual({ name: '::1', port: 8080, ip: true });
    expect(parseHost('Example.ORG.:81')).toEqual({ name: 'example.org', port: 81, ip: false });
    expect(parseHost('10.0.0.1')).toEqual({ name: '10.0.0.1', port: undefined, ip: true });
  });
});

describe('originAllowed', () => {
  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://localhost:5173', true],
    ['https://playground.example.org', true],
    ['http://[::1]:8080', true],
    ['HTTP://LOCALHOST:8080', true],
    ['http://evil.example', false],
    ['http://evil.example:8080', false],
    ['http://localhost.evil.example', false],
    ['http://127.0.0.1.evil.example', false],
    ['null', false],
    ['', false],
    ['file://', false],
    ['chrome-extension://abcdef', false],
    ['ws://localhost:8080', false],
    ['http://user:pw@localhost:8080', false],
    ['http://localhost:8080/path', false],
    ['not a url', false],
  ])('%j -> %s', (origin, expected) => {
    expect(originAllowed(origin, allow, [])).toBe(expected);
  });

  it('allows a full origin listed in allowedOrigins, or any with *', () => {
    expect(originAllowed('https://tool.example.com', allow, ['https://tool.example.com'])).toBe(true);
    expect(originAllowed('https://tool.example.com:444', allow, ['https://tool.example.com'])).toBe(false);
    expect(originAllowed('https://anything.example', allow, ['*'])).toBe(true);
  });
});

describe('shownHost', () => {
  it('keeps error messages and logs printable and short', () => {
    expect(shownHost('evil\r\n.example')).toBe('evil??.example');
    expect(shownHost('x'.repeat(500)).length).toBeLessThanOrEqual(81);
    expect(shownHost(undefined)).toBe('(none)');
  });
});

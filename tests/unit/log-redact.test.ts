// What reaches the log: secret query values redacted however they are spelled, and pino's redact
// paths censoring Authorization headers and token fields whoever logs them.
import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { loggerOptions, redactUrl, REDACTED, serializeRequest } from '../../server/http/log-redact.js';

const R = REDACTED;

describe('redactUrl', () => {
  it.each([
    ['/api/sessions/sabc/terminals/shell?token=SECRET', `/api/sessions/sabc/terminals/shell?token=${R}`],
    ['/api/sessions/sabc/events?token=SECRET&x=1', `/api/sessions/sabc/events?token=${R}&x=1`],
    ['/a?x=1&token=SECRET', `/a?x=1&token=${R}`],
    ['/a?token=ONE&token=TWO', `/a?token=${R}&token=${R}`],
    ['/a?TOKEN=SECRET', `/a?TOKEN=${R}`],
    ['/a?%74oken=SECRET', `/a?%74oken=${R}`],
    ['/a?%74OKEN=SECRET', `/a?%74OKEN=${R}`],
    ['/a?access_token=SECRET', `/a?access_token=${R}`],
    ['/a?key=SECRET&instructorKey=SECRET', `/a?key=${R}&instructorKey=${R}`],
    ['/a?token', `/a?token=${R}`],
    ['/a?token=SECRET#frag', `/a?token=${R}`],
    ['/a?%E0%A4%A=1&token=SECRET', `/a?%E0%A4%A=1&token=${R}`],
    ['/a?tokens=kept&mytoken=kept', '/a?tokens=kept&mytoken=kept'],
    ['/api/labs', '/api/labs'],
    ['/a?', '/a?'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    if (url.includes('SECRET') && !expected.includes('SECRET')) expect(redactUrl(url)).not.toContain('SECRET');
  });

  it('does not throw on something logged under req that is no request', () => {
    expect(serializeRequest({} as never)).toMatchObject({ url: undefined });
    expect(serializeRequest({ url: 42 } as never)).toMatchObject({ url: undefined });
  });

  it('serializes a request with the same fields as Fastify, the URL redacted', () => {
    expect(serializeRequest({ method: 'GET', url: '/x?token=SECRET', host: 'localhost:1', ip: '127.0.0.2', socket: { remotePort: 5 } })).toEqual({
      method: 'GET',
      url: `/x?token=${R}`,
      host: 'localhost:1',
      remoteAddress: '127.0.0.2',
      remotePort: 5,
    });
  });
});

describe('logger options', () => {
  it('censor Authorization headers and token fields, wherever they are logged', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: loggerOptions('info', { write: (l) => void lines.push(l) }) });
    app.log.info({ headers: { authorization: 'Bearer SECRET-1', 'user-agent': 'ua' } }, 'a');
    app.log.info({ req: { headers: { authorization: 'Bearer SECRET-2', cookie: 'c=SECRET-3' } } }, 'b');
    app.log.info({ session: { id: 'sabc', token: 'SECRET-4', learner: 'SECRET-5' }, token: 'SECRET-6' }, 'c');
    app.log.info({ authorization: 'Bearer SECRET-7', workshop: { instructorKey: 'SECRET-8' } }, 'd');
    await app.close();
    const log = lines.join('');
    expect(log).not.toMatch(/SECRET/);
    expect(log).toContain('sabc');
    expect(log).toContain('"user-agent":"ua"');
    const [a, , c, d] = lines.map((l) => JSON.parse(l));
    expect(a.headers.authorization).toBe(R);
    expect([c.session.token, c.session.learner, c.token]).toEqual([R, R, R]);
    expect([d.authorization, d.workshop.instructorKey]).toEqual([R, R]);
  });
});

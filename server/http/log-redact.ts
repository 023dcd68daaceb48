// What the server's log may say about a request: its URL with every secret query value replaced
// (a browser cannot set headers on a WebSocket, so the socket's ?token= is in the request line),
// and never an Authorization header or a token field, whoever logs it.
import type { FastifyServerOptions } from 'fastify';

export const REDACTED = '[redacted]';

/** Query parameter names (compared decoded and in lower case) whose values are secrets. */
const SECRET_PARAMS = new Set(['token', 'access_token', 'key', 'instructorkey', 'learner']);

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * The URL with the value of every secret query parameter replaced, wherever it appears and however
 * its name is spelled (`?TOKEN=`, `?%74oken=`: the query parser decodes names, so the route would
 * accept them too).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return SECRET_PARAMS.has(decodedName(name)) ? `${name}=${REDACTED}` : pair;
  });
  return `${url.slice(0, q + 1)}${parts.join('&')}`;
}

/** pino redact paths: any Authorization header or token logged by anyone, one or two levels deep. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'token',
  '*.token',
  'learner',
  '*.learner',
  'instructorKey',
  '*.instructorKey',
];

interface RequestLike {
  method?: string;
  url?: unknown;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Replaces Fastify's default request serializer: the same fields, the URL redacted. It also runs
 * on anything logged under `req`, so it must not throw on a shape it does not know.
 */
export function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req?.method,
    url: typeof req?.url === 'string' ? redactUrl(req.url) : undefined,
    host: req?.host,
    remoteAddress: req?.ip,
    remotePort: req?.socket?.remotePort,
  };
}

/** Fastify's logger options; `stream` lets tests (and operators embedding the app) capture the log. */
export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: { req: serializeRequest as (req: unknown) => Record<string, unknown> },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
}

// The first hook of every request (REST, static files, both WebSocket upgrades): a Host outside
// the allow-list is refused before any route runs, and a browser's state-changing REST call from
// a foreign Origin too. The sockets compare their Origin in sockets.ts, where they can close with
// the documented code 4005.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsoplayError } from '../errors.js';
import { hostAllowed, originAllowed, parseHost, shownHost, type HostAllowList } from './host-allow.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The name to suggest for --allowed-hosts: the bare name of what was refused, if it is one. */
function suggestedName(host: string | undefined): string {
  return parseHost(host)?.name ?? 'NAME';
}

export function hostError(req: FastifyRequest): IsoplayError {
  return new IsoplayError('ISOPLAY_ERR_HOST_NOT_ALLOWED', { host: shownHost(req.host), name: suggestedName(req.host) });
}

export function originError(origin: string): IsoplayError {
  let name = 'NAME';
  try {
    name = suggestedName(new URL(origin).host);
  } catch {
    /* not a URL: keep the placeholder */
  }
  return new IsoplayError('ISOPLAY_ERR_ORIGIN_NOT_ALLOWED', { origin: shownHost(origin), name });
}

export function registerEdgeGuard(app: FastifyInstance, allow: HostAllowList, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (req) => {
    // req.host is the Host header, or X-Forwarded-Host only when the peer is a configured proxy.
    if (!hostAllowed(req.host, allow)) {
      req.log.warn({ host: shownHost(req.host) }, 'refused a request for a host name not allowed');
      throw hostError(req);
    }
    // Browsers send Origin on every cross-origin request and on same-origin POST/DELETE; a
    // non-browser client sends none. GETs change nothing here (the sockets check for themselves).
    const origin = req.headers.origin;
    if (!SAFE_METHODS.has(req.method) && typeof origin === 'string' && !originAllowed(origin, allow, allowedOrigins)) {
      req.log.warn({ origin: shownHost(origin) }, 'refused a request from an origin not allowed');
      throw originError(origin);
    }
  });
}

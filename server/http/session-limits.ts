// Rate limits on session creation (@fastify/rate-limit): anonymous sessions per client address,
// workshop learners per workshop. A whole room sits behind one NAT address, so a valid join code,
// not the address, is the key for its learners; a code that names no workshop buys no bucket of
// its own (the request counts against its address). The cap on live anonymous sessions per
// address is the registry's (it counts sessions, not requests).
import type { FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { IsoplayError } from '../errors.js';
import type { Config } from '../config.js';

export type SessionRateKey = { kind: 'workshop'; code: string; key: string } | { kind: 'client'; address: string; key: string };

/** Which bucket a session creation is counted in (pure). */
export function sessionRateKey(workshop: unknown, clientAddress: string, workshopExists: (code: string) => boolean): SessionRateKey {
  if (typeof workshop === 'string' && workshopExists(workshop)) return { kind: 'workshop', code: workshop, key: `workshop:${workshop}` };
  return { kind: 'client', address: clientAddress, key: `client:${clientAddress}` };
}

/** The route config of POST /api/sessions. */
export function sessionCreationLimit(
  config: Pick<Config, 'sessionRateWindowMs' | 'sessionRateMax' | 'workshopSessionRateMax'>,
  workshopExists: (code: string) => boolean,
): RateLimitOptions {
  const keyOf = (req: FastifyRequest) => sessionRateKey((req.body as { workshop?: unknown } | undefined)?.workshop, req.ip, workshopExists);
  return {
    // After body parsing and validation, so the join code can choose the bucket.
    hook: 'preHandler',
    timeWindow: config.sessionRateWindowMs,
    keyGenerator: (req) => keyOf(req).key,
    max: (_req, key) => (key.startsWith('workshop:') ? config.workshopSessionRateMax : config.sessionRateMax),
    errorResponseBuilder: (req, c) => {
      const k = keyOf(req);
      const seconds = Math.max(1, Math.ceil(c.ttl / 1000));
      req.log.warn({ rateKey: k.key, max: c.max }, 'session creation rate-limited');
      return new IsoplayError(
        'ISOPLAY_ERR_RATE_LIMITED',
        { from: k.kind === 'workshop' ? `in workshop ${k.code}` : 'from your network address', seconds },
        { retryAfterSec: seconds },
      );
    },
  };
}

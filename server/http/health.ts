// Operations endpoints: GET /healthz (liveness: the process answers), GET /readyz (readiness: the
// sandbox path works) and GET /metrics (Prometheus text, prom-client). Also the child logger that puts the session id into
// the log line of every request about a session (`session` beside fastify's `reqId`).
//
// /readyz in sandbox mode answers 200 only when (1) the cgroup driver answers: a probe cgroup is
// created with the configured limits and removed again (at most once every PROBE_TTL_MS, in the same
// way the server checks its limits at start), and (2) the last sandbox creation did not fail, unless
// one succeeded after it, or a warm sandbox waits in the pool. Otherwise 503 with the reason.
//
// Who may read /metrics: a client on the loopback address (the request's address as Fastify sees it:
// behind a proxy named in trustProxy, the forwarded client), or anyone who sends
// `Authorization: Bearer <metricsToken>` when metricsToken is set (a scraper on another host or pod).
// Everyone else gets 403: the metrics name no secret, but they tell how busy the event is.
import { timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { addSource, metricsText, scanOom, type CreateHistory } from '../metrics.js';

export const PROBE_TTL_MS = 5_000;

export interface Readiness {
  ready: boolean;
  reason?: string;
  mode: 'sandbox' | 'host';
  pool: number;
  lastCreateOkAt?: number;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7).trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function metricsAllowed(req: Pick<FastifyRequest, 'ip' | 'headers'>, token: string): boolean {
  return isLoopback(req.ip) || tokenMatches(req.headers.authorization, token);
}

const SESSION_URL = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})(?:[/?]|$)/;

/**
 * Fastify's childLoggerFactory: every log line of a request about one session (its REST routes, its
 * terminal and event sockets) carries `session` beside `reqId`, the "incoming request" line too.
 */
export const sessionChildLogger: FastifyServerOptions['childLoggerFactory'] = function (logger, bindings, opts, rawReq) {
  const id = SESSION_URL.exec(rawReq.url ?? '')?.[1];
  return logger.child(id ? { ...bindings, session: id } : bindings, opts);
};

/** The routes (registered after the isoplay-sessions plugin: it reads app.registry and app.cgroupDriver). */
export async function healthRoutes(app: FastifyInstance, opts: { history: CreateHistory }): Promise<void> {
  {
    const { config, registry, cgroupDriver: driver } = app;
    const history = opts.history;

    const removeSource = addSource({
      sessions: () =>
        registry.list().map((s) => ({ id: s.id, state: s.state, sandbox: s.sandbox, terminals: [...s.terminals.values()].filter((t) => !t.exited).length })),
      poolSize: () => registry.poolSize,
      maxSessions: () => config.maxSessions,
      driver,
    });
    app.addHook('onClose', async () => removeSource());
    // The last OOM kills of a session are counted before its cgroups go.
    registry.addHooks({ onSessionEnd: (s) => scanOom(driver, s.id, s.sandbox, true) });

    let probe: { at: number; result: Promise<string | undefined> } | undefined;
    const probeDriver = (): Promise<string | undefined> => {
      if (!driver) return Promise.resolve(undefined);
      if (!probe || Date.now() - probe.at > PROBE_TTL_MS) {
        probe = {
          at: Date.now(),
          // What the server does at start (validateLimits): a probe cgroup with the configured limits.
          result: driver.create(path.posix.join(config.prefix, `probe-ready-${process.pid}`), config.limits).then(
            (h) => driver.destroy(h).then(() => undefined),
            (e: Error) => `the cgroup driver (${driver.mode}) cannot make a sandbox cgroup: ${e.message}`,
          ),
        };
      }
      return probe.result;
    };

    const readiness = async (): Promise<Readiness> => {
      const base = { mode: registry.mode, pool: registry.poolSize, ...(history.lastOkAt ? { lastCreateOkAt: history.lastOkAt } : {}) };
      if (registry.mode === 'host') return { ready: true, ...base };
      const cgroupFailure = await probeDriver();
      if (cgroupFailure) return { ready: false, reason: cgroupFailure, ...base };
      const err = history.lastError;
      if (err && (history.lastOkAt ?? 0) < err.at && registry.poolSize === 0) {
        return { ready: false, reason: `the last sandbox creation failed (${new Date(err.at).toISOString()}): ${err.message}`, ...base };
      }
      return { ready: true, ...base };
    };

    app.get('/healthz', async () => ({ status: 'ok', uptimeSec: Math.round(process.uptime()) }));

    app.get('/readyz', async (_req, reply) => {
      const r = await readiness();
      return reply.code(r.ready ? 200 : 503).send(r);
    });

    app.get('/metrics', async (req, reply) => {
      if (!metricsAllowed(req, config.metricsToken)) {
        return reply.code(403).send({ code: 'ISOPLAY_ERR_FORBIDDEN', message: 'metrics are served to loopback clients, or with Authorization: Bearer <metricsToken>' });
      }
      const m = await metricsText();
      return reply.type(m.contentType).send(m.body);
    });
  }
}

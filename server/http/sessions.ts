// REST routes for sessions: create (rate-limited, see session-limits.ts), inspect, end; plus
// health and the public config. The sessions themselves are the registry's (sessions/).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CreateSessionResponse } from '../protocol/api.js';
import { sessionParams, tokenOf, tokenQuery } from './schemas.js';
import { sessionCreationLimit } from './session-limits.js';

/** This process's id: a restarted server has another, so a page can tell a restart from a session that ended. */
export const SERVER_ID = randomBytes(6).toString('hex');

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { registry, config } = app;

  app.get('/api/health', async () => ({ ok: true, mode: registry.mode, sessions: registry.list().length, pool: registry.poolSize, server: SERVER_ID }));

  app.get('/api/config', async () => ({
    mode: registry.mode,
    cgroupMode: app.cgroupDriver?.mode ?? null,
    limits: config.limits,
    maxSessions: config.maxSessions,
    samplerHz: config.samplerHz,
  }));

  app.post<{ Body: { lab?: string; learner?: string; resetStep?: number; workshop?: string; name?: string } }>(
    '/api/sessions',
    {
      config: { rateLimit: sessionCreationLimit(config, (code) => app.workshops.exists(code)) },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lab: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' },
            learner: { type: 'string', minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
            resetStep: { type: 'integer', minimum: 0, maximum: 1000 },
            workshop: { type: 'string', pattern: '^[A-HJKMNP-Z2-9]{6}$' },
            name: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[^\\u0000-\\u001f]+$' },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body ?? {};
      const s = await registry.create({
        // A workshop with a path: its learners land in the path's first lab, not a free sandbox.
        lab: body.lab ?? app.workshopShape.landingLab(body.workshop),
        learner: body.learner,
        resetStep: body.resetStep,
        workshop: body.workshop,
        name: body.name,
        // The socket's address, or X-Forwarded-For only from a proxy named in --trust-proxy.
        clientAddress: req.ip,
      });
      const res: CreateSessionResponse = {
        id: s.id,
        token: s.token,
        learner: s.learner,
        terminals: s.terminalNames.map((name) => ({ name, ...(s.terminalTitles[name] ? { title: s.terminalTitles[name] } : {}) })),
        mode: registry.mode,
        lab: s.lab,
        server: SERVER_ID,
      };
      return reply.code(201).send(res);
    },
  );

  app.get<{ Params: { id: string } }>('/api/sessions/:id', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req) => {
    return registry.authorize(req.params.id, tokenOf(req.headers, req.query)).summary();
  });

  // Another terminal in the same sandbox (the page's `+` tab).
  app.post<{ Params: { id: string } }>('/api/sessions/:id/terminals', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req, reply) => {
    const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    return reply.code(201).send(s.addTerminal());
  });

  app.delete<{ Params: { id: string } }>('/api/sessions/:id', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req, reply) => {
    const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    await registry.destroy(s.id, 'deleted by its owner');
    return reply.code(204).send();
  });
}

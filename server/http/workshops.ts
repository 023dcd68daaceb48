// Workshop routes: create a workshop, look up a join code, the instructor's dashboard and
// announcements, and a learner's request for help. The logic is the workshop service's.
import type { FastifyInstance } from 'fastify';
import { HELP_TEXT_MAX } from '../workshops/help-queue.js';
import { MAX_ANNOUNCE_MINUTES } from '../workshops/announcements.js';
import { JOIN_CODE, sessionParams, tokenOf, tokenQuery, workshopParams } from './schemas.js';
import { workshopInsightRoutes } from './workshop-insight.js';

export async function workshopRoutes(app: FastifyInstance): Promise<void> {
  const { workshops, registry } = app;

  app.post<{ Body: { title: string } }>(
    '/api/workshops',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title'],
          properties: { title: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[^\\u0000-\\u001f]+$' } },
        },
      },
    },
    async (req, reply) => reply.code(201).send(workshops.create(req.body.title)),
  );

  app.get<{ Params: { code: string } }>(
    '/api/workshops/join/:code',
    { schema: { params: { type: 'object', properties: { code: JOIN_CODE }, required: ['code'], additionalProperties: false } } },
    async (req) => workshops.joinInfo(req.params.code),
  );

  app.post<{ Params: { id: string }; Body: { on: boolean; text?: string } }>(
    '/api/sessions/:id/help',
    {
      schema: {
        params: sessionParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['on'], properties: { on: { type: 'boolean' }, text: { type: 'string', maxLength: HELP_TEXT_MAX } } },
      },
    },
    async (req) => {
      const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
      return { helpRequestedAt: workshops.setHelp(s, req.body.on, req.body.text) ?? null };
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string; minutes?: number } }>(
    '/api/workshops/:id/announce',
    {
      schema: {
        params: workshopParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 300 }, minutes: { type: 'integer', minimum: 1, maximum: MAX_ANNOUNCE_MINUTES } } },
      },
    },
    async (req) => workshops.announce(req.params.id, tokenOf(req.headers, req.query), req.body.text, req.body.minutes),
  );

  await workshopInsightRoutes(app);

  app.get<{ Params: { id: string } }>('/api/workshops/:id', { schema: { params: workshopParams, querystring: tokenQuery } }, async (req) =>
    workshops.dashboard(req.params.id, tokenOf(req.headers, req.query)),
  );
}

// Workshop routes: create a workshop, look up a join code, the instructor's dashboard and
// announcements, and a learner's request for help. The logic is the workshop service's.
import type { FastifyInstance } from 'fastify';
import type { CreateWorkshopRequest } from '../protocol/api.js';
import { requireAdminKey } from '../workshops/admin-key.js';
import { HELP_TEXT_MAX } from '../workshops/help-queue.js';
import { MAX_ANNOUNCE_MINUTES } from '../workshops/announcements.js';
import { JOIN_CODE, LAB_ID, sessionParams, tokenOf, tokenQuery, workshopParams } from './schemas.js';
import { workshopInsightRoutes } from './workshop-insight.js';

export async function workshopRoutes(app: FastifyInstance): Promise<void> {
  const { workshops, registry } = app;

  // Creating a workshop needs the server's instructor key (admin-key.ts): 401 ISOPLAY_ERR_ADMIN_KEY.
  app.post<{ Body: CreateWorkshopRequest }>(
    '/api/workshops',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title'],
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[^\\u0000-\\u001f]+$' },
            path: { type: 'array', maxItems: 30, items: LAB_ID },
            learnerLimit: { type: 'integer', minimum: 1, maximum: 10_000 },
            startsAt: { type: 'integer', minimum: 0 },
            endsAt: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (req, reply) => {
      requireAdminKey(app.adminKey, tokenOf(req.headers, undefined));
      const { title, ...shape } = req.body;
      const created = workshops.create(title, app.workshopShape.validate(shape));
      app.workshopShape.created(created.id);
      return reply.code(201).send(created);
    },
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

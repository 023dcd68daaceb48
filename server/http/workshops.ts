// Workshop routes: create a workshop, look up a join code, the instructor's dashboard and
// announcements, and a learner's request for help. The logic is the workshop service's.
import type { FastifyInstance } from 'fastify';
import { JOIN_CODE, sessionParams, tokenOf, tokenQuery, workshopParams } from './schemas.js';

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

  app.post<{ Params: { id: string }; Body: { on: boolean } }>(
    '/api/sessions/:id/help',
    {
      schema: {
        params: sessionParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['on'], properties: { on: { type: 'boolean' } } },
      },
    },
    async (req) => {
      const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
      return { helpRequestedAt: workshops.setHelp(s, req.body.on) ?? null };
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/workshops/:id/announce',
    {
      schema: {
        params: workshopParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 300 } } },
      },
    },
    async (req) => workshops.announce(req.params.id, tokenOf(req.headers, req.query), req.body.text),
  );

  app.get<{ Params: { id: string } }>('/api/workshops/:id', { schema: { params: workshopParams, querystring: tokenQuery } }, async (req) =>
    workshops.dashboard(req.params.id, tokenOf(req.headers, req.query)),
  );
}

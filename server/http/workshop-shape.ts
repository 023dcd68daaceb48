// The workshop's shape, for its instructor (every route needs the workshop's instructor key):
// extend, end, delete, end one learner's session, export the dashboard and the command history as
// CSV, the host's capacity, and the addresses the room can reach this server at. The logic is
// server/workshops/shape.ts's.
import type { FastifyInstance } from 'fastify';
import { SESSION_ID, tokenOf, tokenQuery, workshopParams, WORKSHOP_ID } from './schemas.js';

const REASON = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^\\u0000-\\u001f]+$' } as const;

export async function workshopShapeRoutes(app: FastifyInstance): Promise<void> {
  const { workshops } = app;
  const shape = app.workshopShape;
  type P = { Params: { id: string } };
  const opts = { schema: { params: workshopParams, querystring: tokenQuery } };
  const auth = (req: { params: { id: string }; headers: Record<string, string | string[] | undefined>; query: unknown }) =>
    workshops.authorize(req.params.id, tokenOf(req.headers, req.query));

  app.post<P & { Body: { minutes: number } }>(
    '/api/workshops/:id/extend',
    { schema: { ...opts.schema, body: { type: 'object', additionalProperties: false, required: ['minutes'], properties: { minutes: { type: 'integer', minimum: 1, maximum: 24 * 60 } } } } },
    async (req) => shape.extend(auth(req), req.body.minutes),
  );

  app.post<P>('/api/workshops/:id/end', opts, async (req) => {
    const w = auth(req);
    return shape.end(w.id, 'the workshop was ended by its instructor');
  });

  app.delete<P>('/api/workshops/:id', opts, async (req, reply) => {
    const w = auth(req);
    await shape.remove(w.id);
    return reply.code(204).send();
  });

  // The kill switch: one learner's session of this workshop ends with the instructor's reason.
  app.post<{ Params: { id: string; session: string }; Body: { reason: string } }>(
    '/api/workshops/:id/sessions/:session/end',
    {
      schema: {
        params: { type: 'object', properties: { id: WORKSHOP_ID, session: SESSION_ID }, required: ['id', 'session'], additionalProperties: false },
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: REASON } },
      },
    },
    async (req, reply) => {
      const w = workshops.authorize(req.params.id, tokenOf(req.headers, req.query));
      await shape.kill(w, req.params.session, req.body.reason.trim());
      return reply.code(204).send();
    },
  );

  const csv = (name: string) => ({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });

  app.get<P>('/api/workshops/:id/export.csv', opts, async (req, reply) => {
    const w = auth(req);
    return reply.headers(csv(`workshop-${w.joinCode}.csv`)).send(shape.exportCsv(workshops.dashboard(w.id, tokenOf(req.headers, req.query))));
  });

  app.get<P>('/api/workshops/:id/history.csv', opts, async (req, reply) => {
    const w = auth(req);
    return reply.headers(csv(`workshop-${w.joinCode}-history.csv`)).send(await shape.historyCsv(w));
  });

  app.get<P>('/api/workshops/:id/capacity', opts, async (req) => shape.capacity(auth(req)));

  app.get<P>('/api/workshops/:id/addresses', opts, async (req) => {
    auth(req);
    const a = app.server.address();
    return shape.addresses(typeof a === 'object' && a ? a.port : app.config.port);
  });
}

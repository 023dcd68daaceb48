// The instructor's insight routes (instructor key as `Authorization: Bearer`): resolve a learner's
// request for help, expire an announcement now, set the heatmap's stuck limit. The logic is the
// workshop service's (server/workshops/*).
import type { FastifyInstance } from 'fastify';
import { MAX_STUCK_MINUTES } from '../workshops/heatmap.js';
import { SESSION_ID, WORKSHOP_ID, tokenOf, tokenQuery, workshopParams } from './schemas.js';

export async function workshopInsightRoutes(app: FastifyInstance): Promise<void> {
  const { workshops } = app;

  app.post<{ Params: { id: string; session: string } }>(
    '/api/workshops/:id/help/:session/resolve',
    {
      schema: {
        params: { type: 'object', properties: { id: WORKSHOP_ID, session: SESSION_ID }, required: ['id', 'session'], additionalProperties: false },
        querystring: tokenQuery,
      },
    },
    async (req) => workshops.resolveHelp(req.params.id, tokenOf(req.headers, req.query), req.params.session),
  );

  app.delete<{ Params: { id: string; announcement: string } }>(
    '/api/workshops/:id/announcements/:announcement',
    {
      schema: {
        params: { type: 'object', properties: { id: WORKSHOP_ID, announcement: { type: 'string', pattern: '^a[0-9a-f]{12}$' } }, required: ['id', 'announcement'], additionalProperties: false },
        querystring: tokenQuery,
      },
    },
    async (req) => workshops.removeAnnouncement(req.params.id, tokenOf(req.headers, req.query), req.params.announcement),
  );

  app.put<{ Params: { id: string }; Body: { minutes: number } }>(
    '/api/workshops/:id/stuck',
    {
      schema: {
        params: workshopParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['minutes'], properties: { minutes: { type: 'integer', minimum: 1, maximum: MAX_STUCK_MINUTES } } },
      },
    },
    async (req) => workshops.setStuckMinutes(req.params.id, tokenOf(req.headers, req.query), req.body.minutes),
  );
}

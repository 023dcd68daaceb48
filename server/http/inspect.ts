// The kernel view's REST snapshot (the event socket streams the same messages; http/sockets.ts).
import type { FastifyInstance } from 'fastify';
import { sessionParams, tokenOf, tokenQuery } from './schemas.js';

export async function inspectRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>('/api/sessions/:id/kernel', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req) => {
    const s = app.registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    return { messages: app.inspector.snapshot(s) };
  });
}

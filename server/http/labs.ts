// Lab routes: the catalog, a session's lab progress, step checks and predictions, and a learner's
// progress across labs. The lab logic is the labs service's (labs/service.ts).
import type { FastifyInstance } from 'fastify';
import { labParams, langQuery, sessionParams, stepParams, tokenLangQuery, tokenOf, tokenQuery } from './schemas.js';

export async function labRoutes(app: FastifyInstance): Promise<void> {
  const { labs, registry } = app;

  app.get<{ Querystring: { lang?: string } }>('/api/labs', { schema: { querystring: langQuery } }, async (req) => ({ labs: labs.list(req.query.lang), paths: labs.paths() }));

  app.get<{ Params: { id: string }; Querystring: { lang?: string } }>('/api/labs/:id', { schema: { params: labParams, querystring: langQuery } }, async (req) =>
    labs.detail(req.params.id, req.query.lang),
  );

  const sessionOf = (req: { params: { id: string }; headers: Record<string, string | string[] | undefined>; query: unknown }) =>
    registry.authorize(req.params.id, tokenOf(req.headers, req.query));

  app.get<{ Params: { id: string } }>('/api/sessions/:id/lab', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req) =>
    labs.of(sessionOf(req)).progress(),
  );

  app.post<{ Params: { id: string; n: number }; Querystring: { lang?: string } }>(
    '/api/sessions/:id/lab/steps/:n/check',
    { schema: { params: stepParams, querystring: tokenLangQuery } },
    async (req) => {
      const sl = labs.of(sessionOf(req));
      return labs.translated(sl, await sl.check(req.params.n - 1), req.query.lang);
    },
  );

  app.post<{ Params: { id: string; n: number }; Body: { choice: number }; Querystring: { lang?: string } }>(
    '/api/sessions/:id/lab/steps/:n/predict',
    {
      schema: {
        params: stepParams,
        querystring: tokenLangQuery,
        body: { type: 'object', required: ['choice'], additionalProperties: false, properties: { choice: { type: 'integer', minimum: 0, maximum: 10 } } },
      },
    },
    async (req) => labs.predict(labs.of(sessionOf(req)), req.params.n, req.body.choice, req.query.lang),
  );

  // The progress of this session's learner across every lab (the lab list shows it). Authorized
  // by the session's token: the learner secret itself never travels in a URL.
  app.get<{ Params: { id: string } }>('/api/sessions/:id/progress', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req) =>
    labs.progressAcross(sessionOf(req).learner),
  );
}

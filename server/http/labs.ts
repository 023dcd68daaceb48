// Lab routes and the lab side of the session lifecycle: the catalog, a session's progress, step
// checks (on click and after each command), predictions, and setup / replay / cleanup hooks.
import type { FastifyInstance } from 'fastify';
import { IsoplayError } from '../errors.js';
import type { LabCatalog, Lab } from '../labs/catalog.js';
import { SessionLab, progressOf } from '../labs/session-lab.js';
import { type RouteContext, tokenOf } from './context.js';

function publicLab(lab: Lab) {
  const m = lab.manifest;
  return {
    id: lab.id,
    title: m.title,
    summary: m.summary,
    level: m.level,
    minutes: m.minutes,
    available: lab.available,
    reason: lab.reason,
    terminals: m.terminals,
    steps: lab.steps.map((s) => ({
      title: s.title,
      markdown: s.markdown,
      hints: s.hints,
      terminal: s.terminal,
      // The answer stays on the server until the learner has predicted.
      predict: s.predict ? { question: s.predict.question, options: s.predict.options } : undefined,
    })),
  };
}

export async function labRoutes(app: FastifyInstance, ctx: RouteContext, catalog: LabCatalog): Promise<void> {
  const store = ctx.progress;
  const labsOf = new Map<string, SessionLab>();

  const labOrThrow = (id: string): Lab => {
    const lab = catalog.get(id);
    if (!lab) throw new IsoplayError('ISOPLAY_ERR_LAB_NOT_FOUND', { id });
    return lab;
  };

  ctx.registry.addHooks({
    async beforeCreate(opts) {
      if (!opts.lab) return;
      const lab = labOrThrow(opts.lab);
      if (!lab.available) throw new IsoplayError('ISOPLAY_ERR_LAB_UNAVAILABLE', { id: lab.id, reason: lab.reason ?? '' });
      return {
        terminals: lab.manifest.terminals.map((t) => t.name),
        titles: Object.fromEntries(lab.manifest.terminals.filter((t) => t.title).map((t) => [t.name, t.title!])),
      };
    },
    async onSessionStart(s) {
      if (!s.lab) return;
      const sl = new SessionLab(s, labOrThrow(s.lab), store, ctx.config);
      labsOf.set(s.id, sl);
      const current = sl.progress().current;
      const req = (s as { resetStep?: number }).resetStep;
      await sl.prepare(Math.min(req ?? current, current));
      s.onActivity(() => {
        const p = sl.progress();
        if (!p.done) void sl.check(p.current, true).catch(() => undefined);
      });
    },
    async onSessionEnd(s) {
      const sl = labsOf.get(s.id);
      labsOf.delete(s.id);
      await sl?.cleanup();
    },
  });

  app.get('/api/labs', async () => ({
    labs: [...catalog.labs.values()].map((l) => {
      const { steps, ...rest } = publicLab(l);
      return { ...rest, stepCount: steps.length };
    }),
  }));

  app.get<{ Params: { id: string } }>('/api/labs/:id', async (req) => publicLab(labOrThrow(req.params.id)));

  const sessionLab = (id: string, headers: Record<string, string | string[] | undefined>, query: unknown): SessionLab => {
    const s = ctx.registry.authorize(id, tokenOf(headers, query));
    const sl = labsOf.get(s.id);
    if (!sl) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'this session runs no lab' });
    return sl;
  };

  app.get<{ Params: { id: string } }>('/api/sessions/:id/lab', async (req) => sessionLab(req.params.id, req.headers, req.query).progress());

  const stepParams = {
    type: 'object',
    properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 1, maximum: 1000 } },
    required: ['id', 'n'],
  };

  app.post<{ Params: { id: string; n: number } }>('/api/sessions/:id/lab/steps/:n/check', { schema: { params: stepParams } }, async (req) => {
    const sl = sessionLab(req.params.id, req.headers, req.query);
    return sl.check(req.params.n - 1);
  });

  app.post<{ Params: { id: string; n: number }; Body: { choice: number } }>(
    '/api/sessions/:id/lab/steps/:n/predict',
    {
      schema: {
        params: stepParams,
        body: { type: 'object', required: ['choice'], additionalProperties: false, properties: { choice: { type: 'integer', minimum: 0, maximum: 10 } } },
      },
    },
    async (req) => {
      const sl = sessionLab(req.params.id, req.headers, req.query);
      const step = sl.lab.steps[req.params.n - 1];
      if (!step?.predict) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: `step ${req.params.n} asks no prediction` });
      const correct = req.body.choice === step.predict.answer;
      store.savePrediction(sl.session.learner, sl.lab.id, req.params.n - 1, req.body.choice, correct);
      return { correct, answer: step.predict.answer, explain: step.predict.explain };
    },
  );

  // The progress of this session's learner across every lab (the lab list shows it). Authorized
  // by the session's token: the learner secret itself never travels in a URL.
  app.get<{ Params: { id: string } }>(
    '/api/sessions/:id/progress',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^s[a-z2-7]{10}$' } }, required: ['id'], additionalProperties: false } } },
    async (req) => {
      const s = ctx.registry.authorize(req.params.id, tokenOf(req.headers, req.query));
      const out: Record<string, { current: number; done: boolean; steps: number }> = {};
      for (const lab of catalog.labs.values()) {
        const p = progressOf(store, s.learner, lab);
        out[lab.id] = { current: p.current, done: p.done, steps: lab.steps.length };
      }
      return out;
    },
  );
}

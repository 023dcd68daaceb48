// Workshops: an instructor creates one and gets a join code for the room and an instructor key for
// the dashboard; learners join with the code and a name; the dashboard shows, for every learner,
// where they are (lab, step), whether they are connected, when they last ran a command, and their
// sandbox's memory and OOM kills, all from the server's live sessions and the progress database.
import type { FastifyInstance } from 'fastify';
import { IsoplayError } from '../errors.js';
import { JOIN_CODE_RE } from '../db/workshops.js';
import type { CgroupsMessage } from '../protocol/events.js';
import type { CreateWorkshopResponse, WorkshopDashboard, WorkshopLearner } from '../protocol/api.js';
import type { Session } from '../sessions/registry.js';
import { type RouteContext, tokenOf } from './context.js';

export async function workshopRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { workshops, registry, progress, catalog } = ctx;

  registry.addHooks({
    async beforeCreate(opts) {
      if (opts.workshop === undefined) return;
      if (!workshops.byCode(opts.workshop)) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_NOT_FOUND', { code: opts.workshop });
      if (!opts.name?.trim()) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'joining a workshop needs your name (field "name")' });
    },
    onSessionStart(s) {
      const w = s.workshop ? workshops.byCode(s.workshop) : undefined;
      if (w && s.displayName) workshops.join(w.id, s.learner, s.displayName.trim());
    },
  });

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
    async (req, reply) => {
      const w = workshops.create(req.body.title.trim());
      const res: CreateWorkshopResponse = { id: w.id, title: w.title, joinCode: w.joinCode, instructorKey: w.instructorKey };
      return reply.code(201).send(res);
    },
  );

  // What the join page shows before the learner types a name.
  app.get<{ Params: { code: string } }>('/api/workshops/join/:code', async (req) => {
    const code = req.params.code.toUpperCase();
    const w = JOIN_CODE_RE.test(code) ? workshops.byCode(code) : undefined;
    if (!w) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_NOT_FOUND', { code: req.params.code.slice(0, 16) });
    return { title: w.title, joinCode: w.joinCode };
  });

  const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^w[0-9a-f]{12}$' } }, required: ['id'] };

  // A learner asks for help (or withdraws it): shown on the instructor's dashboard.
  app.post<{ Params: { id: string }; Body: { on: boolean } }>(
    '/api/sessions/:id/help',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['on'], properties: { on: { type: 'boolean' } } } } },
    async (req) => {
      const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
      if (!s.workshop) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'this session is not in a workshop' });
      s.helpRequestedAt = req.body.on ? (s.helpRequestedAt ?? Date.now()) : undefined;
      return { helpRequestedAt: s.helpRequestedAt ?? null };
    },
  );

  // The instructor tells the room something: every live session of the workshop gets an event.
  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/workshops/:id/announce',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 300 } } },
      },
    },
    async (req) => {
      const w = workshops.authorize(req.params.id, tokenOf(req.headers, req.query));
      if (!w) throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id: req.params.id });
      const live = registry.list().filter((s) => s.workshop === w.joinCode);
      const at = Date.now();
      for (const s of live) s.bus.publish({ type: 'event', at, kind: 'announce', text: req.body.text });
      return { delivered: live.length };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/workshops/:id',
    { schema: { params: idParams } },
    async (req): Promise<WorkshopDashboard> => {
      const w = workshops.authorize(req.params.id, tokenOf(req.headers, req.query));
      if (!w) throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id: req.params.id });
      const live = registry.list().filter((s) => s.workshop === w.joinCode);
      const learners = workshops.members(w.id).map((m): WorkshopLearner => {
        const s = live.filter((x) => x.learner === m.learner).sort((a, b) => b.createdAt - a.createdAt)[0] as Session | undefined;
        const labId = s?.lab ?? progress.latestLab(m.learner);
        const lab = labId ? catalog.get(labId) : undefined;
        const passed = lab ? progress.passed(m.learner, lab.id).map((p) => p.step) : [];
        const current = lab?.steps.findIndex((_, i) => !passed.includes(i)) ?? -1;
        const cgroups = s?.bus.snapshot().find((x) => x.type === 'cgroups') as CgroupsMessage | undefined;
        const root = cgroups?.list.find((c) => c.path === '/');
        return {
          name: m.name,
          online: !!s && s.summary().terminals.some((t) => t.attached),
          sessionId: s?.id,
          lab: lab?.id,
          labTitle: lab?.manifest.title,
          passed: passed.length,
          steps: lab?.steps.length ?? 0,
          currentStep: lab && current >= 0 ? lab.steps[current].title : undefined,
          lastActivityAt: s?.lastActivityAt,
          memory: root ? { current: root.memory.current, max: root.memory.max } : undefined,
          oomKills: cgroups ? cgroups.list.reduce((n, c) => n + c.oomKills, 0) : undefined,
          helpRequestedAt: s?.helpRequestedAt,
        };
      });
      return { id: w.id, title: w.title, joinCode: w.joinCode, createdAt: w.createdAt, now: Date.now(), learners };
    },
  );
}

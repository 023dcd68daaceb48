// The kernel view's server side: one sampler per session (started and stopped with the session),
// their shared scheduler and worker thread (terminated when the server closes), and a REST snapshot
// of the current messages.
import type { FastifyInstance } from 'fastify';
import { Sampler, SamplerScheduler } from '../inspect/sampler.js';
import { type RouteContext, tokenOf } from './context.js';

export async function inspectRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const samplers = ctx.samplers;
  const scheduler = new SamplerScheduler(ctx.config.samplerHz, { log: app.log });
  ctx.registry.addHooks({
    onSessionStart(s) {
      if (!ctx.driver || !s.sandbox) return;
      const sampler = new Sampler(s, ctx.driver, scheduler);
      samplers.set(s.id, sampler);
      void sampler.start().catch((err) => app.log.warn({ err, session: s.id }, 'kernel view sampler failed to start'));
    },
    onSessionEnd(s) {
      samplers.get(s.id)?.stop();
      samplers.delete(s.id);
    },
  });
  app.addHook('onClose', async () => scheduler.close());

  app.get<{ Params: { id: string } }>('/api/sessions/:id/kernel', async (req) => {
    const s = ctx.registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    return { messages: s.bus.snapshot() };
  });
}

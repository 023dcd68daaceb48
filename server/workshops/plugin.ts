// Workshops as a named fastify plugin: `app.workshops`.
import fp from 'fastify-plugin';
import { WorkshopService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    workshops: WorkshopService;
  }
}

export const workshopsPlugin = fp(
  async (app) => {
    const workshops = new WorkshopService(app.stores.workshops, app.registry, app.labs);
    workshops.attach();
    app.decorate('workshops', workshops);
  },
  { name: 'isoplay-workshops', dependencies: ['isoplay-stores', 'isoplay-sessions', 'isoplay-labs'] },
);

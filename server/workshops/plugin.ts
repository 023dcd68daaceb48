// Workshops as a named fastify plugin: `app.workshops`.
import fp from 'fastify-plugin';
import { WorkshopService } from './service.js';
import { WorkshopShape } from './shape.js';
import { loadAdminKey, type AdminKey } from './admin-key.js';

declare module 'fastify' {
  interface FastifyInstance {
    workshops: WorkshopService;
    /** The workshop's shape: path, limit, times, end, kill switch, exports, capacity (shape.ts). */
    workshopShape: WorkshopShape;
    /** The server-wide instructor key that creating a workshop needs (admin-key.ts). */
    adminKey: AdminKey;
  }
}

export const workshopsPlugin = fp(
  async (app) => {
    const workshops = new WorkshopService(app.stores.workshops, app.registry, app.labs);
    workshops.attach();
    app.decorate('workshops', workshops);
    app.decorate('adminKey', loadAdminKey(app.config.instructorKey, app.config.dataDir));
    const shape = new WorkshopShape(app.stores.workshops, app.registry, app.labs, app.config, app.log);
    shape.attach();
    app.registry.addHooks({ onSessionStart: (s) => shape.watchHistory(s) });
    app.decorate('workshopShape', shape);
    app.addHook('onClose', async () => shape.close());
  },
  { name: 'isoplay-workshops', dependencies: ['isoplay-stores', 'isoplay-sessions', 'isoplay-labs'] },
);

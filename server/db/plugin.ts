// The SQLite stores (learner progress, workshops) as a named fastify plugin: `app.stores`. Registered
// first, so it closes last, after every session has ended.
import fp from 'fastify-plugin';
import { ProgressStore } from './progress.js';
import { WorkshopStore } from './workshops.js';

declare module 'fastify' {
  interface FastifyInstance {
    stores: { progress: ProgressStore; workshops: WorkshopStore };
  }
}

export const storesPlugin = fp(
  async (app) => {
    const stores = { progress: new ProgressStore(app.config.dataDir), workshops: new WorkshopStore(app.config.dataDir) };
    app.decorate('stores', stores);
    app.addHook('onClose', () => {
      stores.progress.close();
      stores.workshops.close();
    });
  },
  { name: 'isoplay-stores', dependencies: ['isoplay-core'] },
);

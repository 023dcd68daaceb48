// The kernel view as a named fastify plugin: `app.inspector`. Its worker thread stops when the server closes.
import fp from 'fastify-plugin';
import { InspectService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    inspector: InspectService;
  }
}

export const inspectPlugin = fp(
  async (app) => {
    const inspector = new InspectService(app.cgroupDriver, app.config.samplerHz, app.log);
    inspector.attach(app.registry);
    app.decorate('inspector', inspector);
    app.addHook('onClose', () => inspector.close());
  },
  { name: 'isoplay-inspect', dependencies: ['isoplay-core', 'isoplay-sessions'] },
);

// The labs service as a named fastify plugin: `app.labs` (the catalog is loaded here unless given).
import fp from 'fastify-plugin';
import { loadCatalog, vmUnavailable, type LabCatalog } from './catalog.js';
import { LabService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    labs: LabService;
  }
}

export const labsPlugin = fp<{ catalog?: LabCatalog }>(
  async (app, opts) => {
    const catalog = opts.catalog ?? (await loadCatalog(app.config.labsDir, { cgroupMode: app.cgroupDriver?.mode ?? null, vmMissing: vmUnavailable(undefined, app.config.vmLabs) }));
    const labs = new LabService(catalog, app.stores.progress, app.config, app.log);
    labs.attach(app.registry);
    app.decorate('labs', labs);
  },
  { name: 'isoplay-labs', dependencies: ['isoplay-core', 'isoplay-stores', 'isoplay-sessions'] },
);

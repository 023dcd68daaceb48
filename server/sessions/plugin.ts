// The session registry as a named fastify plugin: `app.registry`. When the server closes, every
// session ends before the websocket plugin drops the sockets (so the page gets 4010 "the server is
// shutting down", not a bare 1006): register this plugin before @fastify/websocket.
import fp from 'fastify-plugin';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { Registry } from './registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    registry: Registry;
  }
}

export const sessionsPlugin = fp<{ runtime: SandboxRuntime | undefined }>(
  async (app, opts) => {
    const registry = new Registry(app.config, opts.runtime, app.log);
    app.decorate('registry', registry);
    app.addHook('preClose', () => registry.close());
    app.addHook('onClose', () => registry.close());
  },
  { name: 'isoplay-sessions', dependencies: ['isoplay-core'] },
);

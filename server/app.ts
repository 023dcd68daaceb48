// buildApp(config, deps): registers every plugin and route and returns the instance without
// listening, so tests call inject() or listen on a random port themselves.
//
// Services are named plugins (fastify-plugin) with declared dependencies, each exposing itself as a
// decorator: isoplay-core (config, cgroupDriver, hosts) → isoplay-stores (SQLite) → isoplay-sessions
// (registry) → isoplay-labs, isoplay-inspect → isoplay-workshops. Routes (http/) come last and only
// map requests onto those services. Close order is the reverse of registration: sessions end
// before the stores close.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import type { Config } from './config.js';
import { isDiskFull, IsoplayError, isIsoplayError } from './errors.js';
import { createCgroupDriver, type DriverWithLayout } from './sandbox/cgroups/index.js';
import { createSandboxFactory } from './sandbox/index.js';
import type { SandboxRuntime } from './sandbox/runtime.js';
import type { LabCatalog } from './labs/catalog.js';
import { storesPlugin } from './db/plugin.js';
import { sessionsPlugin } from './sessions/plugin.js';
import { labsPlugin } from './labs/plugin.js';
import { inspectPlugin } from './inspect/plugin.js';
import { workshopsPlugin } from './workshops/plugin.js';
import { sessionRoutes } from './http/sessions.js';
import { socketRoutes } from './http/sockets.js';
import { labRoutes } from './http/labs.js';
import { inspectRoutes } from './http/inspect.js';
import { workshopRoutes } from './http/workshops.js';
import { followRoutes } from './http/follow.js';
import { workshopShapeRoutes } from './http/workshop-shape.js';
import { buildAllowList, type HostAllowList } from './http/host-allow.js';
import { registerEdgeGuard } from './http/edge-guard.js';
import { loggerOptions } from './http/log-redact.js';
import { healthRoutes, sessionChildLogger } from './http/health.js';
import { instrumentRuntime, type CreateHistory } from './metrics.js';

export interface AppDeps {
  driver?: DriverWithLayout;
  runtime?: SandboxRuntime;
  catalog?: LabCatalog;
  /** Where the log goes (default stdout); tests capture it to check what it does and does not say. */
  logStream?: { write(line: string): void };
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** The cgroup driver (undefined in host mode). */
    cgroupDriver: DriverWithLayout | undefined;
    /** The names this server answers to (Host and Origin checks). */
    hosts: HostAllowList;
    /** Every route (method and URL) as registered: the fuzz tests walk them all. */
    routeList: { method: string; url: string; websocket: boolean }[];
  }
}

export type IsoplayApp = FastifyInstance;

const corePlugin = fp<{ config: Config; driver: DriverWithLayout | undefined }>(
  async (app, opts) => {
    app.decorate('config', opts.config);
    app.decorate('cgroupDriver', opts.driver);
    app.decorate('hosts', buildAllowList(opts.config.allowedHosts, opts.config.host, os.hostname()));
  },
  { name: 'isoplay-core' },
);

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<IsoplayApp> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : loggerOptions(config.logLevel, deps.logStream),
    bodyLimit: 64 * 1024,
    childLoggerFactory: sessionChildLogger,
    // X-Forwarded-For / -Host are believed only from the proxies the operator named.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    // The router's own refusals (a URL it cannot decode, a path parameter over 100 characters) in
    // the same shape as every other error: a 4xx with an ISOPLAY_ERR code and a message.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      void (reply as unknown as FastifyReply).code(status).send({ code: 'ISOPLAY_ERR_BAD_REQUEST', message: `Bad request: ${err.message}` });
    },
  });
  const routeList: { method: string; url: string; websocket: boolean }[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routeList.push({ method, url: r.url, websocket: !!(r as { websocket?: boolean }).websocket });
  });
  let driver = deps.driver;
  let runtime = deps.runtime;
  if (config.mode === 'sandbox') {
    driver ??= await createCgroupDriver(config);
    if (!runtime) {
      const own = createSandboxFactory(config, driver);
      // A runtime made here is this app's: its instance claim goes when the app has ended its sessions.
      app.addHook('onClose', async () => own.instance.release());
      runtime = own;
    }
  }
  // Sandbox create/destroy timings and the last create's outcome, for /metrics and /readyz.
  const history: CreateHistory = {};
  if (runtime) instrumentRuntime(runtime, history);

  app.setErrorHandler((err, req, reply) => {
    if (isIsoplayError(err)) {
      if (err.status >= 500) req.log.error({ err }, err.message);
      if (err.retryAfterSec !== undefined) reply.header('retry-after', String(err.retryAfterSec));
      return reply.code(err.status).send(err.toJSON());
    }
    const e = err as { validation?: unknown; statusCode?: number; message: string; code?: string };
    if (e.validation || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e.statusCode && e.statusCode < 500)) {
      const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 400;
      return reply.code(status).send({ code: 'ISOPLAY_ERR_BAD_REQUEST', message: `Bad request: ${e.message}` });
    }
    if (isDiskFull(err)) {
      req.log.warn({ err }, 'disk full');
      return reply.code(507).send(new IsoplayError('ISOPLAY_ERR_DISK_FULL', { detail: `writing under ${config.dataDir}` }).toJSON());
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(new IsoplayError('ISOPLAY_ERR_INTERNAL', { detail: e.message }).toJSON());
  });

  await app.register(corePlugin, { config, driver: config.mode === 'sandbox' ? driver : undefined });
  await app.register(storesPlugin);
  // Before the websocket plugin: its preClose drops every socket, ours ends the sessions first.
  await app.register(sessionsPlugin, { runtime: config.mode === 'sandbox' ? runtime : undefined });
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    // A socket's 'error' is the client's fault (a frame over maxPayload, bad UTF-8, a protocol
    // violation: ws has already closed it with 1009/1007/1002), so it is logged at info, not as
    // the server's error a client could flood the log with; an exception thrown by one of our
    // handlers never reaches here (http/sockets.ts guards them, logs them and closes with 1011).
    errorHandler: (err, socket, req) => {
      req.log.info({ err: { message: err.message, code: (err as { code?: string }).code } }, 'websocket closed on a client error');
      socket.terminate();
    },
  });
  // Before every route, static file and socket, so none answers a foreign Host; but after the
  // websocket plugin's own onRequest hook, which marks an upgrade so that the socket of a refused
  // one is closed after the 403 (otherwise it stays open, and app.close() waits for it forever).
  registerEdgeGuard(app, app.hosts, config.allowedOrigins);
  // Only routes that ask for it (config.rateLimit) are limited: session creation.
  await app.register(rateLimit, { global: false });
  await app.register(labsPlugin, { catalog: deps.catalog });
  await app.register(inspectPlugin);
  await app.register(workshopsPlugin);
  await app.register(healthRoutes, { history });
  await app.register(async (scope) => {
    await scope.register(sessionRoutes);
    await scope.register(socketRoutes);
    await scope.register(labRoutes);
    await scope.register(inspectRoutes);
    await scope.register(workshopRoutes);
    await scope.register(followRoutes);
    await scope.register(workshopShapeRoutes);
  });

  const webRoot = config.webDir;
  if (fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'] });
  }
  if (fs.existsSync(path.join(webRoot, 'instructor.html'))) {
    app.get('/instructor', (_req, reply) => reply.type('text/html').sendFile('instructor.html'));
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || !fs.existsSync(path.join(webRoot, 'index.html'))) {
      return reply.code(404).send(new IsoplayError('ISOPLAY_ERR_NOT_FOUND', { detail: `${req.method} ${req.url.split('?')[0]}` }).toJSON());
    }
    // The page itself says "not found" with a way back (web/src/main.ts); the status says it too.
    return reply.code(404).type('text/html').sendFile('index.html');
  });

  return app;
}

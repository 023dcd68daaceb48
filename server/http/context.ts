// What route plugins receive: the config, the registry, the cgroup driver and the lab catalog.
import type { Config } from '../config.js';
import type { Registry } from '../sessions/registry.js';
import type { DriverWithLayout } from '../sandbox/cgroups/index.js';
import type { Sampler } from '../inspect/sampler.js';
import type { ProgressStore } from '../db/progress.js';
import type { WorkshopStore } from '../db/workshops.js';
import type { LabCatalog } from '../labs/catalog.js';
import type { HostAllowList } from './host-allow.js';

export interface RouteContext {
  config: Config;
  registry: Registry;
  driver: DriverWithLayout | undefined;
  /** The kernel view's samplers by session id (benchmarks stop them to measure their cost). */
  samplers: Map<string, Sampler>;
  catalog: LabCatalog;
  progress: ProgressStore;
  workshops: WorkshopStore;
  /** The names this server answers to (Host and Origin checks). */
  hosts: HostAllowList;
}

/** The bearer token from `Authorization: Bearer x` or, for WebSockets, `?token=x`. */
export function tokenOf(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const q = query as { token?: unknown } | undefined;
  return typeof q?.token === 'string' ? q.token : undefined;
}

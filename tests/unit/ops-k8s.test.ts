// deploy/k8s/ validated offline against the Kubernetes API schemas (kubernetes-models: each kind's
// JSON schema, checked with ajv), and against the playground's own rules: one privileged pod per
// node, probes on /healthz and /readyz, requests that match the configured capacity, a cookie (not a
// URI hash) pinning each browser to its node, and per-node host names for workshops.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1';
import { CONFIG_KEYS, loadConfig } from '../../server/config.js';

const DIR = path.resolve(__dirname, '../../deploy/k8s');
type Obj = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/Namespace': Namespace, 'v1/ConfigMap': ConfigMap, 'v1/Service': Service, 'apps/v1/DaemonSet': DaemonSet,
  'networking.k8s.io/v1/Ingress': Ingress, 'discovery.k8s.io/v1/EndpointSlice': EndpointSlice,
};

function docs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Obj).filter(Boolean);
}
const all: Obj[] = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(fs.readFileSync(path.join(DIR, f), 'utf8')));
const find = (kind: string, name = 'isoplay') => all.find((o) => o.kind === kind && o.metadata.name === name) as any;

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate();
}

/** Kubernetes quantity → number (bytes, or cores). */
function quantity(q: string): number {
  const m = /^([\d.]+)(Ki|Mi|Gi|Ti|m)?$/.exec(q)!;
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, m: 0.001 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

describe('deploy/k8s manifests', () => {
  it('every object is valid against its Kubernetes schema', () => {
    expect(all.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'DaemonSet', 'EndpointSlice', 'Ingress', 'Ingress', 'Namespace', 'Service', 'Service']);
    for (const o of all) expect(() => validate(o), `${o.kind} ${o.metadata.name}`).not.toThrow();
  });

  it('the validator refuses what the API server would (so the pass above means something)', () => {
    const ds = structuredClone(find('DaemonSet'));
    ds.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    expect(() => validate(ds)).toThrow(/containerPort must be integer/);
    const ing = structuredClone(find('Ingress'));
    delete ing.spec.rules[0].http.paths[0].pathType;
    expect(() => validate(ing)).toThrow(/pathType/);
  });

  it('one privileged playground per node, probed on /healthz and /readyz', () => {
    const ds = find('DaemonSet');
    const c = ds.spec.template.spec.containers[0];
    expect(c.securityContext.privileged).toBe(true);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.ports[0].hostPort).toBe(8080);
    expect(c.envFrom[0].configMapRef.name).toBe(find('ConfigMap', 'isoplay-config').metadata.name);
  });

  it('requests the memory and CPU the configured capacity can use', () => {
    const env = find('ConfigMap', 'isoplay-config').data as Record<string, string>;
    // The server's own parser reads the ConfigMap's values (a unit it does not know fails here).
    const config = loadConfig([], { ...env, ISOPLAY_SANDBOXES_CPUS: '1', ISOPLAY_SERVER_RESERVE: '64M' });
    const mem = config.limits.memoryBytes;
    const reserve = loadConfig([], { ISOPLAY_SERVER_RESERVE: env.ISOPLAY_SERVER_RESERVE }, {}).serverReserveBytes;
    const req = find('DaemonSet').spec.template.spec.containers[0].resources.requests;
    expect(quantity(req.memory)).toBe(config.maxSessions * mem + reserve);
    expect(quantity(req.cpu)).toBe(Number(env.ISOPLAY_SANDBOXES_CPUS) + 0.5);
    // Every variable is one the server reads.
    const known = new Set(CONFIG_KEYS.map((k) => k.env));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
  });

  it('pins a browser to its node with a cookie, never a hash of the URI', () => {
    const a = find('Ingress').metadata.annotations as Record<string, string>;
    expect(a['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(a['nginx.ingress.kubernetes.io/affinity-mode']).toBe('persistent');
    expect(Object.keys(a).some((k) => k.endsWith('upstream-hash-by'))).toBe(false);
    expect(find('Ingress').spec.rules[0].http.paths[0].backend.service.name).toBe(find('Service').metadata.name);
  });

  it('node-routes.sh makes one valid Service, EndpointSlice and Ingress per labelled node', () => {
    // kubectl's answer for two nodes (the jsonpath output the script asks for).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-kubectl-'));
    fs.writeFileSync(path.join(bin, 'kubectl'), '#!/bin/sh\nprintf "worker-1 10.0.3.4\\nworker-2 10.0.3.5\\n"\n', { mode: 0o755 });
    const out = execFileSync('bash', [path.join(DIR, 'node-routes.sh'), 'play.example.org'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    fs.rmSync(bin, { recursive: true });
    const objs = docs(out);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/isoplay-node-worker-1', 'EndpointSlice/isoplay-node-worker-1', 'Ingress/isoplay-node-worker-1',
      'Service/isoplay-node-worker-2', 'EndpointSlice/isoplay-node-worker-2', 'Ingress/isoplay-node-worker-2',
    ]);
    for (const o of objs) validate(o);
    const slice = objs[4] as any;
    expect([slice.endpoints[0].addresses[0], slice.endpoints[0].nodeName, slice.metadata.labels['kubernetes.io/service-name']]).toEqual(['10.0.3.5', 'worker-2', 'isoplay-node-worker-2']);
    expect((objs[5] as any).spec.rules[0].host).toBe('worker-2.play.example.org');
  });
});

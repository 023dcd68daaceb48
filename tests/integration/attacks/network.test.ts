// Attack: reach the server's port, the host's loopback or addresses, or another learner's services.
// What holds: each sandbox has a network namespace of its own holding only lo (no route out), so
// 127.0.0.1 inside is its own, and nothing else is reachable.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { sh } from '../../helpers/sandbox.js';
import type { Sandbox } from '../../../server/sandbox/spec.js';

let srv: TestServer;
let a: Sandbox;
let b: Sandbox;
beforeAll(async () => {
  srv = await startServer();
  const [sa, sb] = [await createSession(srv.base), await createSession(srv.base)];
  a = srv.app.registry.get(sa.id)!.sandbox!;
  b = srv.app.registry.get(sb.id)!.sandbox!;
});
afterAll(async () => srv.close());

const tcp = (host: string, port: number) => `timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo "OPEN ${host}:${port}" || echo "closed ${host}:${port}"`;

describe('attack: the network', () => {
  it('the server\'s port and the host\'s loopback are not reachable', async () => {
    const port = Number(new URL(srv.base).port);
    const r = await sh(a, [tcp('127.0.0.1', port), tcp('localhost', port), tcp('127.0.0.53', 53)].join('; '));
    expect(r.stdout).not.toContain('OPEN');
    expect(r.stdout.match(/closed/g)?.length).toBe(3);
  });

  it('the host\'s own addresses are not reachable: there is no route out', async () => {
    const addrs = Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    const port = Number(new URL(srv.base).port);
    const r = await sh(a, `ip route | wc -l; ${addrs.map((h) => tcp(h, port)).join('; ')}; ping -c1 -W1 ${addrs[0] ?? '192.0.2.1'} >/dev/null 2>&1 && echo PING || echo no-ping`);
    expect(r.stdout.split('\n')[0].trim()).toBe('0');
    expect(r.stdout).not.toContain('OPEN');
    expect(r.stdout).toContain('no-ping');
  });

  it('another learner\'s service is not reachable, even on the same port number', async () => {
    await sh(b, '{ python3 -m http.server 8080 --bind 127.0.0.1 & } </dev/null >/dev/null 2>&1; sleep 1');
    const inB = await sh(b, tcp('127.0.0.1', 8080));
    expect(inB.stdout).toContain('OPEN'); // B's service is up: A's refusal below is not trivial
    const inA = await sh(a, tcp('127.0.0.1', 8080));
    expect(inA.stdout).toContain('closed');
  });
});

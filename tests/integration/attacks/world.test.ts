// The sandbox's "internet" (server/sandbox/world.ts): a world netns inside the sandbox's own user
// namespace, with a web server and DNS. It must work end to end (DNS, routing, NAT of a nested
// container, a published port) and reach nothing else: not the host, not the server, not another
// learner's sandbox or world; and it must leave nothing in the host's network namespace.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { sh } from '../../helpers/sandbox.js';
import type { Sandbox } from '../../../server/sandbox/spec.js';
import { WORLD } from '../../../server/sandbox/world.js';

let srv: TestServer;
let a: Sandbox;
let b: Sandbox;
let hostLinksBefore: string;
const hostLinks = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((l) => l.split(':')[1]?.trim()).filter(Boolean).sort().join(' ');
beforeAll(async () => {
  hostLinksBefore = hostLinks();
  srv = await startServer({ world: true });
  const [sa, sb] = [await createSession(srv.base), await createSession(srv.base)];
  a = srv.app.registry.get(sa.id)!.sandbox!;
  b = srv.app.registry.get(sb.id)!.sandbox!;
});
let closed = false;
afterAll(async () => {
  if (!closed) await srv?.close();
});

const tcp = (host: string, port: number) => `timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo "OPEN ${host}:${port}" || echo "closed ${host}:${port}"`;

describe('the sandbox\'s internet', () => {
  it('a name resolves through its DNS and its web server answers over the default route', async () => {
    const r = await sh(a, `ip route; getent hosts ${WORLD.web.name}; curl -s --max-time 5 http://${WORLD.web.name}/`);
    expect(r.stdout).toContain(`default via ${WORLD.gateway} dev eth0`);
    expect(r.stdout).toContain(`${WORLD.web.address}    ${WORLD.web.name}`);
    expect(r.stdout).toContain('Hello from the internet');
  });

  it('a container inside reaches it through MASQUERADE, and a port published with DNAT is reached from the world', async () => {
    const r = await sh(
      a,
      `set -e
ip netns add c1
ip link add veth-c1 type veth peer name eth0 netns c1
ip addr add 10.0.0.1/24 dev veth-c1; ip link set veth-c1 up
ip -n c1 addr add 10.0.0.2/24 dev eth0; ip -n c1 link set eth0 up; ip -n c1 link set lo up; ip -n c1 route add default via 10.0.0.1
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
ip netns exec c1 curl -s --max-time 5 http://${WORLD.web.address}/ | grep -o 'Hello from the internet'
mkdir -p /tmp/c1www; echo published-page > /tmp/c1www/index.html
{ ip netns exec c1 busybox httpd -f -p 80 -h /tmp/c1www & } </dev/null >/dev/null 2>&1
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80
for i in $(seq 50); do ip netns exec world curl -s --max-time 2 http://${WORLD.sandboxAddress}:8080/ && break; sleep 0.1; done
conntrack_seen=$(grep -c 'dport=8080' /proc/net/nf_conntrack 2>/dev/null || echo n/a); echo "conntrack:$conntrack_seen"`,
      30_000,
    );
    expect(r.stdout, r.stderr).toContain('Hello from the internet');
    expect(r.stdout, r.stderr).toContain('published-page');
  });

  it('reaches nothing else: not the server, not the host, not another sandbox\'s world', async () => {
    const port = Number(new URL(srv.base).port);
    const addrs = Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    // B serves on its own sandbox address; from A the same address is A's own, and closed.
    await sh(b, `mkdir -p /tmp/bweb; { busybox httpd -f -p ${WORLD.sandboxAddress}:9999 -h /tmp/bweb & } </dev/null >/dev/null 2>&1; sleep 0.3`);
    const r = await sh(a, [tcp('127.0.0.1', port), ...addrs.map((h) => tcp(h, port)), tcp(WORLD.sandboxAddress, 9999), `ip netns exec world sh -c '${addrs.map((h) => tcp(h, port)).join('; ').replace(/'/g, `'"'"'`)}'`].join('; '));
    expect(r.stdout).not.toContain('OPEN');
    expect(r.stdout.match(/closed/g)?.length).toBe(2 + 2 * addrs.length);
    expect((await sh(b, tcp(WORLD.sandboxAddress, 9999))).stdout).toContain('OPEN');
  });

  it('a learner who breaks its world breaks only its own: the other sandbox still resolves and fetches', async () => {
    await sh(a, 'ip link del eth0; pkill -f dnsmasq || true');
    const mine = await sh(a, `curl -s --max-time 2 http://${WORLD.web.name}/ || echo unreachable`);
    expect(mine.stdout).toContain('unreachable');
    const theirs = await sh(b, `curl -s --max-time 5 http://${WORLD.web.name}/`);
    expect(theirs.stdout).toContain('Hello from the internet');
  });

  it('leaves nothing in the host\'s network namespace, during or after', async () => {
    expect(hostLinks()).toBe(hostLinksBefore);
    await srv.close();
    closed = true;
    expect(hostLinks()).toBe(hostLinksBefore);
  });
});

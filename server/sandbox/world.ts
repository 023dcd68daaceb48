// The sandbox's "internet": a network namespace of its own, made inside the sandbox's user
// namespace (so it can never reach the host, the server or another sandbox), joined to the sandbox
// by a veth pair with a default route, holding a web server and a DNS server at documentation
// addresses (RFC 5737). NAT, port publishing and DNS lessons then work end to end. It is made by
// the sandbox's own root (the script below runs inside, like a learner's command), so the learner
// can change it too: lab checks judge the sandbox's side (rules, routes, conntrack), never only the
// world's answers.
//
//   sandbox netns                 world netns (/run/netns/world)
//   eth0 192.0.2.2/24  <-veth->   eth0 192.0.2.1/24 (the gateway)
//   default via 192.0.2.1         lo: 203.0.113.80 www.example.test (busybox httpd :80)
//                                 lo: 198.51.100.53 the DNS server (dnsmasq :53)

export const WORLD = {
  sandboxAddress: '192.0.2.2',
  gateway: '192.0.2.1',
  web: { name: 'www.example.test', address: '203.0.113.80' },
  dns: '198.51.100.53',
} as const;

/** Run inside a fresh sandbox as its root. Every process it leaves is the sandbox's (its init reaps them). */
export const WORLD_SCRIPT = `set -eu
ip netns add world
# Two batches instead of ten ip processes: a fork costs a lot where the CPU is emulated (the v2 VM).
ip -batch - <<'B'
link add eth0 type veth peer name eth0 netns world
addr add ${WORLD.sandboxAddress}/24 dev eth0
link set eth0 up
route add default via ${WORLD.gateway}
B
ip -n world -batch - <<'B'
link set lo up
addr add ${WORLD.gateway}/24 dev eth0
link set eth0 up
addr add ${WORLD.web.address}/32 dev lo
addr add ${WORLD.dns}/32 dev lo
B
mkdir -p /run/world/www
printf '<!doctype html><title>example.test</title><h1>Hello from the internet</h1><p>You reached ${WORLD.web.name} (${WORLD.web.address}), a web server in your sandbox'"'"'s own little internet.</p>\\n' > /run/world/www/index.html
{ ip netns exec world busybox httpd -f -p 80 -h /run/world/www & } </dev/null >/dev/null 2>&1
if command -v dnsmasq >/dev/null; then
  printf '%s %s example.test\\n%s dns.example.test\\n' ${WORLD.web.address} ${WORLD.web.name} ${WORLD.dns} > /run/world/hosts
  { ip netns exec world dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts=/run/world/hosts --listen-address=${WORLD.dns} --bind-interfaces --user=root --group=root --pid-file= & } </dev/null >/dev/null 2>&1
  printf 'nameserver ${WORLD.dns}\\nsearch example.test\\n' > /etc/resolv.conf
else
  printf '${WORLD.web.address}\\t${WORLD.web.name} example.test\\n' >> /etc/hosts
fi
`;

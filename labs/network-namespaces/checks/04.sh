# Kernel check (host side, in the sandbox's network namespace): a listener on port 80 in c2 (the
# host's ss, run in c2 by in_netns of checks/lib.sh), the DNAT rule (the host's iptables), c2's way
# back, and then a request of its own from the world namespace to 192.0.2.2:8080, which must make
# the DNAT rule's packet counter grow: the answer came through the sandbox's rule, not from a
# server the learner put into the world.
need_netns c2 no-c2 "There is no network namespace called c2 any more: go back to the bridge step."
in_netns c2 ss -Hltn 'sport = :80' 2>/dev/null | grep -q . \
  || fail no-server "Nothing listens on TCP port 80 in c2: start a web server there, ip netns exec c2 busybox httpd -p 80 -h /srv/c2."
gw=$(in_netns c2 ip -j route show default | jq -r '.[0].gateway // empty')
[ "$gw" != "10.0.0.1" ] && fail no-return-route "c2 has no default route, so its answers cannot find their way back to the world: run ip -n c2 route add default via 10.0.0.1."

# The DNAT rule and its packet counter (iptables -v -x: pkts bytes target prot opt in out source destination ...).
dnat_pkts() {
  iptables -w 2 -t nat -L PREROUTING -v -n -x 2>/dev/null \
    | awk '$3 == "DNAT" && / dpt:8080 / && / to:10\.0\.0\.3:80( |$)/ { print $1; exit }'
}
before=$(dnat_pkts)
[ -z "$before" ] && fail no-dnat "The sandbox's nat table has no rule sending TCP port 8080 to 10.0.0.3:80: run iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.3:80."
need_netns world no-world "The world namespace (/run/netns/world) is gone, so nobody can knock on 192.0.2.2:8080: start a new session."
code=$(in_netns world curl --noproxy '*' -s -m 4 -o /dev/null -w '%{http_code}' http://192.0.2.2:8080/ 2>/dev/null)
after=$(dnat_pkts)
[ "$code" != "200" ] && fail unreachable "The rule is there, but a request from the world to 192.0.2.2:8080 got ${code:-no answer}: is ip_forward still 1, and does c2's server answer (ip netns exec c1 curl http://10.0.0.3/)?"
[ "${after:-0}" -le "$before" ] && fail not-dnatted "The world got an answer on 192.0.2.2:8080, but not through your DNAT rule (its counter stayed at $before): is something else answering there?"
pass "Port 8080 of the sandbox is published: the world's request to 192.0.2.2:8080 was rewritten to 10.0.0.3:80 by your DNAT rule (counted $after connections) and answered by the server in c2."

# Kernel check (host side, in the sandbox's network namespace). It judges the sandbox's own state,
# never only the world's answer (the world netns is the learner's to change): ip_forward, the
# MASQUERADE rule (read with the host's iptables), c1's default route (through in_netns of
# checks/lib.sh).
# Then it sends a request of its own from c1 and requires the MASQUERADE rule's packet counter to
# grow: the request really left through the sandbox's NAT, not through a fake server or a rule
# added and deleted again.
need_netns c1 no-c1 "There is no network namespace called c1 any more: go back to the first steps."
gw=$(in_netns c1 ip -j route show default | jq -r '.[0].gateway // empty')
[ "$gw" != "10.0.0.1" ] && fail no-default-route "c1 has no default route through the bridge${gw:+ (its default goes via $gw)}: run ip -n c1 route add default via 10.0.0.1."
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "1" ] || fail no-forwarding "The sandbox does not forward packets between its interfaces (net.ipv4.ip_forward is 0): run sysctl -w net.ipv4.ip_forward=1."

# The MASQUERADE rule and its packet counter (iptables -v -x: pkts bytes target prot opt in out source destination).
masq_pkts() {
  iptables -w 2 -t nat -L POSTROUTING -v -n -x 2>/dev/null \
    | awk '$3 == "MASQUERADE" && $7 == "eth0" && $8 == "10.0.0.0/24" { print $1; exit }'
}
before=$(masq_pkts)
[ -z "$before" ] && fail no-masquerade "The sandbox's nat table has no rule that masquerades 10.0.0.0/24 going out of eth0: run iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE."
code=$(in_netns c1 curl --noproxy '*' -s -m 4 -o /dev/null -w '%{http_code}' http://203.0.113.80/ 2>/dev/null)
after=$(masq_pkts)
[ "$code" != "200" ] && fail no-internet "The rules are there, but a request from c1 to 203.0.113.80 got no answer (${code:-no reply}): look at ip -n c1 route, ip netns exec c1 ping 192.0.2.1 and iptables -t nat -L -v -n."
[ "${after:-0}" -le "$before" ] && fail not-masqueraded "c1 got an answer from 203.0.113.80, but not through your MASQUERADE rule (its counter stayed at $before packets): does c1 reach the internet some other way?"
pass "c1 reaches the internet: its packets go via 10.0.0.1, the sandbox forwards them and the MASQUERADE rule rewrites 10.0.0.2 into 192.0.2.2 (the rule has counted $after new connections)."

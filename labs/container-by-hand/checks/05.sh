# Kernel check: the started container (the same tests as the previous step) has an interface with
# an address and a default route in its own network namespace (the host's ip through nsenter -n);
# the sandbox forwards (ip_forward, read in the sandbox's netns) and masquerades (the host's
# iptables in the sandbox's netns, or a masquerade in nft's ruleset). Then the check sends a
# request of its own from the container's netns with the host's curl, and requires an iptables
# MASQUERADE counter to grow when there is such a rule: the answer came through the sandbox's NAT,
# not from an address faked inside the container's namespace.
# The container is found and judged by judge and best (checks/lib.sh).
started_container
p=$PASS_PID; i=$(inner_pid "$p")
in_c() { nsenter -t "$p" -n "$@"; }
links=$(in_c ip -o link show 2>/dev/null | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }')
[ -z "$links" ] && fail no-interface "The container's network namespace has only lo: ip link add veth-box type veth peer name eth0 netns \$C (C is its PID: $i)."
addr=$(in_c ip -4 -o addr show scope global 2>/dev/null | awk '{ print $4; exit }')
[ -z "$addr" ] && fail no-address "The container has $(echo $links) but no IPv4 address on it: nsenter -t $i -n ip addr add 10.200.0.2/24 dev eth0 (and ip addr add 10.200.0.1/24 dev veth-box on your side)."
gw=$(in_c ip route show default 2>/dev/null | head -n 1 | sed "s/ *$//")
[ -z "$gw" ] && fail no-default-route "The container has $addr but no default route: nsenter -t $i -n ip link set eth0 up, then nsenter -t $i -n ip route add default via 10.200.0.1"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail no-forwarding "The sandbox does not forward packets between its interfaces (net.ipv4.ip_forward is 0): sysctl -w net.ipv4.ip_forward=1"
in_c ip route get 203.0.113.80 2>/dev/null | grep -q '^local' && fail fake-internet "203.0.113.80 is an address of the container's own namespace: remove it, the container must reach the real one through the sandbox."
masq_pkts() {
  iptables -w 2 -t nat -L POSTROUTING -v -n -x 2>/dev/null | awk '$3 == "MASQUERADE" { n += $1; f = 1 } END { if (f) print n }'
}
before=$(masq_pkts)
if [ -z "$before" ] && ! nft list ruleset 2>/dev/null | grep -qw masquerade; then
  fail no-masquerade "The sandbox has no MASQUERADE rule: the world cannot answer 10.200.0.x. Run iptables -t nat -A POSTROUTING -s 10.200.0.0/24 -o eth0 -j MASQUERADE"
fi
body=$(in_c curl --noproxy '*' -s -m 4 http://203.0.113.80/ 2>/dev/null | head -c 2000)
case "$body" in *"Hello from the internet"*) ;; *)
  fail no-internet "The container ($addr, $gw) gets no answer from http://203.0.113.80/: are eth0 and veth-box both up (ip link), and does nsenter -t $i -n ping -c1 10.200.0.1 answer?" ;;
esac
after=$(masq_pkts)
if [ -n "$before" ] && [ "${after:-0}" -le "$before" ]; then
  fail not-masqueraded "The container got an answer, but not through your MASQUERADE rule (its counter stayed at $before): does it reach 203.0.113.80 some other way?"
fi
pass "From the container's own $(readlink "/proc/$p/ns/net"): address $addr, $gw; the sandbox forwards and masquerades, and http://203.0.113.80/ answered 'Hello from the internet'."

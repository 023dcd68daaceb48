# Kernel check: two catalog replicas (httpd processes) run in two distinct network namespaces, each
# with an address and listening on port 8080; the shop's network namespace holds DNAT rules for the
# virtual address 10.0.0.10 that lead to both; and when this check itself sends a few requests to
# 10.0.0.10:8080 from the shop's network namespace, the kernel's packet counters of rules leading to
# both replicas grow (so counters set by hand, or one replica answering on two addresses, fail).

# nat_rules PID: "PKTS TARGET-IP" per DNAT rule for 10.0.0.10 in PID's network namespace (nft and
# legacy iptables both read, so either backend the learner's iptables uses is seen).
nat_rules() {
  { nsenter -t "$1" -n iptables-nft-save -c -t nat 2>/dev/null; nsenter -t "$1" -n iptables-legacy-save -c -t nat 2>/dev/null; } |
    sed -n 's/^\[\([0-9]*\):[0-9]*\] -A OUTPUT .*-d 10\.0\.0\.10\(\/32\)\? .*-j DNAT --to-destination \([0-9.]*\).*/\1 \3/p'
}
VIP=10.0.0.10

procs=$(sandbox_procs)
cats=$(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog(-v2)?$')
set -- $cats
[ $# -ge 2 ] || fail one-replica "Only $# catalog replica runs: start a second one in a network namespace of its own (catalog3, 10.0.0.5)."
for c in $cats; do own_container "$c" "catalog replica"; done
nets=$(for c in $cats; do readlink "/proc/$c/ns/net"; done | sort -u | wc -l)
[ "$nets" -ge 2 ] || fail same-network "The $# catalog replicas share one network namespace: each replica needs a container of its own (ip netns add catalog3 ...)."
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')
shop=$1
[ -n "$shop" ] || fail no-shop "The shop is gone: start it again as in step 2."
rules=$(nat_rules "$shop")
[ -n "$rules" ] || fail no-balancer "The shop's network namespace has no DNAT rule for $VIP yet: add the two iptables rules of this page with ip netns exec shop."
# replica_of IP: the host pid of the listening catalog replica whose network namespace has IP.
replica_of() { local c; for c in $cats; do has_addr "$c" "$1" && listens "$c" 8080 && { echo "$c"; return; }; done; }
declare -A net_of
for ip in $(awk '{print $2}' <<< "$rules" | sort -u); do
  c=$(replica_of "$ip")
  [ -n "$c" ] || fail target-not-replica "A DNAT rule for $VIP leads to $ip, but no catalog replica listens on port 8080 at that address."
  net_of[$ip]=$(readlink "/proc/$c/ns/net")
done
targets=$(printf '%s\n' "${net_of[@]}" | sort -u | wc -l)
[ "$targets" -ge 2 ] || fail same-replica "The DNAT rules for $VIP lead to $(printf '%s ' "${!net_of[@]}")but all to one replica's network namespace: point them at two replicas."
before=$rules
for _ in 1 2 3 4; do
  out=$(nsenter -t "$shop" -n curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" "http://$VIP:8080/api/items" | head -c 300)
  [[ $out == *'"service":"catalog"'* ]] || fail not-balanced "From the shop's network namespace, $VIP:8080 did not answer like a catalog (${out:-nothing})."
done
after=$(nat_rules "$shop")
# Namespaces whose rules' counters grew during the check's own requests.
grew=$(paste -d ' ' <(echo "$before") <(echo "$after") | awk '$3 > $1 { print $4 }' | sort -u)
hit=$(for ip in $grew; do echo "${net_of[$ip]}"; done | sort -u | grep -c .)
[ "$hit" -ge 2 ] || fail not-balanced "Four requests to $VIP went through the DNAT rules to only $(echo $grew | wc -w) replica(s) ($(echo $grew)): make the first rule take every second connection (-m statistic --mode nth --every 2 --packet 0)."
order=$(curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
case $order in
  *"at $VIP)"*) pass "Four requests to $VIP were balanced by the kernel over replicas at $(echo $grew) ($(echo $(awk '{print $2": "$1" packets"}' <<< "$after" | paste -sd, -))), and the shop uses it: $order" ;;
esac
fail shop-not-balanced "The balancer works, but the shop does not use it yet (it said: ${order:-nothing}): echo $VIP > /srv/shop/catalog-endpoints"

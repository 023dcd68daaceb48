# Kernel check: two catalog replicas (httpd processes) run in two distinct network namespaces, each
# with an address and listening on port 8080; the shop's network namespace holds DNAT rules for the
# virtual address 10.0.0.10 that lead to both; and when this check itself sends a few requests to
# 10.0.0.10:8080 from the shop's network namespace, the kernel's packet counters of rules leading to
# both replicas grow (so counters set by hand, or one replica answering on two addresses, fail).

# sandbox_procs: one line "HOSTPID DEPTH INNERPID OWNPID" per process of the sandbox, read in one pass
# over the HOST's /proc (DEPTH and INNERPID as ns_depth and inner_pid give them; OWNPID is its pid in
# its own, innermost PID namespace). session_pids costs two processes per pid: a check stays quick.
sandbox_procs() {
  find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un | sed 's|.*|/proc/&/status|' |
    xargs -r grep -H '^NSpid:' 2>/dev/null |
    awk '{ n = split($0, w, /[ \t]+/); sub(/^\/proc\//, "", w[1]); sub(/\/.*/, "", w[1]); if (n > 2) print w[1], n - 2, w[3], w[n] }'
}
# service_pids REGEX: host pids of the sandbox's processes ($procs) whose command line, read on the
# host's side (arguments joined by spaces), matches the extended regular expression REGEX.
service_pids() {
  local pid rest args
  while read -r pid rest; do
    [ -n "$pid" ] || continue
    mapfile -d '' -t args 2>/dev/null < "/proc/$pid/cmdline" || continue
    [[ "${args[*]}" =~ $1 ]] && echo "$pid"
  done <<< "$procs"
  return 0
}
# depth_of PID and inner_of PID: its pid namespace depth and its pid in the sandbox, from $procs.
depth_of() { local p d i o; while read -r p d i o; do [ "$p" = "$1" ] && echo "$d"; done <<< "$procs"; }
inner_of() { local p d i o; while read -r p d i o; do [ "$p" = "$1" ] && echo "$i"; done <<< "$procs"; }
# has_addr PID IP: the kernel gave IP to an interface of PID's network namespace.
has_addr() { nsenter -t "$1" -n ip -4 -o addr show 2>/dev/null | grep -qF " inet $2/"; }
# own_container PID NAME: fails unless PID has a network and a PID namespace of its own.
own_container() {
  if [ "/proc/$1/ns/net" -ef "/proc/$ISOPLAY_INIT_PID/ns/net" ]; then
    fail shared-network "The $2 (PID $(inner_of "$1")) runs in the sandbox's own network namespace: start it with ip netns exec, as on this page."
  fi
  if [ "$(depth_of "$1")" = 1 ]; then
    fail shared-pid-namespace "The $2 (PID $(inner_of "$1")) has a network namespace of its own but shares the sandbox's PID namespace: start it with unshare --pid --fork --mount-proc."
  fi
}

# listens PID PORT: PID itself holds the TCP socket listening on PORT in its network namespace (the
# socket's inode, from ss, among PID's open files).
listens() {
  local out
  out=$(nsenter -t "$1" -n ss -Hltne "sport = :$2" 2>/dev/null)
  [[ $out =~ ino:([0-9]+) ]] || return 1
  [ -n "$(find "/proc/$1/fd" -lname "socket:\\[${BASH_REMATCH[1]}\\]" -print -quit 2>/dev/null)" ]
}
# own_container PID NAME: fails unless PID has a network and a PID namespace of its own.
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
  out=$(nsenter -t "$shop" -n curl -s -m 3 "http://$VIP:8080/api/items" | head -c 300)
  [[ $out == *'"service":"catalog"'* ]] || fail not-balanced "From the shop's network namespace, $VIP:8080 did not answer like a catalog (${out:-nothing})."
done
after=$(nat_rules "$shop")
# Namespaces whose rules' counters grew during the check's own requests.
grew=$(paste -d ' ' <(echo "$before") <(echo "$after") | awk '$3 > $1 { print $4 }' | sort -u)
hit=$(for ip in $grew; do echo "${net_of[$ip]}"; done | sort -u | grep -c .)
[ "$hit" -ge 2 ] || fail not-balanced "Four requests to $VIP went through the DNAT rules to only $(echo $grew | wc -w) replica(s) ($(echo $grew)): make the first rule take every second connection (-m statistic --mode nth --every 2 --packet 0)."
order=$(curl -s -m 5 http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
case $order in
  *"at $VIP)"*) pass "Four requests to $VIP were balanced by the kernel over replicas at $(echo $grew) ($(echo $(awk '{print $2": "$1" packets"}' <<< "$after" | paste -sd, -))), and the shop uses it: $order" ;;
esac
fail shop-not-balanced "The balancer works, but the shop does not use it yet (it said: ${order:-nothing}): echo $VIP > /srv/shop/catalog-endpoints"

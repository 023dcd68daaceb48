# Kernel check: version 1 is gone from the sandbox's processes, version 2 runs in a network and a
# PID namespace of its own with the address 10.0.0.4, and the shop answers with version 2's data.

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

procs=$(sandbox_procs)
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog$')
v1=$1
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog-v2$')
v2=$1
if [ -n "$v1" ]; then
  [ -n "$v2" ] || fail no-v2 "Version 1 still runs, and version 2 does not yet: start catalog-v2 at 10.0.0.4."
  fail v1-running "Version 2 runs (PID $(inner_of "$v2")). Now point the shop at it, then stop version 1."
fi
[ -n "$v2" ] || fail no-v2 "No catalog runs at all: start catalog-v2 in its own namespace at 10.0.0.4."
own_container "$v2" catalog-v2
has_addr "$v2" 10.0.0.4 || fail no-address "catalog-v2 (PID $(inner_of "$v2")) runs in a network namespace without the address 10.0.0.4: ip -n catalog2 addr add 10.0.0.4/24 dev eth0"
[ -n "$(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')" ] || fail no-shop "The shop is gone: start it again as in the last step."
out=$(curl -s -m 5 http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
case $out in
  *'(catalog v2 at 10.0.0.4)'*) pass "Deployed without touching the shop: $out" ;;
esac
fail shop-not-updated "The shop does not reach version 2 yet (it said: ${out:-nothing}). Is 10.0.0.4 in /srv/shop/catalog-endpoints?"

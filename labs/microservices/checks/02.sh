# Kernel check: the shop's httpd has a network namespace of its own (neither the sandbox's nor a
# catalog's) and a PID namespace of its own, and its API answers with data from a catalog container
# that really has the address the shop names.

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
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')
shop=$1
[ -n "$shop" ] || fail no-shop "No shop service runs yet: start busybox httpd -f -p 8080 -h /srv/shop in the shop namespace."
own_container "$shop" shop
cats=$(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog(-v2)?$')
for c in $cats; do
  if [ "/proc/$shop/ns/net" -ef "/proc/$c/ns/net" ]; then
    fail shared-network "The shop (PID $(inner_of "$shop")) shares the catalog's network namespace: give it one of its own (ip netns add shop ...)."
  fi
done
has_addr "$shop" 10.0.0.3 || fail no-address "The shop (PID $(inner_of "$shop")) runs in a network namespace without the address 10.0.0.3: ip -n shop addr add 10.0.0.3/24 dev eth0"
[ -n "$cats" ] || fail no-catalog "The shop runs, but no catalog does: it has nobody to ask. Start the catalog as in the last step."
out=$(curl -s -m 5 http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
[ -n "$out" ] || fail not-reachable "Nothing answers at 10.0.0.3:8080: is the shop's eth0 up, and veth-shop on br0 and up?"
[[ $out =~ \(catalog\ v[0-9]+\ at\ ([0-9.]+)\) ]] || fail catalog-unreachable "The shop answers, but could not reach the catalog: $out"
ip=${BASH_REMATCH[1]}
for c in $cats; do
  has_addr "$c" "$ip" && pass "Two containers talking over an API: $out"
done
fail catalog-unreachable "The shop says it reached a catalog at $ip, but no catalog container has that address."

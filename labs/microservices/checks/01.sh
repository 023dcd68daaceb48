# Kernel check: the catalog's httpd, found among the sandbox's processes on the host's side, has a
# network and a PID namespace of its own, holds the socket listening on port 8080 in a namespace
# whose interface has 10.0.0.2, and its API answers there (curl runs in the sandbox's network).

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
# listens PID PORT: PID itself holds the TCP socket listening on PORT in its network namespace (the
# socket's inode, from ss, among PID's open files).
listens() {
  local out
  out=$(nsenter -t "$1" -n ss -Hltne "sport = :$2" 2>/dev/null)
  [[ $out =~ ino:([0-9]+) ]] || return 1
  [ -n "$(find "/proc/$1/fd" -lname "socket:\\[${BASH_REMATCH[1]}\\]" -print -quit 2>/dev/null)" ]
}
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
pid=$1
[ -n "$pid" ] || fail no-catalog "No catalog service runs yet: start busybox httpd -f -p 8080 -h /srv/catalog in its namespace, as on this page."
own_container "$pid" catalog
has_addr "$pid" 10.0.0.2 || fail no-address "The catalog (PID $(inner_of "$pid")) runs in a network namespace without the address 10.0.0.2: ip -n catalog addr add 10.0.0.2/24 dev eth0"
listens "$pid" 8080 || fail not-listening "The catalog (PID $(inner_of "$pid")) does not listen on port 8080 in its network namespace."
out=$(curl -s -m 3 http://10.0.0.2:8080/api/items | head -n 1 | head -c 300)
case $out in
  *'"service":"catalog"'*) pass "The catalog answers at 10.0.0.2:8080 from its own $(readlink "/proc/$pid/ns/net") and $(readlink "/proc/$pid/ns/pid"): $out" ;;
esac
fail not-reachable "The catalog runs at 10.0.0.2 (PID $(inner_of "$pid")), but its API does not answer from the sandbox: is its eth0 up, and veth-catalog on br0 and up?"

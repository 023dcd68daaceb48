# Shared by this lab's checks (the server puts this file before each check script).

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

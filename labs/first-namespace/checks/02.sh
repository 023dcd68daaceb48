# Kernel check: looks, among the sandbox's processes (host pids), for one whose UTS namespace is not
# the sandbox's, and asks the kernel for that namespace's hostname with the host's nsenter and
# hostname (nothing from the sandbox's files is run or read).
# sandbox_procs: one line "HOSTPID DEPTH INNERPID OWNPID" per process of the sandbox, read in one pass
# over the HOST's /proc (DEPTH and INNERPID as ns_depth and inner_pid give them; OWNPID is its pid in
# its own, innermost PID namespace). session_pids costs two processes per pid: a check stays quick.
sandbox_procs() {
  find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un | sed 's|.*|/proc/&/status|' |
    xargs -r grep -H '^NSpid:' 2>/dev/null |
    awk '{ n = split($0, w, /[ \t]+/); sub(/^\/proc\//, "", w[1]); sub(/\/.*/, "", w[1]); if (n > 2) print w[1], n - 2, w[3], w[n] }'
}

mine=$(hostname)
same=
while read -r pid depth inner own; do
  [ -n "$pid" ] && [ -e "/proc/$pid/ns/uts" ] || continue
  [ "/proc/$pid/ns/uts" -ef "/proc/$ISOPLAY_INIT_PID/ns/uts" ] && continue
  h=$(nsenter -t "$pid" -u hostname 2>/dev/null) || continue
  comm=?
  read -r comm 2>/dev/null < "/proc/$pid/comm"
  ns=$(readlink "/proc/$pid/ns/uts")
  if [ "$h" != "$mine" ]; then
    pass "Process $inner ($comm) lives in UTS namespace $ns, called \"$h\", while your sandbox is still \"$mine\"."
  fi
  same="Process $inner ($comm) has a UTS namespace of its own ($ns), but it is still called \"$h\", like your sandbox: run hostname inner in that shell."
done <<< "$(sandbox_procs)"
[ -n "$same" ] && fail same-hostname "$same"
fail no-uts-namespace "No process lives in a UTS namespace of its own yet: run unshare --uts bash, then hostname inner, and leave that shell open."

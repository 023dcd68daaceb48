# Kernel check: a process in a PID namespace nested in the sandbox's has one more pid in the NSpid
# line of its HOST /proc status (depth 2 or more). Read on the host's side, it cannot be faked by a
# /proc mounted inside the sandbox.
# sandbox_procs: one line "HOSTPID DEPTH INNERPID OWNPID" per process of the sandbox, read in one pass
# over the HOST's /proc (DEPTH and INNERPID as ns_depth and inner_pid give them; OWNPID is its pid in
# its own, innermost PID namespace). session_pids costs two processes per pid: a check stays quick.
sandbox_procs() {
  find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un | sed 's|.*|/proc/&/status|' |
    xargs -r grep -H '^NSpid:' 2>/dev/null |
    awk '{ n = split($0, w, /[ \t]+/); sub(/^\/proc\//, "", w[1]); sub(/\/.*/, "", w[1]); if (n > 2) print w[1], n - 2, w[3], w[n] }'
}

procs=$(sandbox_procs)
while read -r pid depth inner own; do
  [ "${depth:-0}" -ge 2 ] || continue
  comm=?
  read -r comm 2>/dev/null < "/proc/$pid/comm"
  pass "Process $inner ($comm) is PID $own in a PID namespace of its own, and PID $pid on the host."
done <<< "$procs"
# unshare --pid without --fork: the new namespace is only for the children (pid_for_children is
# another namespace, or none while no child has entered it yet), and its first child, its PID 1, ends
# it when it exits (bash then says "fork: Cannot allocate memory").
while read -r pid depth inner own; do
  [ -n "$pid" ] || continue
  # (asked again after the comparison: a process that has just exited is no such mistake)
  if ! [ "/proc/$pid/ns/pid" -ef "/proc/$pid/ns/pid_for_children" ] && [ -e "/proc/$pid/ns/pid" ]; then
    comm=?
    read -r comm 2>/dev/null < "/proc/$pid/comm"
    fail without-fork "Process $inner ($comm) made a PID namespace for its children but is not in it itself: leave it (exit) and run unshare with --fork: unshare --pid --fork --mount-proc bash"
  fi
done <<< "$procs"
fail no-pid-namespace "No process lives in a nested PID namespace yet: run unshare --pid --fork --mount-proc bash"

# Kernel check: a container is a process in a PID namespace nested in the sandbox's (depth 2 or more
# in its host /proc status); its memory and the VM's are read on the host's side.

# sandbox_procs: one line "HOSTPID DEPTH INNERPID OWNPID" per process of the sandbox, read in one pass
# over the HOST's /proc (DEPTH and INNERPID as ns_depth and inner_pid give them; OWNPID is its pid in
# its own, innermost PID namespace). session_pids costs two processes per pid: a check stays quick.
sandbox_procs() {
  find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un | sed 's|.*|/proc/&/status|' |
    xargs -r grep -H '^NSpid:' 2>/dev/null |
    awk '{ n = split($0, w, /[ \t]+/); sub(/^\/proc\//, "", w[1]); sub(/\/.*/, "", w[1]); if (n > 2) print w[1], n - 2, w[3], w[n] }'
}
# real_qemus: host pids of the sandbox's processes ($procs) that run the HOST's own qemu-system
# binary, compared by device and inode through /proc/PID/exe, read on the host's side: a program
# merely called qemu-system... (a renamed copy of sleep, a bind mount over the name) is not one.
real_qemus() {
  local bins exes pid rest
  bins=$(stat -L -c '%d:%i' /usr/bin/qemu-system-* 2>/dev/null)
  exes=$(while read -r pid rest; do [ -n "$pid" ] && echo "/proc/$pid/exe"; done <<< "$procs")
  [ -n "$bins" ] && [ -n "$exes" ] || return 0
  printf '%s\n' "$exes" | xargs -r stat -L -c '%d:%i %n' 2>/dev/null |
    awk -v bins="$bins" 'BEGIN { n = split(bins, b, "\n"); for (i = 1; i <= n; i++) ok[b[i]] = 1 } ok[$1] { split($2, f, "/"); print f[3] }'
}

procs=$(sandbox_procs)
while read -r pid depth inner own; do
  [ "${depth:-0}" -ge 2 ] || continue
  comm=?
  read -r comm 2>/dev/null < "/proc/$pid/comm"
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  set -- $(real_qemus)
  if [ -n "$1" ]; then
    vmrss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null)
    pass "A container ($comm, PID $inner, in a PID namespace of its own) holds ${rss:-?} KiB; the VM's qemu holds ${vmrss:-?} KiB."
  fi
  pass "A container ($comm, PID $inner) runs in a PID namespace of its own, holding ${rss:-?} KiB."
done <<< "$procs"
fail no-container "No process in a new PID namespace yet: start a container with unshare --pid --fork --mount-proc sleep 1000 &"

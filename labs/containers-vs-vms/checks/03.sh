# Kernel check: a container is a process in a PID namespace nested in the sandbox's (depth 2 or more
# in its host /proc status); its memory and the VM's are read on the host's side.

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

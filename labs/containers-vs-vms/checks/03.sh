# Passes when a container (a process in a PID namespace nested in the sandbox's) runs beside the VM.
q=$(pgrep -o qemu-system)
init=$(readlink /proc/self/ns/pid)
for p in /proc/[0-9]*; do
  ns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
  [ "$ns" = "$init" ] && continue
  pid=${p#/proc/}
  comm=$(cat "$p/comm")
  rss=$(awk '/^VmRSS/ {print $2}' "$p/status")
  if [ -n "$q" ]; then
    vmrss=$(awk '/^VmRSS/ {print $2}' "/proc/$q/status")
    echo "A container ($comm, PID $pid, new pid namespace) holds ${rss:-?} KiB; the VM's qemu holds ${vmrss:-?} KiB."
  else
    echo "A container ($comm, PID $pid) runs in a pid namespace of its own, holding ${rss:-?} KiB."
  fi
  exit 0
done
echo "No process in a new PID namespace yet: start a container with unshare --pid --fork --mount-proc sleep 1000 &"
exit 1

# Kernel check: looks for a sandbox process in an IPC namespace other than the sandbox's and lists
# that namespace's queues with the host's ipcs, run inside it by the host's nsenter.
sandbox_ipc=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/ipc")
declare -A seen
empty=""
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/ipc" 2>/dev/null) || continue
  [ "$ns" = "$sandbox_ipc" ] && continue
  [ -n "${seen[$ns]+set}" ] && continue
  seen[$ns]=1
  n=$(nsenter -t "$p" -i ipcs -q 2>/dev/null | grep -c '^0x')
  if [ "${n:-0}" -ge 1 ]; then
    mine=$(ipcs -q | grep -c '^0x')
    pass "IPC namespace $ns (process $(inner_pid "$p")) has $n queue(s) of its own; the sandbox's namespace has $mine, and neither sees the other's."
  fi
  empty="IPC namespace $ns (process $(inner_pid "$p")) has no message queue yet: run ipcmk -Q in that shell."
done
[ -n "$empty" ] && fail no-queue-inside "$empty"
fail no-own-ipc "No process runs in an IPC namespace of its own yet: run unshare --ipc bash, and leave it open."

# Kernel check: compares the time namespace of each process in the session's cgroup (host /proc,
# host pids) with the one of the sandbox's PID 1, and reads the new namespace's clock offsets from
# the kernel (/proc/PID/timens_offsets). It follows no path inside the sandbox. (This check's own
# process is in the session's cgroup too, but in the host's time namespace, PID 1's: skipped.)
own=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/time") || { echo "the sandbox's PID 1 is gone"; exit 2; }
found=""
for pid in $(find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un); do
  ns=$(readlink "/proc/$pid/ns/time" 2>/dev/null) || continue
  [ "$ns" = "$own" ] && continue
  found=$pid
  boot=$(awk '$1 == "boottime" {print $2}' "/proc/$pid/timens_offsets" 2>/dev/null)
  mono=$(awk '$1 == "monotonic" {print $2}' "/proc/$pid/timens_offsets" 2>/dev/null)
  if [ "${boot:-0}" != 0 ] || [ "${mono:-0}" != 0 ]; then
    pass "Process $(inner_pid "$pid") ($(cat "/proc/$pid/comm")) lives in $ns, with its boot clock shifted by ${boot:-0} s and its monotonic clock by ${mono:-0} s. The wall clock stayed the kernel's one."
  fi
done
[ -n "$found" ] && fail no-offset "Process $(inner_pid "$found") ($(cat "/proc/$found/comm" 2>/dev/null)) has a time namespace of its own, but no clock offset: unshare --time --fork --boottime 86400 bash"
fail no-time-namespace "Every process of your sandbox still shares the host's time namespace ($own): unshare --time --fork --boottime 86400 bash"

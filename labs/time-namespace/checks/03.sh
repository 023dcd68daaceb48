# Kernel check (host /proc): a process of the sandbox in a time namespace of its own whose boottime
# offset is negative.
init_ns=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/time") || { echo "cannot read the sandbox's init" >&2; exit 2; }
any=""
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/time" 2>/dev/null) || continue
  [ "$ns" = "$init_ns" ] || [ "$ns" != "$(readlink "/proc/$p/ns/time_for_children" 2>/dev/null)" ] && continue
  any=1
  boot=$(awk '$1 == "boottime" {print $2}' "/proc/$p/timens_offsets" 2>/dev/null)
  if [ "${boot:-0}" -lt 0 ]; then
    pass "Process $(inner_pid "$p") ($(cat "/proc/$p/comm" 2>/dev/null)) lives in $ns, whose machine booted $((-boot)) s after the host."
  fi
done
[ -n "$any" ] && fail no-negative-offset "None of your time namespaces has a negative boottime offset yet: run unshare --time --boottime -$(( $(cut -d. -f1 /proc/uptime) / 2 )) --fork bash (half the uptime: a clock never goes below zero)"
fail no-time-namespace "No process of yours is in a time namespace of its own: run unshare --time --boottime -$(( $(cut -d. -f1 /proc/uptime) / 2 )) --fork bash (half the uptime: a clock never goes below zero)"

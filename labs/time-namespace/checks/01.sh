# Kernel check (host /proc): a process of the sandbox whose time namespace is not the sandbox
# init's, with a positive boottime offset (read from /proc/PID/timens_offsets on the host side).
init_ns=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/time") || { echo "cannot read the sandbox's init" >&2; exit 2; }
offset() { awk -v c="$2" '$1 == c {print $2}' "/proc/$1/timens_offsets" 2>/dev/null; }
other=""
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/time" 2>/dev/null) || continue
  # In a namespace of its own, and not about to start its children in yet another one.
  [ "$ns" = "$init_ns" ] || [ "$ns" != "$(readlink "/proc/$p/ns/time_for_children" 2>/dev/null)" ] && continue
  boot=$(offset "$p" boottime); mono=$(offset "$p" monotonic); comm=$(cat "/proc/$p/comm" 2>/dev/null)
  if [ "${boot:-0}" -gt 0 ]; then
    pass "Process $(inner_pid "$p") ($comm) lives in $ns, whose machine booted $boot s earlier (monotonic +${mono:-0} s): its uptime is the sandbox's plus $((boot / 3600)) h."
  fi
  other="$(inner_pid "$p") ($comm) in $ns, boottime offset ${boot:-0} s"
done
[ -n "$other" ] && fail no-offset "Process $other: its uptime is not ahead of the sandbox's. Leave it (exit) and run: unshare --time --boottime 86400 --monotonic 3600 --fork bash"
fail no-time-namespace "No process of yours is in a time namespace of its own yet: run unshare --time --boottime 86400 --monotonic 3600 --fork bash"

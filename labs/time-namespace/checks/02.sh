# Kernel check (host /proc): a time namespace of the learner's that was entered twice, i.e. that holds
# two processes whose parents are outside it (unshare's child, and a shell that nsenter moved in).
init_ns=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/time") || { echo "cannot read the sandbox's init" >&2; exit 2; }
declare -A entries who
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/time" 2>/dev/null) || continue
  [ "$ns" = "$init_ns" ] && continue
  pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
  pns=$(readlink "/proc/$pp/ns/time" 2>/dev/null)
  [ "$pns" = "$ns" ] && { entries[$ns]=${entries[$ns]:-0}; continue; } # born inside: seen, not an entry
  entries[$ns]=$(( ${entries[$ns]:-0} + 1 ))
  who[$ns]="${who[$ns]:+${who[$ns]} and }$(inner_pid "$p") ($(cat "/proc/$p/comm" 2>/dev/null))"
done
for ns in "${!entries[@]}"; do
  if [ "${entries[$ns]}" -ge 2 ]; then
    pass "$ns was entered ${entries[$ns]} times, by processes ${who[$ns]}: they read the same shifted clocks."
  fi
done
[ "${#entries[@]}" -gt 0 ] && fail not-joined "Only one process entered your time namespace so far (${who[*]}): join it from the observer with nsenter --target PID --time bash"
fail no-time-namespace "No time namespace of yours is running: in the shell terminal, run unshare --time --boottime 86400 --monotonic 3600 --fork bash"

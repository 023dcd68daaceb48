# Kernel check (host /proc): a process two PID namespaces below the sandbox's (ns_depth >= 3).
any=""
for p in $(session_pids); do
  d=$(ns_depth "$p")
  [ "${d:-1}" -ge 2 ] 2>/dev/null || continue
  any=1
  if [ "$d" -ge 3 ]; then
    nspid=$(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' "/proc/$p/status")
    pass "$(cat "/proc/$p/comm") has $((d + 1)) PIDs, one per namespace from the host's down: $nspid (host, sandbox, then yours)."
  fi
done
[ -n "$any" ] && fail not-nested "You have a PID namespace, but none nested inside another one yet: in its shell, run unshare --pid --fork --mount-proc bash again."
fail no-pid-namespace "No PID namespace of yours is running: run unshare --pid --fork --mount-proc bash, and in that shell the same command again."

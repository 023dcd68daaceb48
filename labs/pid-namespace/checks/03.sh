# Kernel check (host /proc): no process of the sandbox is left in a PID namespace the learner made.
left=""; inits=""
for p in $(session_pids); do
  d=$(ns_depth "$p")
  [ "${d:-1}" -ge 2 ] 2>/dev/null || continue
  left="$left $(inner_pid "$p")"
  if [ "$d" = 2 ] && [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$p/status")" = 1 ]; then inits="$inits $(inner_pid "$p") ($(cat "/proc/$p/comm"))"; fi
done
[ -z "$left" ] && pass "No process is left in a PID namespace of yours: killing its PID 1 took every other process with it."
if [ -n "$inits" ]; then
  fail namespace-alive "Processes$left (sandbox PIDs) still live in PID namespaces you made. Their PID 1, seen from the sandbox:$inits. Kill it from the observer terminal: kill -KILL PID"
fi
fail namespace-alive "Processes$left (sandbox PIDs) still live in PID namespaces you made. Kill their PID 1 from the observer terminal: kill -KILL PID"

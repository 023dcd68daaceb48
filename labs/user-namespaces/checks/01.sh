# Kernel check: reads the host's /proc/PID/status of the sandbox's processes. The host's kernel
# writes the real (host) uid there, so a fake uid_map or a program printing numbers changes nothing.
for p in $(session_pids); do
  [ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" = "$sandbox_user" ] || continue
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
  [ -n "$uid" ] && [ "$uid" != "$base" ] || continue
  cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
  pass "Process $(inner_pid "$p") (${cmd% }) is uid $((uid - base)) in the sandbox; the host's kernel sees it as uid $uid = $base + $((uid - base)). Your root is uid $base."
done
fail no-other-uid "Every process of the sandbox runs as root, which is host uid $base. Start one as uid 1000: setpriv --reuid=1000 --regid=1000 --clear-groups sleep 1000 &"

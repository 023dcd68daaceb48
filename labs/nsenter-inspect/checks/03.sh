# Kernel check: some container (PID 1 of a PID namespace the learner made) is called "frontend" and
# has its loopback up, read with the host's nsenter and ip in the container's own UTS and network namespaces.
last_pid() { awk '/^NSpid:/ {print $NF}' "/proc/$1/status" 2>/dev/null; }
reason="" problem=""
for p in $(session_pids); do
  [ "$p" != "$ISOPLAY_INIT_PID" ] && [ "$(last_pid "$p")" = 1 ] || continue
  h=$(nsenter -t "$p" -u hostname 2>/dev/null)
  if [ "$h" != frontend ]; then
    [ -z "$reason" ] && reason=old-hostname problem="The container of $(cat "/proc/$p/comm") (PID $(inner_pid "$p")) is still called \"$h\": run nsenter -t \$WEB --uts hostname frontend."
    continue
  fi
  if ! nsenter -t "$p" -n ip -o link show lo 2>/dev/null | grep -q '[<,]UP[,>]'; then
    reason=lo-down problem="The container is now called frontend, but its loopback interface lo is still down: run nsenter -t \$WEB --net ip link set lo up."
    continue
  fi
  pass "Changed from outside: the container of PID $(inner_pid "$p") is now called \"$h\" and its lo is up, while the sandbox is still \"$(hostname)\"."
done
[ -n "$reason" ] && fail "$reason" "$problem"
fail no-container "No container runs: start it again as in step 1."

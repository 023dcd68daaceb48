# Kernel check (host /proc): a sleep inside a PID namespace the learner made whose parent is that
# namespace's PID 1, and which was NOT started by PID 1: it is neither the leader of its own process
# group nor in PID 1's group: it stayed in the group of the subshell that started it and died.
pgid() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $3}'; }
any=""; sleeps=""; reason=""; msg=""
for p in $(session_pids); do
  [ "$(ns_depth "$p")" -ge 2 ] 2>/dev/null || continue
  any=1
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] || continue
  [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$p/status")" = 1 ] && continue # a sleep that is PID 1 itself
  sleeps=1
  pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status")
  if [ "$(readlink "/proc/$pp/ns/pid")" != "$(readlink "/proc/$p/ns/pid")" ] || [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$pp/status")" != 1 ]; then
    [ -z "$reason" ] && { reason=parent-alive; msg="sleep (sandbox PID $(inner_pid "$p")) has as parent $(cat "/proc/$pp/comm" 2>/dev/null) (sandbox PID $(inner_pid "$pp")), not the PID 1 of its namespace: that parent is still alive."; }
    continue
  fi
  g=$(pgid "$p"); pg=$(pgid "$pp")
  # The group's leader is gone: the kernel keeps a pid number free while a group still uses it.
  if [ "$g" != "$p" ] && [ "$g" != "$pg" ] && [ ! -e "/proc/$g" ]; then
    pass "sleep (PID $(awk '/^NSpid:/ {print $NF}' "/proc/$p/status") in your namespace, $(inner_pid "$p") in the sandbox) lost its parent and was adopted by PID 1 of its namespace, $(cat "/proc/$pp/comm")."
  fi
  reason=not-orphan; msg="sleep (PID $(awk '/^NSpid:/ {print $NF}' "/proc/$p/status") in your namespace) is a child of PID 1 because PID 1 started it itself. Start one from a subshell that exits at once: (sleep 1000 &)"
done
[ -z "$any" ] && fail no-pid-namespace "No PID namespace of yours is running: start one again with unshare --pid --fork --mount-proc bash"
[ -z "$sleeps" ] && fail no-sleep "No sleep is running inside your PID namespace yet: in the namespace's shell, run (sleep 1000 &)"
fail "$reason" "$msg"

# Kernel check: a container is a process that is PID 1 of a PID namespace the learner made (its
# last NSpid is 1, below the sandbox's), with UTS, network and mount namespaces unlike the sandbox's,
# and a hostname of its own (read with the host's nsenter in its UTS namespace).
last_pid() { awk '/^NSpid:/ {print $NF}' "/proc/$1/status" 2>/dev/null; }
sandbox_name=$(hostname)
problem=""
reason=""
for p in $(session_pids); do
  [ "$p" = "$ISOPLAY_INIT_PID" ] && continue
  [ "$(last_pid "$p")" = 1 ] || continue
  shared=""
  for t in uts net mnt; do
    [ "$(readlink "/proc/$p/ns/$t")" = "$(readlink "/proc/$ISOPLAY_INIT_PID/ns/$t")" ] && shared="$shared $t"
  done
  what="$(tr '\0' ' ' < "/proc/$p/cmdline" | sed 's/ $//' | cut -c1-60) (PID $(inner_pid "$p") in the sandbox)"
  if [ -n "$shared" ]; then
    [ "$reason" != no-hostname ] && reason=shares-namespaces problem="$what has a PID namespace of its own but shares$shared with the sandbox: add the missing options to unshare."
    continue
  fi
  h=$(nsenter -t "$p" -u hostname 2>/dev/null)
  if [ "$h" = "$sandbox_name" ]; then
    reason=no-hostname problem="$what has its own namespaces, but its hostname is still \"$h\": run hostname web inside it."
    continue
  fi
  pass "Your container runs: $what is PID 1 of $(readlink "/proc/$p/ns/pid"), with its own uts, net and mnt namespaces, and calls itself \"$h\"."
done
[ -n "$reason" ] && fail "$reason" "$problem"
fail no-container "No process is PID 1 of a PID namespace of its own yet: start the container with unshare --pid --uts --net --mount --fork --mount-proc ..."

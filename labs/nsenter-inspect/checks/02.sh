# Kernel check: someone "stepped inside" a container when a process shares the container's PID,
# UTS, network and mount namespaces, is not its PID 1, and its parent lives outside the container's
# PID namespace: it was put there by nsenter (setns + fork), not forked by the container itself.
last_pid() { awk '/^NSpid:/ {print $NF}' "/proc/$1/status" 2>/dev/null; }
ppid_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
pids=$(session_pids)
containers=""
for p in $pids; do
  [ "$p" != "$ISOPLAY_INIT_PID" ] && [ "$(last_pid "$p")" = 1 ] && containers="$containers $p"
done
[ -z "$containers" ] && fail no-container "No container runs: start it again as in step 1."
partly=""
for c in $containers; do
  cpid=$(readlink "/proc/$c/ns/pid")
  for p in $pids; do
    [ "$p" = "$c" ] && continue
    [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$cpid" ] || continue
    pp=$(ppid_of "$p")
    [ "$(readlink "/proc/$pp/ns/pid" 2>/dev/null)" = "$cpid" ] && continue   # forked inside the container
    missing=""
    for t in uts net mnt; do
      [ "$(readlink "/proc/$p/ns/$t")" = "$(readlink "/proc/$c/ns/$t")" ] || missing="$missing --$t"
    done
    if [ -z "$missing" ]; then
      pass "$(cat "/proc/$p/comm") (PID $(inner_pid "$p") in the sandbox, PID $(last_pid "$p") in the container) has joined the container of $(cat "/proc/$c/comm") (PID $(inner_pid "$c")): same pid, uts, net and mnt namespaces, and its parent $(cat "/proc/$pp/comm") is outside."
    fi
    partly="$(cat "/proc/$p/comm") (PID $(inner_pid "$p")) joined the container's PID namespace but not the rest: nsenter also needs${missing/--mnt/--mount}."
  done
done
[ -n "$partly" ] && fail partly-joined "$partly"
fail not-joined "No process has joined the container from outside yet: run nsenter -t \$WEB --mount --uts --net --pid bash and leave that shell open."

# A nested PID namespace shows up in NSpid: a process seen from here with two PIDs.
for p in /proc/[0-9]*; do
  pids=$(awk '/^NSpid:/ {print NF-1}' "$p/status" 2>/dev/null) || continue
  if [ "${pids:-1}" -ge 2 ]; then
    inner=$(awk '/^NSpid:/ {print $NF}' "$p/status")
    echo "Process ${p#/proc/} ($(cat "$p/comm")) is PID $inner in a PID namespace of its own."
    exit 0
  fi
done
echo "No process in a nested PID namespace yet: run unshare --pid --fork --mount-proc bash"
exit 1

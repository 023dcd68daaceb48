# Kernel check: every process called "miner" (its argv[0]) must sit in the same cgroup as the PID 1
# of the container whose PID namespace it shares, and that cgroup must not be the sandbox's own.
# On cgroup v1 the pids hierarchy is compared (the one the step uses); on v2 the unified one. The
# paths are relative to the sandbox's cgroup namespace, which this check has joined.
last_pid() { awk '/^NSpid:/ {print $NF}' "/proc/$1/status" 2>/dev/null; }
cg_of() {
  if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null
  else awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' "/proc/$1/cgroup" 2>/dev/null; fi
}
home=$(cg_of "$ISOPLAY_INIT_PID")
pids=$(session_pids)
declare -A init_of   # pid namespace -> host pid of its PID 1
for p in $pids; do
  [ "$p" != "$ISOPLAY_INIT_PID" ] && [ "$(last_pid "$p")" = 1 ] && init_of[$(readlink "/proc/$p/ns/pid")]=$p
done
[ ${#init_of[@]} -lt 2 ] && fail need-two-containers "${#init_of[@]} container(s) run, and this step needs web and db: run the first block of this step."
miners=""
for p in $pids; do
  [ "$(tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | head -n 1)" = miner ] && miners="$miners $p"
done
[ -z "$miners" ] && fail no-miner "No process called miner runs: run the second block of this step."
ok=""
for m in $miners; do
  c=${init_of[$(readlink "/proc/$m/ns/pid")]}
  [ -z "$c" ] && fail miner-outside "The miner (PID $(inner_pid "$m")) is not in any container's PID namespace: run the second block of this step again."
  name=$(nsenter -t "$c" -u hostname 2>/dev/null)
  ccg=$(cg_of "$c"); mcg=$(cg_of "$m")
  [ "$ccg" = "$home" ] && fail container-no-cgroup "The miner's container ($name, PID $(inner_pid "$c")) is still in the sandbox's own cgroup $home: run the first block of this step."
  [ "$mcg" = "$home" ] && fail miner-not-moved "The miner (PID $(inner_pid "$m")) is still in the sandbox's own cgroup $home, though its namespaces are those of one of your containers: find which, and write its PID into that container's cgroup.procs."
  [ "$mcg" != "$ccg" ] && fail wrong-cgroup "The miner (PID $(inner_pid "$m")) is in cgroup $mcg, but its namespaces are those of another container: compare readlink /proc/$(inner_pid "$m")/ns/pid with your containers' PID 1."
  ok="$ok the miner (PID $(inner_pid "$m")) runs in the namespaces of $name and now sits in its cgroup $ccg,"
done
pass "Found:${ok%,}. Namespaces said where it runs; now its cgroup says so too."

# Kernel check (v1 and v2): lists the processes in demo from the HOST's side of the session's
# cgroups (on v1 a process must be in demo in both the pids and the cpu hierarchy; on v2 both are
# one directory), and reads each one's command line from the host's /proc. A fake cgroup.procs
# mounted inside the sandbox changes nothing.
[ -d "$ISOPLAY_CGROUP_PIDS" ] && [ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's pids or cpu cgroup is unknown"; exit 2; }
p="$ISOPLAY_CGROUP_PIDS/demo"
c="$ISOPLAY_CGROUP_CPU/demo"
[ -f "$p/cgroup.procs" ] && [ -f "$c/cgroup.procs" ] || fail no-demo-cgroup "The cgroup demo is gone: make it again as in step 1."
is_sleeper() { [ "$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)" = "sleep infinity " ]; }
both=() half=()
for pid in $(cat "$p/cgroup.procs" "$c/cgroup.procs" | sort -un); do
  is_sleeper "$pid" || continue
  if grep -qx "$pid" "$p/cgroup.procs" && grep -qx "$pid" "$c/cgroup.procs"; then both+=("$pid"); else half+=("$pid"); fi
done
inner() { local out=() x; for x in "$@"; do out+=("$(inner_pid "$x")"); done; echo "${out[*]}"; }
if [ "${#both[@]}" -ge 2 ]; then
  pass "${#both[@]} sleep infinity processes run in demo (PIDs $(inner "${both[@]}") in your sandbox, ${both[*]} on the host), under the pids and the cpu controller."
fi
if [ "${#half[@]}" -ge 1 ]; then
  fail half-moved "sleep infinity (PID $(inner "${half[@]}")) is in demo in only one of the pids and cpu hierarchies: name both controllers, -g pids,cpu:demo."
fi
if [ "${#both[@]}" -eq 1 ]; then
  fail only-one "One sleep infinity (PID $(inner "${both[0]}")) runs in demo; start another outside demo and move it there: sleep infinity & cgclassify -g pids,cpu:demo \$!"
fi
fail none-in-demo "No sleep infinity runs in demo yet: cgexec -g pids,cpu:demo sleep infinity &"

# Kernel check (v1 and v2): every cgroup.procs in demo's subtree, read on the HOST's side of the
# session's pids and cpu cgroups (one directory on v2), must be empty. A demo already removed
# counts too: rmdir only succeeds on a cgroup with no process left.
[ -d "$ISOPLAY_CGROUP_PIDS" ] && [ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's pids or cpu cgroup is unknown"; exit 2; }
left=""
for d in $(printf '%s\n' "$ISOPLAY_CGROUP_PIDS/demo" "$ISOPLAY_CGROUP_CPU/demo" | sort -u); do
  [ -d "$d" ] || continue
  left="$left $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)"
done
left=$(echo $left | tr ' ' '\n' | sort -un)
if [ -n "$left" ]; then
  list=""
  for pid in $left; do list="$list $(inner_pid "$pid") ($(cat "/proc/$pid/comm" 2>/dev/null))"; done
  fail still-running "$(echo "$left" | wc -l) process(es) still run in demo:$list."
fi
[ -d "$ISOPLAY_CGROUP_PIDS/demo" ] || [ -d "$ISOPLAY_CGROUP_CPU/demo" ] || pass "demo is empty and removed: nothing of it is left in the kernel."
pass "demo is empty: the kernel holds no process in it, yet the cgroup stays with its limits until you rmdir it."

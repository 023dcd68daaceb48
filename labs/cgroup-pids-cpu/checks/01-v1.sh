# Kernel check (cgroup v1): looks for demo on the HOST's side of the session's pids and cpu
# hierarchies ($ISOPLAY_CGROUP_PIDS and $ISOPLAY_CGROUP_CPU are what the learner sees as
# /sys/fs/cgroup/pids and /sys/fs/cgroup/cpu). A directory or tmpfs made inside the sandbox never
# shows up there: only a cgroup the kernel made, with its control files, does.
[ -d "$ISOPLAY_CGROUP_PIDS" ] && [ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's pids or cpu cgroup is unknown"; exit 2; }
p="$ISOPLAY_CGROUP_PIDS/demo"
c="$ISOPLAY_CGROUP_CPU/demo"
if [ -f "$p/pids.max" ] && [ -f "$c/cpu.cfs_quota_us" ]; then
  pass "The kernel made demo in both hierarchies: pids ($(ls "$p" | grep -c '^pids\.') pids.* files) and cpu ($(ls "$c" | grep -c '^cpu\.') cpu.* files)."
fi
[ -f "$p/pids.max" ] && fail no-cpu-cgroup "demo exists in the pids hierarchy, not yet in the cpu one: mkdir /sys/fs/cgroup/cpu/demo"
[ -f "$c/cpu.cfs_quota_us" ] && fail no-pids-cgroup "demo exists in the cpu hierarchy, not yet in the pids one: mkdir /sys/fs/cgroup/pids/demo"
fail no-demo-cgroup "There is no cgroup demo yet: mkdir /sys/fs/cgroup/pids/demo /sys/fs/cgroup/cpu/demo"

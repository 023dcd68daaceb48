# Kernel check (cgroup v1): reads demo's CFS quota and period on the HOST's side of the session's
# cpu hierarchy, so fake files mounted over them inside the sandbox change nothing.
[ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's cpu cgroup is unknown"; exit 2; }
d="$ISOPLAY_CGROUP_CPU/demo"
q=$(cat "$d/cpu.cfs_quota_us" 2>/dev/null) || fail no-demo-cgroup "demo is gone from the cpu hierarchy: mkdir /sys/fs/cgroup/cpu/demo"
p=$(cat "$d/cpu.cfs_period_us")
[ "$q" -lt 0 ] && fail no-quota "demo's cpu.cfs_quota_us is $q: no quota yet. Write 20000 into it."
[ $((q * 5)) -eq "$p" ] || fail wrong-quota "demo may use $q µs per $p µs period, $(awk -v q="$q" -v p="$p" 'BEGIN {printf "%.2f", q / p}') CPU; this lab wants 0.2: echo 20000 > /sys/fs/cgroup/cpu/demo/cpu.cfs_quota_us (with the period at 100000)."
pass "The kernel gives demo $q µs of CPU time per $p µs period: 0.2 CPU."

# Kernel check (v1 and v2): the kernel's count of periods in which demo was throttled
# (nr_throttled in cpu.stat, the same name on both versions), read on the HOST's side.
[ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's cpu cgroup is unknown"; exit 2; }
d="$ISOPLAY_CGROUP_CPU/demo"
[ -f "$d/cpu.stat" ] || fail no-demo-cgroup "demo is gone (or has no cpu files): make it again as in step 1 and give it its quota."
n=$(awk '$1 == "nr_throttled" {print $2}' "$d/cpu.stat")
if [ "${n:-0}" -ge 1 ]; then
  # v1 counts the time in nanoseconds (throttled_time), v2 in microseconds (throttled_usec).
  ms=$(awk '$1 == "throttled_time" {printf "%d", $2 / 1e6} $1 == "throttled_usec" {printf "%d", $2 / 1e3}' "$d/cpu.stat")
  periods=$(awk '$1 == "nr_periods" {print $2}' "$d/cpu.stat")
  pass "The kernel throttled demo in $n of $periods periods, holding it off the CPU for ${ms:-?} ms in all."
fi
if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then
  quota=$(cut -d' ' -f1 "$d/cpu.max" 2>/dev/null)
else
  quota=$(cat "$d/cpu.cfs_quota_us" 2>/dev/null)
fi
[ "$quota" = max ] || [ "${quota:-0}" = -1 ] && fail no-quota "demo has no CPU quota any more, so nothing in it can be throttled: set it again as in step 4."
fail not-throttled "The kernel has not throttled demo yet (nr_throttled 0): run the busy loop in demo."

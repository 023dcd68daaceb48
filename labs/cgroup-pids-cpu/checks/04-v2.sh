# Kernel check (cgroup v2): reads demo's cpu.max on the HOST's side of the session's cgroup, so a
# fake cpu.max mounted over the real one inside the sandbox changes nothing.
[ -d "$ISOPLAY_CGROUP_CPU" ] || { echo "the session's cgroup is unknown"; exit 2; }
d="$ISOPLAY_CGROUP_CPU/demo"
read -r q p 2>/dev/null < "$d/cpu.max" || fail no-demo-cgroup "demo has no cpu.max (it is gone, or cpu is not enabled for it): make it again as in step 1."
[ "$q" = max ] && fail no-quota "demo's cpu.max says max $p: no quota yet. Write '20000 100000' into it."
[ $((q * 5)) -eq "$p" ] || fail wrong-quota "demo may use $q µs per $p µs period, $(awk -v q="$q" -v p="$p" 'BEGIN {printf "%.2f", q / p}') CPU; this lab wants 0.2: echo '20000 100000' > /sys/fs/cgroup/demo/cpu.max"
pass "The kernel gives demo $q µs of CPU time per $p µs period: 0.2 CPU."

# Kernel check (v1 and v2): the kernel's own count of refused forks in demo ("max N" in
# pids.events), read on the HOST's side. A tmpfs or fake file mounted over demo inside the sandbox
# does not change what the host sees.
[ -d "$ISOPLAY_CGROUP_PIDS" ] || { echo "the session's pids cgroup is unknown"; exit 2; }
d="$ISOPLAY_CGROUP_PIDS/demo"
[ -f "$d/pids.events" ] || fail no-demo-cgroup "The cgroup demo is gone: make it again (step 1) and set pids.max to 5."
n=$(awk '$1 == "max" {print $2}' "$d/pids.events")
if [ "${n:-0}" -ge 1 ]; then
  peak=$(cat "$d/pids.peak" 2>/dev/null)
  pass "The kernel refused $n fork(s) in demo${peak:+ (it held at most $peak tasks)}, and killed nothing."
fi
[ "$(cat "$d/pids.max")" = max ] && fail no-limit "demo's pids.max says max: set it to 5 again, then run the loop."
fail limit-not-hit "The kernel has refused no fork in demo yet (pids.events: max 0; demo holds $(cat "$d/pids.current") tasks): run the loop on this page."

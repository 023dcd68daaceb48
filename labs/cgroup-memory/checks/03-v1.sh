# Kernel check (cgroup v1): the kernel's own count of OOM kills in demo, read on the HOST's side
# (oom_kill in memory.oom_control). A tmpfs or a fake file mounted over demo inside the sandbox
# does not change what the host sees.
d="$ISOPLAY_CGROUP/demo"
[ -f "$d/memory.oom_control" ] || fail no-demo-cgroup "The cgroup demo is gone: make it again (mkdir) and give it its limit."
n=$(awk '$1 == "oom_kill" {print $2}' "$d/memory.oom_control" 2>/dev/null)
if [ "${n:-0}" -ge 1 ]; then
  peak=$(cat "$d/memory.max_usage_in_bytes" 2>/dev/null)
  pass "The kernel's OOM killer struck $n time(s) in demo (its memory peaked at $(( ${peak:-0} >> 20 )) MiB), and your sandbox lives on."
fi
v=$(cat "$d/memory.limit_in_bytes" 2>/dev/null)
if [ "${v:-0}" -ge $((1 << 50)) ]; then
  fail no-limit "demo has no limit any more, so nothing in it can hit one: echo 20M > /sys/fs/cgroup/memory/demo/memory.limit_in_bytes"
fi
fail no-oom-kill "No OOM kill in demo yet (the kernel counts 0 in memory.oom_control): run the hungry command on this page."

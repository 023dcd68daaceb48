# Kernel check (cgroup v2): the kernel's own count of OOM kills in demo (oom_kill in memory.events),
# read on the HOST's side. A tmpfs or a fake file mounted over demo inside the sandbox does not
# change what the host sees.
d="$ISOPLAY_CGROUP/demo"
[ -d "$d" ] || fail no-demo-cgroup "The cgroup demo is gone: make it again (mkdir) and give it its limit."
n=$(awk '$1 == "oom_kill" {print $2}' "$d/memory.events" 2>/dev/null)
if [ "${n:-0}" -ge 1 ]; then
  peak=$(cat "$d/memory.peak" 2>/dev/null)
  pass "The kernel's OOM killer struck $n time(s) in demo${peak:+ (its memory peaked at $((peak >> 20)) MiB)}, and your sandbox lives on."
fi
if [ "$(cat "$d/memory.max" 2>/dev/null)" = max ]; then
  fail no-limit "demo has no limit any more, so nothing in it can hit one: echo 20M > /sys/fs/cgroup/demo/memory.max"
fi
fail no-oom-kill "No OOM kill in demo yet (the kernel counts 0 in memory.events): run the hungry command on this page."

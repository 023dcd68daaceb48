# Kernel check (cgroup v2): reads demo's memory.max from the HOST's side of the session's cgroup, so
# a fake file mounted over the real one inside the sandbox changes nothing.
d="$ISOPLAY_CGROUP/demo"
[ -d "$d" ] || fail no-demo-cgroup "The cgroup demo is gone: make it again with mkdir /sys/fs/cgroup/demo"
v=$(cat "$d/memory.max" 2>/dev/null) || fail memory-not-enabled "demo has no memory.max: enable the memory controller for it with echo +memory > /sys/fs/cgroup/cgroup.subtree_control"
if [ "$v" = max ]; then
  fail no-limit "demo has no limit yet: its memory.max says max."
fi
if [ "$v" -gt $((32 << 20)) ]; then
  fail limit-too-high "demo is limited to $((v >> 20)) MiB; this lab wants 20 MiB: echo 20M > /sys/fs/cgroup/demo/memory.max"
fi
pass "The kernel limits demo to $((v >> 20)) MiB ($v bytes)."

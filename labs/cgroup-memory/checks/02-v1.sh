# Kernel check (cgroup v1): reads demo's limit from the HOST's side of the session's memory cgroup,
# so a fake memory.limit_in_bytes mounted over the real one inside the sandbox changes nothing.
d="$ISOPLAY_CGROUP/demo"
v=$(cat "$d/memory.limit_in_bytes" 2>/dev/null) || fail no-demo-cgroup "The cgroup demo is gone: make it again with mkdir /sys/fs/cgroup/memory/demo"
if [ "$v" -ge $((1 << 50)) ]; then
  fail no-limit "demo has no limit yet: its memory.limit_in_bytes is $v, the kernel's way of writing \"unlimited\"."
fi
if [ "$v" -gt $((32 << 20)) ]; then
  fail limit-too-high "demo is limited to $((v >> 20)) MiB; this lab wants 20 MiB: echo 20M > /sys/fs/cgroup/memory/demo/memory.limit_in_bytes"
fi
pass "The kernel limits demo to $((v >> 20)) MiB ($v bytes)."

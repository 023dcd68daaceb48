# Kernel check (cgroup v1): reads box's limits on the HOST's side of the session's memory and pids
# hierarchies, so a directory, a tmpfs or a fake file made inside the sandbox changes nothing.
m="$ISOPLAY_CGROUP_MEMORY/box"; p="$ISOPLAY_CGROUP_PIDS/box"
v=$(cat "$m/memory.limit_in_bytes" 2>/dev/null) || fail no-box-cgroup "There is no cgroup box in the memory hierarchy yet: mkdir /sys/fs/cgroup/memory/box /sys/fs/cgroup/pids/box"
[ "$v" -ge $((1 << 50)) ] && fail no-memory-limit "box has no memory limit yet (memory.limit_in_bytes says $v, the kernel's \"unlimited\"): echo 64M > /sys/fs/cgroup/memory/box/memory.limit_in_bytes"
[ "$v" -gt $((128 << 20)) ] && fail limit-too-high "box may use $((v >> 20)) MiB; this lab wants 64 MiB: echo 64M > /sys/fs/cgroup/memory/box/memory.limit_in_bytes"
n=$(cat "$p/pids.max" 2>/dev/null) || fail no-pids-cgroup "box exists in the memory hierarchy, not yet in the pids one: mkdir /sys/fs/cgroup/pids/box"
[ "$n" = max ] && fail no-pids-limit "box has no process limit yet (pids.max says max): echo 32 > /sys/fs/cgroup/pids/box/pids.max"
pass "The kernel limits box to $((v >> 20)) MiB of memory and $n processes (the memory and pids hierarchies each have their own box)."

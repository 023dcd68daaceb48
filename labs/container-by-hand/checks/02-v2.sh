# Kernel check (cgroup v2): reads box's limits on the HOST's side of the session's cgroup, so a
# directory, a tmpfs or a fake file made inside the sandbox changes nothing.
d="$ISOPLAY_CGROUP/box"
[ -d "$d" ] || fail no-box-cgroup "There is no cgroup box yet: echo \"+memory +pids\" > /sys/fs/cgroup/cgroup.subtree_control, then mkdir /sys/fs/cgroup/box"
v=$(cat "$d/memory.max" 2>/dev/null) || fail memory-not-enabled "box has no memory.max: enable the controller for it with echo +memory > /sys/fs/cgroup/cgroup.subtree_control"
[ "$v" = max ] && fail no-memory-limit "box has no memory limit yet (memory.max says max): echo 64M > /sys/fs/cgroup/box/memory.max"
[ "$v" -gt $((128 << 20)) ] && fail limit-too-high "box may use $((v >> 20)) MiB; this lab wants 64 MiB: echo 64M > /sys/fs/cgroup/box/memory.max"
n=$(cat "$d/pids.max" 2>/dev/null) || fail pids-not-enabled "box has no pids.max: enable the controller for it with echo +pids > /sys/fs/cgroup/cgroup.subtree_control"
[ "$n" = max ] && fail no-pids-limit "box has no process limit yet (pids.max says max): echo 32 > /sys/fs/cgroup/box/pids.max"
pass "The kernel limits box to $((v >> 20)) MiB of memory and $n processes (one cgroup, both controllers: cgroup v2)."

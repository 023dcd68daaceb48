mkdir -p /sys/fs/cgroup/memory/box /sys/fs/cgroup/pids/box
echo 64M > /sys/fs/cgroup/memory/box/memory.limit_in_bytes
echo 32 > /sys/fs/cgroup/pids/box/pids.max

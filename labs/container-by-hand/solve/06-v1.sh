echo 32M > /sys/fs/cgroup/memory/box/memory.limit_in_bytes
echo 16 > /sys/fs/cgroup/pids/box/pids.max

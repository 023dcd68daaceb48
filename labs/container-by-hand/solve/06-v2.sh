echo 32M > /sys/fs/cgroup/box/memory.max
echo 16 > /sys/fs/cgroup/box/pids.max

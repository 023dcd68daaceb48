echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/box
echo 64M > /sys/fs/cgroup/box/memory.max
echo 32 > /sys/fs/cgroup/box/pids.max

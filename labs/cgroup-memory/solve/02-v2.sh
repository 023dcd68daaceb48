echo 20M > /sys/fs/cgroup/demo/memory.max

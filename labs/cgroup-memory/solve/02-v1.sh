echo 20M > /sys/fs/cgroup/memory/demo/memory.limit_in_bytes

echo 5 > /sys/fs/cgroup/demo/pids.max

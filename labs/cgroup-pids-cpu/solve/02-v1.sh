echo 5 > /sys/fs/cgroup/pids/demo/pids.max

echo 1 > /sys/fs/cgroup/demo/cgroup.kill; sleep 0.3

mkdir /sys/fs/cgroup/pids/demo /sys/fs/cgroup/cpu/demo

mkdir /sys/fs/cgroup/memory/demo

echo 20000 > /sys/fs/cgroup/cpu/demo/cpu.cfs_quota_us

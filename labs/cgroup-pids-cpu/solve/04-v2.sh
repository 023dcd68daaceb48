echo '20000 100000' > /sys/fs/cgroup/demo/cpu.max

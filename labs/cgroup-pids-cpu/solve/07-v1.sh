kill -9 $(cat /sys/fs/cgroup/pids/demo/cgroup.procs /sys/fs/cgroup/cpu/demo/cgroup.procs); sleep 0.3

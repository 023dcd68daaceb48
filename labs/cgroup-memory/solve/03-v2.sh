bash -c 'echo $$ > /sys/fs/cgroup/demo/cgroup.procs; head -c 100M /dev/zero | tail > /dev/null' || true

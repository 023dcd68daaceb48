bash -c 'echo $$ > /sys/fs/cgroup/memory/demo/cgroup.procs; head -c 100M /dev/zero | tail > /dev/null' || true

# What the learner types; the whole thing is detached so the self-test does not wait for it.
mkfifo /tmp/c/exec.fifo
{ bash -c 'echo $$ > /sys/fs/cgroup/memory/box/cgroup.procs; echo $$ > /sys/fs/cgroup/pids/box/cgroup.procs
  exec unshare --pid --mount --uts --ipc --net --fork \
    capsh --drop=cap_sys_admin,cap_net_admin -- -c "cd /; read go < /tmp/c/exec.fifo; exec sleep 100000"' & } </dev/null >/dev/null 2>&1
sleep 1

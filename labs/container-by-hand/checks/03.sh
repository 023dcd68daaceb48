# Kernel check: a process of the sandbox that is PID 1 of its own PID namespace, in mount, UTS, IPC
# and network namespaces of its own, in the cgroup box (the host's cgroup.procs of box, in the pids
# hierarchy too on cgroup v1), without cap_sys_admin and cap_net_admin in its bounding set and
# without cap_sys_admin in its effective set (/proc/PID/status, host side).
# The container is found and judged by judge and best (checks/lib.sh).
best created
if [ -n "$PASS_PID" ]; then
  p=$PASS_PID
  pass "Process $(inner_pid "$p") is PID 1 of $(readlink "/proc/$p/ns/pid"), with its own $(readlink "/proc/$p/ns/mnt"), $(readlink "/proc/$p/ns/net"), UTS and IPC namespaces, in the cgroup box, with CapBnd $(status_field "$p" CapBnd): no cap_sys_admin, no cap_net_admin."
fi
[ "$BEST" -ge 0 ] && fail "$BEST_WHY" "$BEST_MSG"
fail no-container "No process is PID 1 of a PID namespace of yours yet: run the command on this page (unshare --pid --mount --uts --ipc --net --fork ...)."

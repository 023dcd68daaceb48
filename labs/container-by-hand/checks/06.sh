# Kernel check: the whole container at once, as `runc state` would vouch for it: one process that is
# PID 1 of its own PID namespace, in its own mount, UTS, IPC and network namespaces, whose mount
# namespace has the busybox overlay as its root, in the cgroup box, without cap_sys_admin (the
# same tests as steps 3 and 4), with a default route in its netns, and box's limits updated in
# place to 32 MiB and 16 processes (what runc update writes: the same files, no new object).
# The container is found and judged by judge and best (checks/lib.sh).
mem_limit() { # box's memory limit in bytes, empty when none
  local v
  if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then v=$(cat "$ISOPLAY_CGROUP/box/memory.max" 2>/dev/null); [ "$v" = max ] && v=""
  else v=$(cat "$ISOPLAY_CGROUP/box/memory.limit_in_bytes" 2>/dev/null); [ -n "$v" ] && [ "$v" -ge $((1 << 50)) ] && v=""; fi
  echo "$v"
}
pids_limit() { local v; v=$(cat "$ISOPLAY_CGROUP_PIDS/box/pids.max" 2>/dev/null); [ "$v" = max ] && v=""; echo "$v"; }

started_container
p=$PASS_PID; i=$(inner_pid "$p")
gw=$(nsenter -t "$p" -n ip route show default 2>/dev/null | head -n 1 | sed "s/ *$//")
[ -z "$gw" ] && fail no-network "The container has no default route any more: do the network step again."
m=$(mem_limit); n=$(pids_limit)
if [ "$m" != $((32 << 20)) ] || [ "$n" != 16 ]; then
  have="${m:+$((m >> 20)) MiB of memory}"; have="${have:-no memory limit} and ${n:+at most $n processes}"; have="${have% and }"; [ -n "$n" ] || have="$have and no process limit"
  fail not-updated "box still allows $have: update it in place like runc update --memory 32M --pids-limit 16 (write 32M and 16 into box's files, as on this page)."
fi
pass "One container, checked whole: PID 1 of $(readlink "/proc/$p/ns/pid") in its own mnt, uts, ipc and net namespaces, root = busybox overlay, hostname box, cgroup box at 32 MiB and 16 processes, CapBnd $(status_field "$p" CapBnd), $gw. That is what runc create and runc start build from a config.json."

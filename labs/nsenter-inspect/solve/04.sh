# What the learner does: the two blocks of the step, then the investigation and the move.
base=/sys/fs/cgroup/pids
[ "$ISOPLAY_CGROUP_MODE" = v2 ] && base=/sys/fs/cgroup
WEB=$(pgrep -n -f '^sleep 100000$')
mkdir -p $base/web $base/db
echo "$WEB" > $base/web/cgroup.procs
{ sh -c "echo \$\$ > $base/db/cgroup.procs; exec unshare --pid --uts --net --mount --fork --mount-proc bash -c 'hostname db; exec sleep 100001'" & } </dev/null >/dev/null 2>&1
# (waits until it is there: on a slow host, an emulated VM, it takes more than a moment)
for _ in $(seq 1 300); do DB=$(pgrep -n -f '^sleep 100001$') && break; sleep 0.1; done
target=$(shuf -n 1 -e "$WEB" "$DB")
{ nsenter -t "$target" --mount --uts --net --pid bash -c 'exec -a miner sleep 100002' & } </dev/null >/dev/null 2>&1
for _ in $(seq 1 300); do M=$(pgrep -n -f '^miner 100002$') && break; sleep 0.1; done
name=db
[ "$(readlink /proc/$M/ns/pid)" = "$(readlink /proc/$WEB/ns/pid)" ] && name=web
echo "$M" > $base/$name/cgroup.procs

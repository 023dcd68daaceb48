# Kernel check: the catalog's container has a memory cgroup of its own (a child of the sandbox's,
# read on the HOST's side: a file or mount faked inside the sandbox changes nothing here), with a
# limit, holding the running catalog's processes; the kernel counted an OOM kill in it; and the
# shop, outside that cgroup, still runs and answers.

d="$ISOPLAY_CGROUP/catalog"
if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then
  [ -f "$d/memory.max" ] || fail no-catalog-cgroup "There is no memory cgroup catalog yet: echo +memory > /sys/fs/cgroup/cgroup.subtree_control, then mkdir /sys/fs/cgroup/catalog"
  [ "$(cat "$d/memory.max" 2>/dev/null)" != max ] || fail no-limit "The cgroup catalog has no memory limit: echo 32M > /sys/fs/cgroup/catalog/memory.max"
  ooms=$(awk '$1 == "oom_kill" {print $2}' "$d/memory.events" 2>/dev/null)
  where=memory.events
else
  [ -f "$d/memory.oom_control" ] || fail no-catalog-cgroup "There is no memory cgroup catalog yet: mkdir /sys/fs/cgroup/memory/catalog"
  [ "$(cat "$d/memory.limit_in_bytes" 2>/dev/null || echo $((1 << 60)))" -lt $((1 << 50)) ] ||
    fail no-limit "The cgroup catalog has no memory limit: echo 32M > /sys/fs/cgroup/memory/catalog/memory.limit_in_bytes"
  ooms=$(awk '$1 == "oom_kill" {print $2}' "$d/memory.oom_control" 2>/dev/null)
  where=memory.oom_control
fi
procs=$(sandbox_procs)
cats=$(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog(-v2)?$')
[ -n "$cats" ] || fail no-catalog "No catalog runs: start catalog-v2 again as in the last step, then move it into the cgroup catalog."
members=$(cat "$d/cgroup.procs" 2>/dev/null)
incg=
for c in $cats; do
  own_container "$c" catalog
  grep -qx "$c" <<< "$members" && incg=$c
done
[ -n "$incg" ] || fail catalog-not-in-cgroup "The catalog's httpd (PID $(inner_of "${cats%%$'\n'*}")) is not in the cgroup catalog: write its PID (and its unshare's) into the cgroup's cgroup.procs."
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')
shop=$1
[ -n "$shop" ] || fail no-shop "The shop is gone: start it again as in step 2."
! grep -qx "$shop" <<< "$members" || fail shop-in-cgroup "The shop (PID $(inner_of "$shop")) is in the catalog's cgroup too: only the catalog belongs there."
[ "${ooms:-0}" -ge 1 ] || fail no-oom-kill "The catalog runs in its cgroup (PID $(inner_of "$incg")), but the kernel counts no OOM kill there yet ($where): ask the shop for an export."
out=$(curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
case $out in
  shop:*) pass "The kernel OOM-killed $ooms process(es) in the catalog's cgroup ($where), the catalog (PID $(inner_of "$incg")) and the shop (PID $(inner_of "$shop")) live on: $out" ;;
esac
fail shop-not-answering "The OOM kill stayed in the catalog's cgroup, but the shop does not answer at 10.0.0.3:8080 (it said: ${out:-nothing})."

# Kernel check (v1 and v2): reads demo's pids.max on the HOST's side of the session's pids cgroup
# (the pids hierarchy's on v1, the one tree on v2), so a fake pids.max mounted over the real one
# inside the sandbox changes nothing.
[ -d "$ISOPLAY_CGROUP_PIDS" ] || { echo "the session's pids cgroup is unknown"; exit 2; }
f="$ISOPLAY_CGROUP_PIDS/demo/pids.max"
v=$(cat "$f" 2>/dev/null) || fail no-demo-cgroup "demo has no pids.max (it is gone, or pids is not enabled for it): make it again as in step 1."
[ "$v" = max ] && fail no-limit "demo's pids.max still says max: no limit yet. Write 5 into it."
[ "$v" = 5 ] || fail wrong-limit "demo's pids.max is $v; this lab wants 5."
pass "The kernel allows demo 5 tasks (it holds $(cat "$ISOPLAY_CGROUP_PIDS/demo/pids.current") now)."

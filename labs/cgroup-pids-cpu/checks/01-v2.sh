# Kernel check (cgroup v2): looks for demo on the HOST's side of the session's cgroup
# ($ISOPLAY_CGROUP_PIDS = $ISOPLAY_CGROUP_CPU is what the learner sees as /sys/fs/cgroup), and for
# the pids and cpu controllers in its cgroup.controllers, which the kernel fills from the parent's
# cgroup.subtree_control. A directory or tmpfs made inside the sandbox never shows up there.
[ -d "$ISOPLAY_CGROUP_PIDS" ] || { echo "the session's cgroup is unknown"; exit 2; }
d="$ISOPLAY_CGROUP_PIDS/demo"
[ -f "$d/cgroup.controllers" ] || fail no-demo-cgroup "There is no cgroup demo yet: echo '+pids +cpu' > /sys/fs/cgroup/cgroup.subtree_control, then mkdir /sys/fs/cgroup/demo"
ctrls=" $(cat "$d/cgroup.controllers") "
missing=""
for c in pids cpu; do
  case "$ctrls" in *" $c "*) ;; *) missing="$missing +$c" ;; esac
done
if [ -n "$missing" ]; then
  fail controllers-not-enabled "demo exists, but the kernel gave it no${missing//+/ } files: its parent does not hand them down. Run: echo '${missing# }' > /sys/fs/cgroup/cgroup.subtree_control"
fi
pass "The kernel made demo with the pids and cpu controllers (cgroup.controllers:$(echo "$ctrls" | tr -s ' ' | sed 's/ $//'))."

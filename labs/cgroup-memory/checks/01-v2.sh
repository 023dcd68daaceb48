# Kernel check (cgroup v2): reads the HOST's side of the session's cgroup ($ISOPLAY_CGROUP is what
# the learner sees as /sys/fs/cgroup). A directory or tmpfs made inside the sandbox never shows up
# there: only a cgroup the kernel really made, with memory files once +memory is enabled above it.
d="$ISOPLAY_CGROUP/demo"
if [ -f "$d/memory.max" ]; then
  pass "The kernel made the cgroup /demo, with the memory controller: $(ls "$d" | grep -c '^memory\.') memory.* control files, memory.max among them."
fi
if [ -d "$d" ]; then
  fail memory-not-enabled "demo exists, but the kernel gave it no memory files: the memory controller is not enabled for the children of your cgroup. Run: echo +memory > /sys/fs/cgroup/cgroup.subtree_control"
fi
# `init` is where the sandbox's own processes live (a v2 cgroup with children holds none itself).
others=$(find "$ISOPLAY_CGROUP" -mindepth 1 -maxdepth 1 -type d ! -name init -printf '/%f ' 2>/dev/null)
if [ -n "$others" ]; then
  fail wrong-name "Your cgroup has ${others% }, but no /demo: the next steps use the name demo (mkdir /sys/fs/cgroup/demo)."
fi
fail no-demo-cgroup "There is no cgroup demo yet: echo +memory > /sys/fs/cgroup/cgroup.subtree_control, then mkdir /sys/fs/cgroup/demo"

# Kernel check (cgroup v1): reads the HOST's side of the session's memory cgroup ($ISOPLAY_CGROUP is
# what the learner sees as /sys/fs/cgroup/memory). A directory or tmpfs made inside the sandbox never
# shows up there: only a cgroup the kernel really made, with its control files, does.
d="$ISOPLAY_CGROUP/demo"
if [ -f "$d/memory.limit_in_bytes" ]; then
  pass "The kernel made the cgroup /demo in the memory hierarchy, and filled it with $(ls "$d" | grep -c '^memory\.') memory.* control files."
fi
for h in "$ISOPLAY_CGROUP_PIDS" "$ISOPLAY_CGROUP_CPU"; do
  if [ -n "$h" ] && [ "$h" != "$ISOPLAY_CGROUP" ] && [ -d "$h/demo" ]; then
    name=${h#/sys/fs/cgroup/}
    fail wrong-hierarchy "There is a cgroup demo in the ${name%%/*} hierarchy, but not in the memory one: mkdir /sys/fs/cgroup/memory/demo"
  fi
done
others=$(find "$ISOPLAY_CGROUP" -mindepth 1 -maxdepth 1 -type d -printf '/%f ' 2>/dev/null)
if [ -n "$others" ]; then
  fail wrong-name "Your memory hierarchy has ${others% }, but no /demo: the next steps use the name demo (mkdir /sys/fs/cgroup/memory/demo)."
fi
fail no-demo-cgroup "There is no cgroup demo in the memory hierarchy yet: mkdir /sys/fs/cgroup/memory/demo"

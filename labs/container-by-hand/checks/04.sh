# Kernel check: the container of step 3 (same tests) now has the busybox overlay as the root of its
# mount namespace (read from the namespace's own root, so chroot does not count), /proc mounted, the
# sandbox's old root gone, the hostname box in its UTS namespace (the host's hostname, run through
# nsenter -u), and PID 1 has become sleep (the kernel's comm): the container was started.
# The container is found and judged by judge and best (checks/lib.sh).
best started
if [ -n "$PASS_PID" ]; then
  p=$PASS_PID
  pass "Container PID $(inner_pid "$p") runs sleep as PID 1 in its own namespaces, hostname box, with the busybox overlay as its root ($(root_of <<< "$(ns_mountinfo "$p")" | sed 's/^overlay .*\(lowerdir=[^,]*\).*/overlay \1/')) and a /proc of its own."
fi
[ "$BEST" -ge 0 ] && fail "$BEST_WHY" "$BEST_MSG"
fail no-container "There is no container any more (no process is PID 1 of a PID namespace of yours): go back to the previous step and create it again."

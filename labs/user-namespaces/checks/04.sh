# Kernel check, all from the host's /proc: a process in a nested user namespace with CAP_SYS_ADMIN
# in its CapEff, whose UTS namespace is OWNED by that user namespace (the kernel's NS_GET_USERNS
# ioctl on /proc/PID/ns/uts, opened by the host), and whose hostname (host nsenter -u) is its own.
sandbox_name=$(hostname)
# The user namespace that owns process $1's UTS namespace, as user:[inode].
uts_owner() {
  python3 -c '
import fcntl, os, sys
fd = os.open("/proc/%s/ns/uts" % sys.argv[1], os.O_RDONLY)
print(os.readlink("/proc/self/fd/%d" % fcntl.ioctl(fd, 0xb701)))  # NS_GET_USERNS
' "$1" 2>/dev/null
}
nocaps=""; notowned=""; samename=""
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/user" 2>/dev/null) || continue
  [ "$ns" = "$sandbox_user" ] && continue
  cap=$(awk '/^CapEff:/ {print $2}' "/proc/$p/status" 2>/dev/null)
  [ -n "$cap" ] || continue
  if [ $(( (0x$cap >> 21) & 1 )) -eq 0 ]; then
    nocaps="Process $(inner_pid "$p") in user namespace $ns has CapEff $cap: no CAP_SYS_ADMIN, it is not root there. Use --map-root-user."
    continue
  fi
  owner=$(uts_owner "$p")
  if [ "$owner" != "$ns" ]; then
    notowned="Process $(inner_pid "$p") has every capability ($cap) in user namespace $ns, but its UTS namespace $(readlink "/proc/$p/ns/uts") belongs to ${owner:-another user namespace} (the sandbox's is $sandbox_user), so hostname fails with EPERM there. Run unshare --user --map-root-user --uts bash."
    continue
  fi
  h=$(nsenter -t "$p" -u hostname 2>/dev/null)
  if [ -n "$h" ] && [ "$h" != "$sandbox_name" ]; then
    pass "Process $(inner_pid "$p"): CapEff $cap in user namespace $ns, which owns UTS namespace $(readlink "/proc/$p/ns/uts"), called \"$h\". The sandbox is still \"$sandbox_name\"."
  fi
  samename="UTS namespace $(readlink "/proc/$p/ns/uts") is yours (owned by $ns) but still called \"$sandbox_name\": run hostname inner in that shell."
done
[ -n "$samename" ] && fail same-hostname "$samename"
[ -n "$notowned" ] && fail uts-not-owned "$notowned"
[ -n "$nocaps" ] && fail no-caps "$nocaps"
fail no-nested-userns "No process runs in a user namespace of its own: run unshare --user --map-root-user --uts bash."

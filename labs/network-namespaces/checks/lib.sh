# Shared by this lab's checks (the server puts this file before each check script).
# in_netns NAME CMD...: runs the HOST's CMD in the learner's network namespace /run/netns/NAME.
# /run/netns lives in the sandbox's mount namespace, which the check has not joined, and a path
# under /proc/PID/root is the learner's to bend (a symlink there would resolve against the host's
# root). So a small python3 helper joins the sandbox's mount namespace first (its root is then
# the sandbox's: no path can lead out), opens the name with O_PATH, goes back to the host's mount
# namespace, makes sure the file is on nsfs (the kernel's namespace files), joins it as a network
# namespace (setns refuses any other kind) and only then runs the host's binary. Exit 97: no such
# namespace.
in_netns() {
  python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
init, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if "/" in name or name in ("", ".", ".."): sys.exit(97)
host = os.open("/proc/self/ns/mnt", os.O_RDONLY)
box = os.open("/proc/%s/ns/mnt" % init, os.O_RDONLY)
if libc.setns(box, 0x00020000) != 0: sys.exit(96)
try: p = os.open("/run/netns/" + name, os.O_PATH | os.O_NOFOLLOW)
except OSError: p = -1
if libc.setns(host, 0x00020000) != 0: os._exit(96)
os.chdir("/")
if p < 0 or os.fstat(p).st_dev != os.stat("/proc/self/ns/net").st_dev: sys.exit(97)
fd = os.open("/proc/self/fd/%d" % p, os.O_RDONLY)
if libc.setns(fd, 0x40000000) != 0: sys.exit(97)
os.execvp(argv[0], argv)
' "$ISOPLAY_INIT_PID" "$@"
}
# need_netns NAME REASON MESSAGE: fails with REASON and MESSAGE when the learner has no network
# namespace NAME; any other failure of in_netns is the check's own error (exit 2).
need_netns() {
  local rc
  in_netns "$1" true; rc=$?
  [ $rc -eq 97 ] && fail "$2" "$3"
  [ $rc -ne 0 ] && { echo "in_netns failed ($rc)" >&2; exit 2; }
  return 0
}

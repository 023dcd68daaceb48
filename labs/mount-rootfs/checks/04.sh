# Kernel check. For every mount namespace of the sandbox's processes other than the sandbox's own, it
# reads the namespace's whole mount table as seen from the namespace's root: a host python3 opens the
# host's /proc first, then setns()es into the namespace (its root becomes the namespace's root, which
# pivot_root changes and chroot does not) and reads self/mountinfo relative to the /proc it opened
# before. Nothing it opens is a path of the learner's. Passes when the namespace's root mount is an
# overlay whose lowerdir is /images/debian, /proc is mounted in it, the old root is gone, and a process
# of that namespace is in a PID namespace of its own.
init_mnt=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/mnt")
init_pid=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/pid")
ns_mountinfo() {
  python3 -c '
import ctypes, os, sys
proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
ns = os.open("/proc/%d/ns/mnt" % int(sys.argv[1]), os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).setns(ns, 0x00020000) != 0:
    sys.exit(1)
fd = os.open("self/mountinfo", os.O_RDONLY, dir_fd=proc)
out = b""
while True:
    b = os.read(fd, 65536)
    if not b: break
    out += b
os.write(1, out)
' "$1" 2>/dev/null
}
# "fstype superopts" of the mount on "/" in a mountinfo text on stdin.
root_of() { awk '$5 == "/" { for (i = 7; $i != "-"; i++); r = $(i+1) " " $(i+3) } END { print r }'; }
declare -A seen
chrooted=""; no_proc=""; old_left=""; no_pidns=""; wrong=""
for p in $(session_pids); do
  m=$(readlink "/proc/$p/ns/mnt" 2>/dev/null) || continue
  [ "$m" = "$init_mnt" ] && continue
  # What this process sees as / (its own root): chroot changes this too.
  own=$(root_of < "/proc/$p/mountinfo" 2>/dev/null)
  [ -n "${seen[$m]+x}" ] && continue
  view=$(ns_mountinfo "$p") || continue
  root=$(root_of <<< "$view")
  case "$root" in
    overlay\ *) ;;
    *)
      case "$own" in overlay\ *lowerdir=/images/debian[,:]*) chrooted=$p ;; esac
      continue ;;
  esac
  seen[$m]=1
  case "$root" in *lowerdir=/images/debian,*|*lowerdir=/images/debian:*) ;; *) wrong="$p ${root#overlay }"; continue ;; esac
  if ! awk '$5 == "/proc" { for (i = 7; $i != "-"; i++); if ($(i+1) == "proc") f = 1 } END { exit !f }' <<< "$view"; then no_proc=$p; continue; fi
  old=$(awk '$5 != "/" && $5 != "/proc" && $5 !~ /^\/proc\// && $5 !~ /^\/(dev|sys)(\/|$)/ { print $5; exit }' <<< "$view")
  # The sandbox's own tree (its tmpfs root and the bind mounts of /usr, /images...) must be gone.
  old_root=$(awk '$4 == "/usr" || $4 ~ /\/build\/images\// { print $5; exit }' <<< "$view")
  if [ -n "$old_root" ]; then old_left="$p $old_root"; continue; fi
  for q in $(session_pids); do
    [ "$(readlink "/proc/$q/ns/mnt" 2>/dev/null)" = "$m" ] || continue
    if [ "$(readlink "/proc/$q/ns/pid" 2>/dev/null)" != "$init_pid" ]; then
      pass "Mount namespace $m has the Debian overlay ($root) as its root, /proc mounted, and the sandbox's old root is gone; process $(inner_pid "$q") lives there in PID namespace $(readlink "/proc/$q/ns/pid")${old:+ (also mounted: $old)}."
    fi
  done
  no_pidns=$p
done
[ -n "$old_left" ] && fail old-root-mounted "The Debian overlay is the root of process $(inner_pid "${old_left%% *}")'s mount namespace, but the sandbox's old root is still mounted there (at ${old_left#* }): run /old-root/usr/bin/busybox umount -l /old-root."
[ -n "$no_proc" ] && fail no-proc "The Debian overlay is the root of process $(inner_pid "$no_proc")'s mount namespace, but no proc is mounted on its /proc: run /old-root/usr/bin/busybox mount -t proc proc /proc (before the old root goes away)."
[ -n "$no_pidns" ] && fail no-pid-namespace "Process $(inner_pid "$no_pidns") pivoted into the Debian overlay, but it is still in the sandbox's PID namespace: start over with unshare --mount --pid --fork bash."
[ -n "$wrong" ] && fail wrong-image "Process $(inner_pid "${wrong%% *}") pivoted into an overlay, but not one over /images/debian (it has ${wrong#* }): use lowerdir=/images/debian."
[ -n "$chrooted" ] && fail chroot-not-pivot "Process $(inner_pid "$chrooted") sees the Debian overlay as / through chroot, but its mount namespace's root is still the sandbox's tree (everything is still mounted, one cd .. trick away): use pivot_root."
fail no-pivot "No mount namespace of yours has the Debian overlay as its root yet: mount the overlay on /tmp/root, then in unshare --mount --pid --fork bash run cd /tmp/root; pivot_root . old-root."

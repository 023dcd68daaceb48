# Kernel check: reads the mount table of the sandbox's own mount namespace from the HOST's
# /proc/<init>/mountinfo (the kernel's text, not a file of the learner's) and looks for an overlay
# mounted on /tmp/c/root whose lower layer is /images/busybox. A tmpfs, a bind mount of the image or
# a directory of copied files is not an overlay; chroot and fake files change nothing here.
line=$(awk '$5 == "/tmp/c/root" { for (i = 7; $i != "-"; i++); r = $(i+1) " " $(i+3) } END { print r }' "/proc/$ISOPLAY_INIT_PID/mountinfo")
case "$line" in
  "") fail no-mount "Nothing is mounted on /tmp/c/root yet: mkdir -p /tmp/c/up /tmp/c/work /tmp/c/root, then mount -t overlay overlay -o lowerdir=/images/busybox,upperdir=/tmp/c/up,workdir=/tmp/c/work /tmp/c/root" ;;
  overlay\ *lowerdir=/images/busybox,*|overlay\ *lowerdir=/images/busybox:*|overlay\ *lowerdir=/images/busybox) ;;
  overlay\ *) fail wrong-image "/tmp/c/root is an overlay, but its lower layer is not /images/busybox (${line#overlay }): unmount it and use lowerdir=/images/busybox." ;;
  *) fail not-overlay "/tmp/c/root is a ${line%% *} mount, not an overlay: umount /tmp/c/root, then mount -t overlay overlay -o lowerdir=/images/busybox,upperdir=/tmp/c/up,workdir=/tmp/c/work /tmp/c/root" ;;
esac
upper=$(sed -n 's/.*upperdir=\([^,]*\).*/\1/p' <<< "$line")
pass "/tmp/c/root is an overlay: the image /images/busybox below, read-only, and your writable layer ${upper:-?} above."

mkdir -p /tmp/up /tmp/work /tmp/root
mount -t overlay overlay -o lowerdir=/images/debian,upperdir=/tmp/up,workdir=/tmp/work /tmp/root
# What the learner types in the new shell; sleep (Debian's own, found after pivot_root) stands for it.
{ unshare --mount --pid --fork sh -c 'cd /tmp/root && mkdir -p old-root && pivot_root . old-root && cd / &&
    /old-root/usr/bin/busybox mount -t proc proc /proc && /old-root/usr/bin/busybox umount -l /old-root &&
    grep -q Debian /etc/os-release && exec sleep 100004' & } </dev/null >/dev/null 2>&1
# Until the new root is in place (sleep runs only after pivot_root and the umount): a loaded host is slow.
for i in $(seq 50); do pgrep -f 'sleep 100004' >/dev/null && break; sleep 0.2; done

mkdir -p /mnt/share && mount -t tmpfs share /mnt/share && mount --make-shared /mnt/share
# The Second terminal: a copy of the namespace that keeps the propagation flags (sleep stands for its bash).
{ unshare --mount --propagation unchanged sleep 100002 & } </dev/null >/dev/null 2>&1
sleep 0.5
mkdir -p /mnt/share/a && mount -t tmpfs a /mnt/share/a

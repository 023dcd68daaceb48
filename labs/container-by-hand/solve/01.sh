mkdir -p /tmp/c/up /tmp/c/work /tmp/c/root
mount -t overlay overlay -o lowerdir=/images/busybox,upperdir=/tmp/c/up,workdir=/tmp/c/work /tmp/c/root

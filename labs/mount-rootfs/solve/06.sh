mkdir -p /tmp/layer/etc /tmp/up2 /tmp/work2 /tmp/box
echo "Welcome to my layer" > /tmp/layer/etc/motd
printf 'NAME="My image"\nID=mine\n' > /tmp/layer/etc/os-release
mount -t overlay overlay -o lowerdir=/tmp/layer:/images/busybox,upperdir=/tmp/up2,workdir=/tmp/work2 /tmp/box
grep -q "My image" /tmp/box/etc/os-release

#!/bin/busybox sh
# PID 1 of the learner's virtual machine (the containers-vs-VM lab). It runs on the VM's OWN kernel,
# booted by qemu inside the learner's sandbox: nothing here is shared with the host kernel.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp /root && mount -t devpts devpts /dev/pts
hostname vm
# The disk driver (virtio): /dev/vda is the playground's busybox image, the very tarball your
# container unpacks from /images/busybox.tar, handed to this VM by qemu as a read-only disk.
for m in $(cat /lib/modules/order 2>/dev/null); do insmod "/lib/modules/$m.ko" 2>/dev/null; done
ip link set lo up 2>/dev/null
release=$(uname -r)
boot_id=$(cat /proc/sys/kernel/random/boot_id)
uptime=$(cut -d' ' -f1 /proc/uptime)
# The second serial port is a file in the sandbox: the playground's kernel view reads this line to
# show the VM's kernel beside the host's. The guest writes it itself: it is the guest kernel's word.
printf '{"release":"%s","bootId":"%s","uptimeSec":%s,"memTotalKb":%s}\n' "$release" "$boot_id" "$uptime" \
  "$(awk '/MemTotal/{print $2}' /proc/meminfo)" > /dev/ttyS1
printf '\n\033[1;35mvm: its own kernel %s is up (its clock says %s s, counted after firmware and decompression). boot id %s\033[0m\n' "$release" "$uptime" "$boot_id"
printf '\033[2mThis is a virtual machine: type poweroff (or press Ctrl-A then X) to stop it.\033[0m\n'
# The third serial port is another file in the sandbox: while a program runs here from an image's
# root (chroot), this says which root and which binary (its sha256), and how much of the image disk
# the VM read, so the lab can check that the same image ran on both kernels. Written on change only.
(
  last=
  while :; do
    imgs=
    for p in /proc/[0-9]*; do
      r=$(readlink "$p/root" 2>/dev/null) || continue
      [ -n "$r" ] && [ "$r" != / ] || continue
      sum=$(sha256sum "$p/exe" 2>/dev/null | cut -c1-64)
      [ -n "$sum" ] && imgs="$imgs{\"root\":\"$(printf %s "$r" | tr -cd 'A-Za-z0-9/._-' | cut -c1-64)\",\"sha256\":\"$sum\"},"
    done
    sectors=0
    [ -r /sys/block/vda/stat ] && sectors=$(awk '{print $3}' /sys/block/vda/stat)
    line="{\"images\":[${imgs%,}],\"vdaReadSectors\":$sectors}"
    if [ "$line" != "$last" ]; then printf '%s\n' "$line" > /dev/ttyS2; last=$line; fi
    sleep 2
  done
) </dev/null >/dev/null 2>&1 &
cat > /etc/profile <<'P'
PS1='\[\e[1;35m\]root@vm\[\e[0m\]:\w# '
alias poweroff='poweroff -f' reboot='poweroff -f'
P
cd /root
while :; do
  setsid cttyhack sh -l
  printf 'vm: the shell exited; powering off\n'
  poweroff -f
done

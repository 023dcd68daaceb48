C=$(pgrep -P "$(pgrep -xn unshare)")
nsenter -t "$C" -m -u -p sh -c 'hostname box; cd /tmp/c/root && mkdir -p old-root proc && pivot_root . old-root && cd / && mount -t proc proc /proc && umount -l /old-root && rmdir /old-root'
echo go > /tmp/c/exec.fifo
sleep 0.5

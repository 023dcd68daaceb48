# The Second terminal's namespace is the one of "sleep 100002" (step 2's solve).
p=$(pgrep -f 'sleep 100002' | head -1)
nsenter -t "$p" -m sh -c 'mount --make-slave /mnt/share && mkdir -p /mnt/share/mine && mount -t tmpfs mine /mnt/share/mine'
mkdir -p /mnt/share/later && mount -t tmpfs later /mnt/share/later

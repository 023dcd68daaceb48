pkill -o qemu-system
for _ in $(seq 1 50); do pgrep qemu-system >/dev/null || exit 0; sleep 0.1; done
pkill -9 qemu-system

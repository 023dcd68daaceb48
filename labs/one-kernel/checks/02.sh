# Kernel check: this check runs in the sandbox's network namespace, so the host's own `ip` lists
# the interfaces the kernel holds in the sandbox's view of the network (nothing mounted or faked
# inside the sandbox changes that).
# lo, and eth0 (the veth to the sandbox's own "internet", server/sandbox/world.ts) were there from the start.
links=$(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -vx -e lo -e eth0)
if [ -n "$links" ]; then
  pass "Your sandbox's network namespace now holds $(echo $links | sed 's/ /, /g') beside lo. The host's network did not change: the kernel made them in your sandbox's view only."
fi
fail only-loopback "Your sandbox's network namespace holds only what it started with: ip link add veth0 type veth peer name veth1"

ip link add veth0 type veth peer name veth1

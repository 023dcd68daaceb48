ip netns add c1
ip link add veth-c1 type veth peer name eth0 netns c1
ip addr add 10.0.0.1/24 dev veth-c1
ip link set veth-c1 up
ip -n c1 addr add 10.0.0.2/24 dev eth0
ip -n c1 link set eth0 up
ip -n c1 link set lo up
ip netns exec c1 ping -c 2 -W 1 10.0.0.1 >/dev/null

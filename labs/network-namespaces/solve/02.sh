ip link add br0 type bridge
ip link set br0 up
ip addr del 10.0.0.1/24 dev veth-c1
ip link set veth-c1 master br0
ip addr add 10.0.0.1/24 dev br0
for i in 2 3; do
  ip netns add c$i
  ip link add veth-c$i type veth peer name eth0 netns c$i
  ip link set veth-c$i master br0
  ip link set veth-c$i up
  ip -n c$i addr add 10.0.0.$((i + 1))/24 dev eth0
  ip -n c$i link set eth0 up
  ip -n c$i link set lo up
done
ip netns exec c1 ping -c 1 -W 2 10.0.0.3 >/dev/null
ip netns exec c1 ping -c 1 -W 2 10.0.0.4 >/dev/null
ip netns exec c2 ping -c 1 -W 2 10.0.0.4 >/dev/null

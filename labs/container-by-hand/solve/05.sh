C=$(pgrep -xf 'sleep 100000' | head -n 1)
ip link add veth-box type veth peer name eth0 netns "$C"
ip addr add 10.200.0.1/24 dev veth-box
ip link set veth-box up
nsenter -t "$C" -n ip addr add 10.200.0.2/24 dev eth0
nsenter -t "$C" -n ip link set eth0 up
nsenter -t "$C" -n ip link set lo up
nsenter -t "$C" -n ip route add default via 10.200.0.1
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 10.200.0.0/24 -o eth0 -j MASQUERADE

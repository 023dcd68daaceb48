ip -n c1 route add default via 10.0.0.1
sysctl -w net.ipv4.ip_forward=1 >/dev/null
iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
mkdir -p /etc/netns/c1
cp /etc/resolv.conf /etc/netns/c1/resolv.conf
ip netns exec c1 curl -s -m 60 http://www.example.test/ >/dev/null

mkdir -p /srv/c2
echo '<h1>Hello from c2</h1>' > /srv/c2/index.html
{ ip netns exec c2 busybox httpd -p 80 -h /srv/c2; } </dev/null >/dev/null 2>&1
ip -n c2 route add default via 10.0.0.1
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.3:80
sleep 0.3
ip netns exec world curl -s -m 60 http://192.0.2.2:8080/ >/dev/null

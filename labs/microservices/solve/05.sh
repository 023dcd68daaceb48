set -e
ip netns add catalog3
ip link add veth-catalog3 type veth peer name eth0 netns catalog3
ip link set veth-catalog3 master br0 up
ip -n catalog3 addr add 10.0.0.5/24 dev eth0
ip -n catalog3 link set eth0 up
ip -n catalog3 link set lo up
ip netns exec catalog3 unshare --pid --fork --mount-proc busybox httpd -f -p 8080 -h /srv/catalog-v2 >/dev/null 2>&1 &
for _ in $(seq 1 50); do curl -s -m 1 http://10.0.0.5:8080/api/items >/dev/null && break; sleep 0.1; done
ip netns exec shop iptables -t nat -A OUTPUT -p tcp -d 10.0.0.10 --dport 8080 -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.0.0.4:8080
ip netns exec shop iptables -t nat -A OUTPUT -p tcp -d 10.0.0.10 --dport 8080 -j DNAT --to-destination 10.0.0.5:8080
echo 10.0.0.10 > /srv/shop/catalog-endpoints
# The check judges the balancing; these requests only show it (a slow CGI under emulation must not fail the solve).
for i in 1 2 3 4; do ip netns exec shop curl -s -m 10 http://10.0.0.10:8080/cgi-bin/whoami || true; done
ip netns exec shop iptables -t nat -L OUTPUT -nv

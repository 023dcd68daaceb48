set -e
ip netns add shop
ip link add veth-shop type veth peer name eth0 netns shop
ip link set veth-shop master br0 up
ip -n shop addr add 10.0.0.3/24 dev eth0
ip -n shop link set eth0 up
ip -n shop link set lo up
ip netns exec shop unshare --pid --fork --mount-proc busybox httpd -f -p 8080 -h /srv/shop >/dev/null 2>&1 &
for _ in $(seq 1 50); do curl -s -m 1 http://10.0.0.3:8080/ >/dev/null && exit 0; sleep 0.1; done

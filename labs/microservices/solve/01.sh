set -e
ip netns add catalog
ip link add veth-catalog type veth peer name eth0 netns catalog
ip link set veth-catalog master br0 up
ip -n catalog addr add 10.0.0.2/24 dev eth0
ip -n catalog link set eth0 up
ip -n catalog link set lo up
ip netns exec catalog unshare --pid --fork --mount-proc busybox httpd -f -p 8080 -h /srv/catalog >/dev/null 2>&1 &
for _ in $(seq 1 50); do curl -s -m 1 http://10.0.0.2:8080/api/items >/dev/null && exit 0; sleep 0.1; done

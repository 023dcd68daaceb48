set -e
ip netns add catalog2
ip link add veth-catalog2 type veth peer name eth0 netns catalog2
ip link set veth-catalog2 master br0 up
ip -n catalog2 addr add 10.0.0.4/24 dev eth0
ip -n catalog2 link set eth0 up
ip -n catalog2 link set lo up
ip netns exec catalog2 unshare --pid --fork --mount-proc busybox httpd -f -p 8080 -h /srv/catalog-v2 >/dev/null 2>&1 &
for _ in $(seq 1 50); do curl -s -m 1 http://10.0.0.4:8080/api/items >/dev/null && break; sleep 0.1; done
printf '10.0.0.4\n10.0.0.2\n' > /srv/shop/catalog-endpoints
pkill -KILL -f 'httpd -f -p 8080 -h /srv/catalog$'
for _ in $(seq 1 50); do pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog$' >/dev/null || exit 0; sleep 0.1; done
echo "version 1 did not stop" >&2
exit 1

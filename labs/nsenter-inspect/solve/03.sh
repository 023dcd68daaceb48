WEB=$(pgrep -n -f '^sleep 100000$')
nsenter -t "$WEB" --uts hostname frontend
nsenter -t "$WEB" --net ip link set lo up

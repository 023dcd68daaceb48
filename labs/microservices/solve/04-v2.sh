set -e
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/catalog
echo 32M > /sys/fs/cgroup/catalog/memory.max
echo 0 2>/dev/null > /sys/fs/cgroup/catalog/memory.swap.max || true
for pid in $(pgrep -f 'httpd -f -p 8080 -h /srv/catalog-v2$'); do
  echo "$pid" > /sys/fs/cgroup/catalog/cgroup.procs
done
curl -s -m 120 http://10.0.0.3:8080/cgi-bin/export
curl -s -m 60 http://10.0.0.3:8080/cgi-bin/order
grep oom_kill /sys/fs/cgroup/catalog/memory.events

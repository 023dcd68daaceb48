set -e
mkdir -p /sys/fs/cgroup/memory/catalog
echo 32M > /sys/fs/cgroup/memory/catalog/memory.limit_in_bytes
echo 32M > /sys/fs/cgroup/memory/catalog/memory.memsw.limit_in_bytes 2>/dev/null || true
for pid in $(pgrep -f 'httpd -f -p 8080 -h /srv/catalog-v2$'); do
  echo "$pid" > /sys/fs/cgroup/memory/catalog/cgroup.procs
done
curl -s -m 120 http://10.0.0.3:8080/cgi-bin/export
curl -s -m 60 http://10.0.0.3:8080/cgi-bin/order
grep oom_kill /sys/fs/cgroup/memory/catalog/memory.oom_control

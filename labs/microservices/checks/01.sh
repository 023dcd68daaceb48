# Passes when the catalog's httpd runs in a network and a PID namespace other than the sandbox's,
# and its API answers at 10.0.0.2:8080.
pid=$(pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog$' | head -n 1)
if [ -z "$pid" ]; then
  echo "No catalog service runs yet: start busybox httpd -f -p 8080 -h /srv/catalog in its namespace."
  exit 1
fi
if [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; then
  echo "The catalog (PID $pid) runs in the sandbox's own network namespace: start it with ip netns exec catalog ..."
  exit 1
fi
if [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/self/ns/pid)" ]; then
  echo "The catalog (PID $pid) has its own network but shares the sandbox's PID namespace: add unshare --pid --fork --mount-proc."
  exit 1
fi
out=$(curl -s -m 3 http://10.0.0.2:8080/api/items)
case "$out" in
  *'"service":"catalog"'*) echo "The catalog answers at 10.0.0.2:8080 from its own $(readlink /proc/$pid/ns/net) and $(readlink /proc/$pid/ns/pid): $out"; exit 0 ;;
esac
echo "The catalog runs (PID $pid) but nothing answers at 10.0.0.2:8080: is its eth0 at 10.0.0.2 and up, and veth-catalog on br0?"
exit 1

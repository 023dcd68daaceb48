# Passes when version 1 is stopped, version 2 runs in a container of its own, and the shop (the
# same process as before, never restarted) answers with version 2's data.
if pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog$' >/dev/null; then
  v2=$(pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog-v2$' | head -n 1)
  if [ -z "$v2" ]; then echo "Version 1 still runs, and version 2 does not yet: start catalog-v2 at 10.0.0.4."
  else echo "Version 2 runs (PID $v2). Now point the shop at it and stop version 1."; fi
  exit 1
fi
v2=$(pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog-v2$' | head -n 1)
if [ -z "$v2" ]; then
  echo "No catalog runs at all: start catalog-v2 in its own namespace at 10.0.0.4."
  exit 1
fi
if [ "$(readlink /proc/$v2/ns/net)" = "$(readlink /proc/self/ns/net)" ]; then
  echo "catalog-v2 runs in the sandbox's network namespace: give it one of its own (ip netns exec catalog2 ...)."
  exit 1
fi
out=$(curl -s -m 5 http://10.0.0.3:8080/cgi-bin/order)
case "$out" in
  *'catalog v2'*) echo "Deployed without touching the shop: $out"; exit 0 ;;
esac
echo "The shop does not reach version 2 yet (it said: ${out:-nothing}). Is 10.0.0.4 in /srv/shop/catalog-endpoints?"
exit 1

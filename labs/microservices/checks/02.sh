# Passes when the shop runs in a container of its own (not the catalog's) and its API answers with
# data it got from the catalog's API.
shop=$(pgrep -f '^busybox httpd -f -p 8080 -h /srv/shop$' | head -n 1)
cat=$(pgrep -f '^busybox httpd -f -p 8080 -h /srv/catalog' | head -n 1)
if [ -z "$shop" ]; then
  echo "No shop service runs yet: start busybox httpd -f -p 8080 -h /srv/shop in the shop namespace."
  exit 1
fi
if [ "$(readlink /proc/$shop/ns/net)" = "$(readlink /proc/self/ns/net)" ] || { [ -n "$cat" ] && [ "$(readlink /proc/$shop/ns/net)" = "$(readlink /proc/$cat/ns/net)" ]; }; then
  echo "The shop (PID $shop) must have a network namespace of its own, apart from the sandbox's and the catalog's."
  exit 1
fi
out=$(curl -s -m 5 http://10.0.0.3:8080/cgi-bin/order)
case "$out" in
  *'(catalog v'*) echo "Two containers talking over an API: $out"; exit 0 ;;
  '') echo "Nothing answers at 10.0.0.3:8080: is the shop's eth0 at 10.0.0.3 and up, and veth-shop on br0?"; exit 1 ;;
esac
echo "The shop answers, but could not reach the catalog: $out"
exit 1

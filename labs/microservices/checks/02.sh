# Kernel check: the shop's httpd has a network namespace of its own (neither the sandbox's nor a
# catalog's) and a PID namespace of its own, and its API answers with data from a catalog container
# that really has the address the shop names.

procs=$(sandbox_procs)
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')
shop=$1
[ -n "$shop" ] || fail no-shop "No shop service runs yet: start busybox httpd -f -p 8080 -h /srv/shop in the shop namespace."
own_container "$shop" shop
cats=$(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog(-v2)?$')
for c in $cats; do
  if [ "/proc/$shop/ns/net" -ef "/proc/$c/ns/net" ]; then
    fail shared-network "The shop (PID $(inner_of "$shop")) shares the catalog's network namespace: give it one of its own (ip netns add shop ...)."
  fi
done
has_addr "$shop" 10.0.0.3 || fail no-address "The shop (PID $(inner_of "$shop")) runs in a network namespace without the address 10.0.0.3: ip -n shop addr add 10.0.0.3/24 dev eth0"
[ -n "$cats" ] || fail no-catalog "The shop runs, but no catalog does: it has nobody to ask. Start the catalog as in the last step."
out=$(curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
[ -n "$out" ] || fail not-reachable "Nothing answers at 10.0.0.3:8080: is the shop's eth0 up, and veth-shop on br0 and up?"
[[ $out =~ \(catalog\ v[0-9]+\ at\ ([0-9.]+)\) ]] || fail catalog-unreachable "The shop answers, but could not reach the catalog: $out"
ip=${BASH_REMATCH[1]}
for c in $cats; do
  has_addr "$c" "$ip" && pass "Two containers talking over an API: $out"
done
fail catalog-unreachable "The shop says it reached a catalog at $ip, but no catalog container has that address."

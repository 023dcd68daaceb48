# Kernel check: version 1 is gone from the sandbox's processes, version 2 runs in a network and a
# PID namespace of its own with the address 10.0.0.4, and the shop answers with version 2's data.

procs=$(sandbox_procs)
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog$')
v1=$1
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog-v2$')
v2=$1
if [ -n "$v1" ]; then
  [ -n "$v2" ] || fail no-v2 "Version 1 still runs, and version 2 does not yet: start catalog-v2 at 10.0.0.4."
  fail v1-running "Version 2 runs (PID $(inner_of "$v2")). Now point the shop at it, then stop version 1."
fi
[ -n "$v2" ] || fail no-v2 "No catalog runs at all: start catalog-v2 in its own namespace at 10.0.0.4."
own_container "$v2" catalog-v2
has_addr "$v2" 10.0.0.4 || fail no-address "catalog-v2 (PID $(inner_of "$v2")) runs in a network namespace without the address 10.0.0.4: ip -n catalog2 addr add 10.0.0.4/24 dev eth0"
[ -n "$(service_pids '^busybox httpd -f -p 8080 -h /srv/shop$')" ] || fail no-shop "The shop is gone: start it again as in the last step."
out=$(curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" http://10.0.0.3:8080/cgi-bin/order | head -n 1 | head -c 300)
case $out in
  *'(catalog v2 at 10.0.0.4)'*) pass "Deployed without touching the shop: $out" ;;
esac
fail shop-not-updated "The shop does not reach version 2 yet (it said: ${out:-nothing}). Is 10.0.0.4 in /srv/shop/catalog-endpoints?"

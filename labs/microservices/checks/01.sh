# Kernel check: the catalog's httpd, found among the sandbox's processes on the host's side, has a
# network and a PID namespace of its own, holds the socket listening on port 8080 in a namespace
# whose interface has 10.0.0.2, and its API answers there (curl runs in the sandbox's network).

procs=$(sandbox_procs)
set -- $(service_pids '^busybox httpd -f -p 8080 -h /srv/catalog$')
pid=$1
[ -n "$pid" ] || fail no-catalog "No catalog service runs yet: start busybox httpd -f -p 8080 -h /srv/catalog in its namespace, as on this page."
own_container "$pid" catalog
has_addr "$pid" 10.0.0.2 || fail no-address "The catalog (PID $(inner_of "$pid")) runs in a network namespace without the address 10.0.0.2: ip -n catalog addr add 10.0.0.2/24 dev eth0"
listens "$pid" 8080 || fail not-listening "The catalog (PID $(inner_of "$pid")) does not listen on port 8080 in its network namespace."
out=$(curl -s -m "${ISOPLAY_HTTP_TIMEOUT:-5}" http://10.0.0.2:8080/api/items | head -n 1 | head -c 300)
case $out in
  *'"service":"catalog"'*) pass "The catalog answers at 10.0.0.2:8080 from its own $(readlink "/proc/$pid/ns/net") and $(readlink "/proc/$pid/ns/pid"): $out" ;;
esac
fail not-reachable "The catalog runs at 10.0.0.2 (PID $(inner_of "$pid")), but its API does not answer from the sandbox: is its eth0 up, and veth-catalog on br0 and up?"

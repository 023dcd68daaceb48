# The lab's stage: a bridge in the sandbox's network namespace (the "switch" every service plugs
# into) and the two services' files. The learner builds the containers themselves.
set -e
ip link add br0 type bridge
ip addr add 10.0.0.1/24 dev br0
ip link set br0 up
mkdir -p /srv/catalog/api /srv/catalog-v2/api /srv/shop/cgi-bin
printf '{"service":"catalog","version":1,"items":["tea","coffee"]}\n' > /srv/catalog/api/items
printf '{"service":"catalog","version":2,"items":["tea","coffee","cocoa"]}\n' > /srv/catalog-v2/api/items
echo 10.0.0.2 > /srv/shop/catalog-endpoints
cat > /srv/shop/cgi-bin/order <<'CGI'
#!/bin/sh
# The shop's API: it asks the catalog service for its items, over HTTP, at the first endpoint that answers.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
printf 'Content-Type: text/plain\r\n\r\n'
for ip in $(cat /srv/shop/catalog-endpoints); do
  items=$(curl -s -f -m 2 "http://$ip:8080/api/items") || continue
  version=$(echo "$items" | sed -n 's/.*"version":\([0-9]*\).*/\1/p')
  list=$(echo "$items" | sed -n 's/.*"items":\[\(.*\)\].*/\1/p' | tr -d '"' | sed 's/,/, /g')
  echo "shop: you can order $list (catalog v$version at $ip)"
  exit 0
done
echo "shop: the catalog does not answer at any of: $(cat /srv/shop/catalog-endpoints | tr '\n' ' ')"
CGI
chmod +x /srv/shop/cgi-bin/order
# Step 4: a memory-hungry endpoint of the catalog (it builds a 68 MiB export in memory before it
# sends a byte), and the shop's endpoint that asks for it.
mkdir -p /srv/catalog-v2/cgi-bin
cat > /srv/catalog-v2/cgi-bin/export <<'CGI'
#!/usr/bin/python3
# The catalog's export: it builds the whole export in memory (68 MiB) before it sends a byte.
export = b"tea,coffee,cocoa\n" * (4 << 20)
print("Content-Type: text/plain\r\n\r\n", end="")
print("catalog: exported %d MiB" % (len(export) >> 20))
CGI
cat > /srv/shop/cgi-bin/export <<'CGI'
#!/bin/sh
# The shop's export page: it asks the catalog for its export, and answers either way.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
printf 'Content-Type: text/plain\r\n\r\n'
ip=$(head -n 1 /srv/shop/catalog-endpoints)
if out=$(curl -s -S -f -m 20 "http://$ip:8080/cgi-bin/export" 2>&1); then
  echo "shop: $out (catalog at $ip)"
else
  echo "shop: sorry, the catalog at $ip failed the export ($out)"
fi
CGI
# Step 5: each replica says which one it is (the address of its own eth0).
cat > /srv/catalog-v2/cgi-bin/whoami <<'CGI'
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
printf 'Content-Type: text/plain\r\n\r\n'
echo "catalog replica at $(ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)"
CGI
chmod +x /srv/catalog-v2/cgi-bin/export /srv/catalog-v2/cgi-bin/whoami /srv/shop/cgi-bin/export

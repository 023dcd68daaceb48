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

# Kernel check (host side, in the sandbox's network namespace): br0 and its ports are read with the
# host's ip; each of c1, c2, c3 is looked into with in_netns (checks/lib.sh), and the check pings
# between them itself.
br=$(ip -j -d link show dev br0 2>/dev/null | jq -r '.[0] | select(.linkinfo.info_kind == "bridge") | .operstate')
[ -z "$br" ] && fail no-bridge "There is no bridge called br0 yet: run ip link add br0 type bridge, then ip link set br0 up."
[ "$br" = "DOWN" ] && fail link-down "br0 is down: run ip link set br0 up."
ports=$(ip -j -d link show master br0 | jq -c '[.[] | {ifname, ifindex, link_index, operstate, veth: (.linkinfo.info_kind == "veth")}]')

declare -A want=([c1]=10.0.0.2 [c2]=10.0.0.3 [c3]=10.0.0.4)
for c in c1 c2 c3; do
  need_netns "$c" missing-namespace "There is no network namespace called $c yet: run ip netns add $c."
  a=${want[$c]}
  theirs=$(in_netns "$c" ip -j -d addr show | jq -r --arg a "$a" '.[] | select(.linkinfo.info_kind == "veth")
    | select(any(.addr_info[]?; .family == "inet" and .local == $a and .prefixlen == 24))
    | "\(.ifname) \(.ifindex) \(.link_index) \(.operstate)"' | head -1)
  [ -z "$theirs" ] && fail not-on-bridge "$c has no veth with the address $a/24: give its end of the pair that address (ip -n $c addr add $a/24 dev eth0)."
  read -r tname tindex tpeer tstate <<< "$theirs"
  port=$(jq -r --argjson i "$tpeer" --argjson me "$tindex" '.[] | select(.ifindex == $i and .link_index == $me and .veth) | "\(.ifname) \(.operstate)"' <<< "$ports")
  [ -z "$port" ] && fail not-on-bridge "$c's $tname ($a) is a veth, but its other end is not a port of br0: run ip link set veth-$c master br0."
  read -r pname pstate <<< "$port"
  [ "$tstate" = "DOWN" ] && fail link-down "$c's $tname is down: run ip -n $c link set $tname up."
  [ "$pstate" = "DOWN" ] && fail link-down "$pname (the sandbox's end of $c's pair) is down: run ip link set $pname up."
done

ip -j addr show dev br0 | jq -e '.[0].addr_info | any(.family == "inet" and .local == "10.0.0.1" and .prefixlen == 24)' >/dev/null \
  || fail no-bridge-address "br0 has no address 10.0.0.1/24: the sandbox's own address now belongs on the bridge (ip addr add 10.0.0.1/24 dev br0)."
dev=$(ip -j route get 10.0.0.2 | jq -r '.[0].dev')
[ "$dev" != "br0" ] && fail old-address "The sandbox still sends 10.0.0.x out of $dev, not br0: remove the address a port still holds (ip addr del 10.0.0.1/24 dev $dev)."

for pair in "c1 10.0.0.3" "c1 10.0.0.4" "c2 10.0.0.4" "c3 10.0.0.2"; do
  set -- $pair
  in_netns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 || fail no-ping "Everything is wired, but $2 does not answer a ping from $1: are all the links up?"
done
n=$(jq length <<< "$ports")
pass "br0 has $n ports; c1 (10.0.0.2), c2 (10.0.0.3) and c3 (10.0.0.4) each hang on it by a veth pair and ping one another through it."

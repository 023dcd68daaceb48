# Kernel check (host side, in the sandbox's network namespace). It reads the sandbox's veth with the
# host's ip, looks into netns c1 through in_netns (checks/lib.sh), and pings across both ways
# itself.
need_netns c1 no-c1 "There is no network namespace called c1 yet: run ip netns add c1."

# The sandbox's end: a veth holding 10.0.0.1/24 whose peer lives in another namespace.
mine=$(ip -j -d addr show | jq -r '.[] | select(.linkinfo.info_kind == "veth" and .link_netnsid != null)
  | select(any(.addr_info[]?; .family == "inet" and .local == "10.0.0.1" and .prefixlen == 24))
  | "\(.ifname) \(.ifindex) \(.link_index) \(.operstate)"' | head -1)
[ -z "$mine" ] && fail no-veth "No veth in the sandbox holds 10.0.0.1/24 with its other end in another namespace: make the pair with ip link add veth-c1 type veth peer name eth0 netns c1, then ip addr add 10.0.0.1/24 dev veth-c1."
read -r my_name my_index peer_index my_state <<< "$mine"

# c1's end: the interface that is that veth's peer (its index, and pointing back at ours), holding 10.0.0.2/24.
theirs=$(in_netns c1 ip -j -d addr show | jq -r --argjson me "$my_index" --argjson peer "$peer_index" '.[]
  | select(.ifindex == $peer and .link_index == $me and .linkinfo.info_kind == "veth")
  | "\(.ifname) \(.operstate) \([.addr_info[]? | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(","))"' | head -1)
[ -z "$theirs" ] && fail no-veth "$my_name has 10.0.0.1/24, but its other end is not in c1: create the pair with peer name eth0 netns c1 (or move the end with ip link set IFACE netns c1)."
read -r their_name their_state their_addrs <<< "$theirs"
case ",$their_addrs," in *,10.0.0.2/24,*) ;; *)
  fail no-peer-address "c1's end of the pair ($their_name) has no address 10.0.0.2/24 (it has: ${their_addrs:-none}): run ip -n c1 addr add 10.0.0.2/24 dev $their_name." ;;
esac
[ "$my_state" = "DOWN" ] && fail link-down "$my_name is down: run ip link set $my_name up."
[ "$their_state" = "DOWN" ] && fail link-down "c1's $their_name is down: run ip -n c1 link set $their_name up."
ping -c1 -W1 10.0.0.2 >/dev/null 2>&1 || fail no-ping "The pair is set up but 10.0.0.2 does not answer a ping from the sandbox: are both ends up (state UP in ip link and ip -n c1 link)?"
in_netns c1 ping -c1 -W1 10.0.0.1 >/dev/null 2>&1 || fail no-ping "10.0.0.1 does not answer a ping from c1."
pass "A veth pair joins two network namespaces: the sandbox's $my_name (10.0.0.1) and c1's $their_name (10.0.0.2), and pings cross it both ways."

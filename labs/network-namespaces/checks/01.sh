# Kernel check (host side, in the sandbox's network namespace). It reads the sandbox's veth with the
# host's ip, looks into netns c1 through in_netns (below), and pings across both ways itself.
# in_netns NAME CMD...: runs the HOST's CMD in the learner's network namespace /run/netns/NAME.
# /run/netns lives in the sandbox's mount namespace, which the check has not joined, and a path
# under /proc/PID/root is the learner's to bend (a symlink there would resolve against the host's
# root). So a small python3 helper joins the sandbox's mount namespace first (its root is then
# the sandbox's: no path can lead out), opens the name with O_PATH, goes back to the host's mount
# namespace, makes sure the file is on nsfs (the kernel's namespace files), joins it as a network
# namespace (setns refuses any other kind) and only then runs the host's binary. Exit 97: no such
# namespace.
in_netns() {
  python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
init, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if "/" in name or name in ("", ".", ".."): sys.exit(97)
host = os.open("/proc/self/ns/mnt", os.O_RDONLY)
box = os.open("/proc/%s/ns/mnt" % init, os.O_RDONLY)
if libc.setns(box, 0x00020000) != 0: sys.exit(96)
try: p = os.open("/run/netns/" + name, os.O_PATH | os.O_NOFOLLOW)
except OSError: p = -1
if libc.setns(host, 0x00020000) != 0: os._exit(96)
os.chdir("/")
if p < 0 or os.fstat(p).st_dev != os.stat("/proc/self/ns/net").st_dev: sys.exit(97)
fd = os.open("/proc/self/fd/%d" % p, os.O_RDONLY)
if libc.setns(fd, 0x40000000) != 0: sys.exit(97)
os.execvp(argv[0], argv)
' "$ISOPLAY_INIT_PID" "$@"
}
in_netns c1 true; rc=$?
[ $rc -eq 97 ] && fail no-c1 "There is no network namespace called c1 yet: run ip netns add c1."
[ $rc -ne 0 ] && { echo "in_netns failed ($rc)" >&2; exit 2; }

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

# Kernel check: the started container (the same tests as the previous step) has an interface with
# an address and a default route in its own network namespace (the host's ip through nsenter -n);
# the sandbox forwards (ip_forward, read in the sandbox's netns) and masquerades (the host's
# iptables in the sandbox's netns, or a masquerade in nft's ruleset). Then the check sends a
# request of its own from the container's netns with the host's curl, and requires an iptables
# MASQUERADE counter to grow when there is such a rule: the answer came through the sandbox's NAT,
# not from an address faked inside the container's namespace.
# --- Shared by checks 03 to 06 (the same text in each: a check is one script) ---------------------
# The container is found on the HOST's side: a process of the sandbox that is PID 1 of a PID
# namespace the learner made (NSpid in the host's /proc/PID/status). Everything about it is read
# from the kernel: /proc/PID/ns/* links, the host's cgroup.procs files, CapBnd/CapEff in
# /proc/PID/status, its mount namespace's table and `nsenter -t PID -n|-u` with the host's ip,
# hostname and curl. /proc/PID/root is never followed.
SYS_ADMIN=21; NET_ADMIN=12
has_cap() { [ $(( (16#$1 >> $2) & 1 )) = 1 ]; }
status_field() { awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null; }
containers() {
  local p ns
  for p in $(session_pids); do
    ns=$(awk '/^NSpid:/ { print NF - 2, $NF }' "/proc/$p/status" 2>/dev/null)
    [ "${ns% *}" -ge 2 ] 2>/dev/null && [ "${ns#* }" = 1 ] && echo "$p"
  done
  return 0
}
# ns_mountinfo PID: the mount table of PID's mount namespace as seen from the NAMESPACE's root (a
# host python3 opens the host's /proc, setns()es into the namespace, whose root becomes its own, and
# reads self/mountinfo relative to the /proc it opened before). chroot does not change this view;
# pivot_root does.
ns_mountinfo() {
  python3 -c '
import ctypes, os, sys
proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
ns = os.open("/proc/%d/ns/mnt" % int(sys.argv[1]), os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).setns(ns, 0x00020000) != 0:
    sys.exit(1)
fd = os.open("self/mountinfo", os.O_RDONLY, dir_fd=proc)
out = b""
while True:
    b = os.read(fd, 65536)
    if not b: break
    out += b
os.write(1, out)
' "$1" 2>/dev/null
}
# "fstype superoptions" of the mount on / in a mountinfo text on stdin.
root_of() { awk '$5 == "/" { for (i = 7; $i != "-"; i++); r = $(i+1) " " $(i+3) } END { print r }'; }
busybox_overlay() { case "$1" in overlay\ *lowerdir=/images/busybox,*|overlay\ *lowerdir=/images/busybox:*|overlay\ *lowerdir=/images/busybox) return 0 ;; esac; return 1; }
mem_limit() { # box's memory limit in bytes, empty when none
  local v
  if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then v=$(cat "$ISOPLAY_CGROUP/box/memory.max" 2>/dev/null); [ "$v" = max ] && v=""
  else v=$(cat "$ISOPLAY_CGROUP/box/memory.limit_in_bytes" 2>/dev/null); [ -n "$v" ] && [ "$v" -ge $((1 << 50)) ] && v=""; fi
  echo "$v"
}
pids_limit() { local v; v=$(cat "$ISOPLAY_CGROUP_PIDS/box/pids.max" 2>/dev/null); [ "$v" = max ] && v=""; echo "$v"; }
if [ "$ISOPLAY_CGROUP_MODE" = v2 ]; then CG=/sys/fs/cgroup/box; CGP=/sys/fs/cgroup/box; else CG=/sys/fs/cgroup/memory/box; CGP=/sys/fs/cgroup/pids/box; fi

# judge PID LEVEL: how far PID gets (sets STAGE, WHY and MSG for the first thing it lacks).
# LEVEL created: namespaces, cgroup, capabilities. started: also its root, /proc, hostname, sleep.
judge() {
  local p=$1 level=$2 i n bnd eff view own root name
  i=$(inner_pid "$p"); STAGE=0
  for n in mnt uts ipc net; do
    if [ "/proc/$p/ns/$n" -ef "/proc/$ISOPLAY_INIT_PID/ns/$n" ]; then
      WHY=missing-namespace; MSG="Process $i (PID 1 of its own PID namespace) still shares the sandbox's $n namespace: unshare needs --pid --mount --uts --ipc --net --fork. Kill it and start again."; return
    fi
  done
  STAGE=1
  if ! grep -qx "$p" "$ISOPLAY_CGROUP/box/cgroup.procs" 2>/dev/null; then
    WHY=not-in-cgroup; MSG="Process $i has its own namespaces but is not in the cgroup box (see $CG/cgroup.procs): write the shell's \$\$ into box's cgroup.procs before it runs unshare, as on this page."; return
  fi
  if [ "$ISOPLAY_CGROUP_PIDS" != "$ISOPLAY_CGROUP" ] && ! grep -qx "$p" "$ISOPLAY_CGROUP_PIDS/box/cgroup.procs" 2>/dev/null; then
    WHY=not-in-cgroup; MSG="Process $i is in box in the memory hierarchy but not in the pids one: on cgroup v1 each hierarchy has its own cgroup.procs ($CGP/cgroup.procs)."; return
  fi
  STAGE=2
  bnd=$(status_field "$p" CapBnd); eff=$(status_field "$p" CapEff)
  if has_cap "$bnd" $SYS_ADMIN || has_cap "$bnd" $NET_ADMIN; then
    WHY=caps-not-dropped; MSG="Process $i still has cap_sys_admin or cap_net_admin in its bounding set (CapBnd: $bnd): start it through capsh --drop=cap_sys_admin,cap_net_admin."; return
  fi
  if has_cap "$eff" $SYS_ADMIN; then
    WHY=caps-not-dropped; MSG="cap_sys_admin is gone from process $i's bounding set, but it still HAS it (CapEff: $eff, CapInh: $(status_field "$p" CapInh)): a capability kept in the inheritable set survives exec. Start it with capsh --drop=cap_sys_admin,cap_net_admin alone."; return
  fi
  STAGE=3
  [ "$level" = created ] && return
  view=$(ns_mountinfo "$p")
  root=$(root_of <<< "$view")
  if ! busybox_overlay "$root"; then
    own=$(root_of < "/proc/$p/mountinfo" 2>/dev/null)
    if busybox_overlay "$own"; then
      WHY=chroot-not-pivot; MSG="Process $i sees the busybox overlay as / through chroot, but its mount namespace's root is still the sandbox's tree: use pivot_root."
    else
      WHY=no-pivot; MSG="The root of process $i's mount namespace is not the busybox overlay yet (${root:-unknown}): pivot_root into /tmp/c/root from nsenter -t PID -m -u -p, as on this page."
    fi
    return
  fi
  STAGE=4
  if ! awk '$5 == "/proc" { for (i = 7; $i != "-"; i++); if ($(i+1) == "proc") f = 1 } END { exit !f }' <<< "$view"; then
    WHY=no-proc; MSG="Process $i's root is the busybox overlay, but no proc is mounted on its /proc: mount -t proc proc /proc (before the old root goes away)."; return
  fi
  if awk '$4 == "/usr" || $4 ~ /\/images\// { f = 1 } END { exit !f }' <<< "$view"; then
    WHY=old-root-mounted; MSG="Process $i's root is the busybox overlay, but the sandbox's old root is still mounted in its namespace: umount -l /old-root."; return
  fi
  STAGE=5
  name=$(nsenter -t "$p" -u hostname 2>/dev/null)
  if [ "$name" != box ]; then
    WHY=wrong-hostname; MSG="The container's hostname is '$name', not box: set it inside its UTS namespace (hostname box in the nsenter command)."; return
  fi
  STAGE=6
  if [ "$(cat "/proc/$p/comm" 2>/dev/null)" != sleep ]; then
    WHY=not-started; MSG="The container is created, but PID 1 ($(cat "/proc/$p/comm" 2>/dev/null)) still waits to be started: echo go > /tmp/c/exec.fifo"; return
  fi
  STAGE=7
}
# best LEVEL: judges every container; PASS_PID is one that got everything, otherwise BEST_* hold the
# failure of the one that got furthest.
best() {
  local p; PASS_PID=""; BEST=-1; BEST_WHY=""; BEST_MSG=""
  local want=3; [ "$1" = started ] && want=7
  for p in $(containers); do
    judge "$p" "$1"
    if [ "$STAGE" -ge "$want" ]; then PASS_PID=$p; return; fi
    if [ "$STAGE" -gt "$BEST" ]; then BEST=$STAGE; BEST_WHY=$WHY; BEST_MSG=$MSG; fi
  done
}
# --- end of the shared part ---------------------------------------------------------------------

best started
if [ -z "$PASS_PID" ]; then
  [ "$BEST" -ge 0 ] && fail container-broken "$BEST_MSG"
  fail container-broken "There is no container any more (no process is PID 1 of a PID namespace of yours): go back and create and start it again."
fi
p=$PASS_PID; i=$(inner_pid "$p")
in_c() { nsenter -t "$p" -n "$@"; }
links=$(in_c ip -o link show 2>/dev/null | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }')
[ -z "$links" ] && fail no-interface "The container's network namespace has only lo: ip link add veth-box type veth peer name eth0 netns \$C (C is its PID: $i)."
addr=$(in_c ip -4 -o addr show scope global 2>/dev/null | awk '{ print $4; exit }')
[ -z "$addr" ] && fail no-address "The container has $(echo $links) but no IPv4 address on it: nsenter -t $i -n ip addr add 10.200.0.2/24 dev eth0 (and ip addr add 10.200.0.1/24 dev veth-box on your side)."
gw=$(in_c ip route show default 2>/dev/null | head -n 1 | sed "s/ *$//")
[ -z "$gw" ] && fail no-default-route "The container has $addr but no default route: nsenter -t $i -n ip link set eth0 up, then nsenter -t $i -n ip route add default via 10.200.0.1"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail no-forwarding "The sandbox does not forward packets between its interfaces (net.ipv4.ip_forward is 0): sysctl -w net.ipv4.ip_forward=1"
in_c ip route get 203.0.113.80 2>/dev/null | grep -q '^local' && fail fake-internet "203.0.113.80 is an address of the container's own namespace: remove it, the container must reach the real one through the sandbox."
masq_pkts() {
  iptables -w 2 -t nat -L POSTROUTING -v -n -x 2>/dev/null | awk '$3 == "MASQUERADE" { n += $1; f = 1 } END { if (f) print n }'
}
before=$(masq_pkts)
if [ -z "$before" ] && ! nft list ruleset 2>/dev/null | grep -qw masquerade; then
  fail no-masquerade "The sandbox has no MASQUERADE rule: the world cannot answer 10.200.0.x. Run iptables -t nat -A POSTROUTING -s 10.200.0.0/24 -o eth0 -j MASQUERADE"
fi
body=$(in_c curl --noproxy '*' -s -m 4 http://203.0.113.80/ 2>/dev/null | head -c 2000)
case "$body" in *"Hello from the internet"*) ;; *)
  fail no-internet "The container ($addr, $gw) gets no answer from http://203.0.113.80/: are eth0 and veth-box both up (ip link), and does nsenter -t $i -n ping -c1 10.200.0.1 answer?" ;;
esac
after=$(masq_pkts)
if [ -n "$before" ] && [ "${after:-0}" -le "$before" ]; then
  fail not-masqueraded "The container got an answer, but not through your MASQUERADE rule (its counter stayed at $before): does it reach 203.0.113.80 some other way?"
fi
pass "From the container's own $(readlink "/proc/$p/ns/net"): address $addr, $gw; the sandbox forwards and masquerades, and http://203.0.113.80/ answered 'Hello from the internet'."

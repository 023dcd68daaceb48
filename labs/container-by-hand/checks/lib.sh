# Shared by this lab's checks (the server puts this file before each check script): checks 03 to 06
# judge the same container with judge and best.
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
# started_container: for the steps after the container was started (05, 06): PASS_PID is the started
# container, or the check fails with container-broken (the message of the one that got furthest).
started_container() {
  best started
  if [ -z "$PASS_PID" ]; then
    [ "$BEST" -ge 0 ] && fail container-broken "$BEST_MSG"
    fail container-broken "There is no container any more (no process is PID 1 of a PID namespace of yours): go back and create and start it again."
  fi
}

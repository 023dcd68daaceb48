# Kernel check: the VM's boot id comes from a running VM only (the host's own qemu among the
# sandbox's processes, and the report its guest wrote through qemu's serial port, read on the host's
# side); the container's boot id is the host kernel's own. Only the answer is the learner's file:
# see learner_answer.

# sandbox_procs: one line "HOSTPID DEPTH INNERPID OWNPID" per process of the sandbox, read in one pass
# over the HOST's /proc (DEPTH and INNERPID as ns_depth and inner_pid give them; OWNPID is its pid in
# its own, innermost PID namespace). session_pids costs two processes per pid: a check stays quick.
sandbox_procs() {
  find "$ISOPLAY_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un | sed 's|.*|/proc/&/status|' |
    xargs -r grep -H '^NSpid:' 2>/dev/null |
    awk '{ n = split($0, w, /[ \t]+/); sub(/^\/proc\//, "", w[1]); sub(/\/.*/, "", w[1]); if (n > 2) print w[1], n - 2, w[3], w[n] }'
}
# real_qemus: host pids of the sandbox's processes ($procs) that run the HOST's own qemu-system
# binary, compared by device and inode through /proc/PID/exe, read on the host's side: a program
# merely called qemu-system... (a renamed copy of sleep, a bind mount over the name) is not one.
real_qemus() {
  local bins exes pid rest
  bins=$(stat -L -c '%d:%i' /usr/bin/qemu-system-* 2>/dev/null)
  exes=$(while read -r pid rest; do [ -n "$pid" ] && echo "/proc/$pid/exe"; done <<< "$procs")
  [ -n "$bins" ] && [ -n "$exes" ] || return 0
  printf '%s\n' "$exes" | xargs -r stat -L -c '%d:%i %n' 2>/dev/null |
    awk -v bins="$bins" 'BEGIN { n = split(bins, b, "\n"); for (i = 1; i <= n; i++) ok[b[i]] = 1 } ok[$1] { split($2, f, "/"); print f[3] }'
}
# vm_report QEMU_HOST_PID: prints "RELEASE BOOT_ID UPTIME" from the report the guest's own init
# writes to its second serial port at boot. That port is a file in the sandbox which qemu holds
# open: it is read through qemu's descriptor (/proc/PID/fd/N is the very file qemu writes; no path
# of the sandbox's tree is walked), only when it is a regular file owned by the sandbox's root, and
# only a UUID, a kernel release and a number are taken from it.
vm_report() {
  local fd owner line id rel up
  owner=$(stat -c %u "/proc/$ISOPLAY_INIT_PID")
  for fd in $(find "/proc/$1/fd" -mindepth 1 -lname '*/isoplay-vm/vm-*.json' 2>/dev/null); do
    [ "$(stat -L -c '%F %u' "$fd" 2>/dev/null)" = "regular file $owner" ] || continue
    line=$(timeout 2 head -c 600 "$fd" 2>/dev/null)
    line=${line%%$'\n'*}
    [[ $line =~ \"bootId\":\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\" ]] || continue
    id=${BASH_REMATCH[1]}
    rel='?'; [[ $line =~ \"release\":\"([A-Za-z0-9._+~-]{1,64})\" ]] && rel=${BASH_REMATCH[1]}
    up='?'; [[ $line =~ \"uptimeSec\":([0-9.]{1,12}) ]] && up=${BASH_REMATCH[1]}
    echo "$rel $id $up"
    return 0
  done
  return 1
}
# learner_answer: the first line of /root/vm-boot-id, the learner's own file. It is read by head run
# as the sandbox's root inside every namespace of the sandbox (nsenter --all into its init), as a
# file check would read it: never by the host's root through /proc/PID/root. What it prints is only
# compared with the VM's boot id, and shown back only when it looks like one.
learner_answer() {
  local a=
  read -r -t 2 a < <(timeout -s KILL 2 nsenter -t "$ISOPLAY_INIT_PID" --all head -c 200 /root/vm-boot-id 2>/dev/null </dev/null)
  a=${a//[[:space:]]/}
  printf '%s' "${a,,}"
}

host=$(cat /proc/sys/kernel/random/boot_id)
procs=$(sandbox_procs)
qs=$(real_qemus)
[ -n "$qs" ] || fail no-vm "No VM runs now: start it again with isoplay-vm in the VM console."
vms=
for q in $qs; do
  r=$(vm_report "$q") || continue
  set -- $r
  vms="$vms $2"
done
vms=${vms# }
[ -n "$vms" ] || fail not-booted "qemu runs, but the VM's kernel has not reported its boot id yet: give it a few seconds."
mine=$(learner_answer)
[ -n "$mine" ] || fail no-answer "There is no boot id in /root/vm-boot-id yet: write the VM's boot id into it from the Container terminal."
if [ "$mine" = "$host" ]; then
  fail container-boot-id "/root/vm-boot-id holds the container's boot id, which is the host's ($host). The VM's is different: read it in the VM console."
fi
for vm in $vms; do
  if [ "$mine" = "$vm" ]; then
    pass "Two kernels: the VM booted its own (boot id $vm), while the container shares the host's ($host)."
  fi
done
said="does not hold a boot id"
[[ $mine =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] && said="says $mine"
fail wrong-boot-id "/root/vm-boot-id $said, but the VM's kernel reports ${vms// /, }. Copy it from the VM console."

# Shared by this lab's checks (the server puts this file before each check script).

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
# vm_images QEMU_HOST_PID: prints the guest's last report of programs running from an image's root,
# one line "VDA_READ_SECTORS ROOT SHA256" per program (or "VDA_READ_SECTORS - -" when none runs). The
# guest's init writes the report to its third serial port, a file qemu holds open, read here through
# qemu's descriptor as vm_report reads the boot report; only paths, hashes and a number are taken.
vm_images() {
  local fd owner line sectors rest root sum found=
  owner=$(stat -c %u "/proc/$ISOPLAY_INIT_PID")
  for fd in $(find "/proc/$1/fd" -mindepth 1 -lname '*/isoplay-vm/vm-*.images' 2>/dev/null); do
    [ "$(stat -L -c '%F %u' "$fd" 2>/dev/null)" = "regular file $owner" ] || continue
    line=$(timeout 2 tail -c 4000 "$fd" 2>/dev/null | tail -n 1)
    [[ $line =~ \"vdaReadSectors\":([0-9]{1,12}) ]] || continue
    sectors=${BASH_REMATCH[1]}
    rest=$line
    while [[ $rest =~ \{\"root\":\"([A-Za-z0-9/._-]{1,64})\",\"sha256\":\"([0-9a-f]{64})\"\} ]]; do
      echo "$sectors ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
      found=1
      rest=${rest#*"${BASH_REMATCH[0]}"}
    done
    [ -n "$found" ] || echo "$sectors - -"
    return 0
  done
  return 1
}

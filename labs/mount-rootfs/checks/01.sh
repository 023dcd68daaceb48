# Kernel check. Reads /proc/PID/mountinfo (written by the kernel) of every process of the sandbox and
# of the sandbox's init, never a file of the sandbox's. Passes when a process in a mount namespace of
# its own has a mount on /tmp that the sandbox's own namespace does not have (the topmost mount on
# /tmp differs: by device, or the sandbox has none).
init_mnt=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/mnt")
# The topmost mount on /tmp, as seen by process $1: "major:minor fstype", or nothing.
tmp_mount() { awk '$5 == "/tmp" { for (i = 7; $i != "-"; i++); t = $3 " " $(i+1) } END { print t }' "/proc/$1/mountinfo" 2>/dev/null; }
init_tmp=$(tmp_mount "$ISOPLAY_INIT_PID")
own=""; same=""
for p in $(session_pids); do
  m=$(readlink "/proc/$p/ns/mnt" 2>/dev/null) || continue
  [ "$m" = "$init_mnt" ] && continue
  own=$p
  t=$(tmp_mount "$p")
  [ -z "$t" ] && continue
  if [ "$t" != "$init_tmp" ]; then
    pass "Process $(inner_pid "$p") in mount namespace $m has its own ${t#* } on /tmp (device ${t%% *}); the sandbox's namespace $init_mnt ${init_tmp:+has a different /tmp}${init_tmp:-has no mount on /tmp at all}."
  fi
  same=$p
done
[ -n "$same" ] && fail tmp-everywhere "The mount on /tmp of process $(inner_pid "$same") is the sandbox's own as well: it was mounted outside the new namespace. Run umount /tmp in the sandbox's shell, then mount the tmpfs from inside unshare --mount."
[ -n "$own" ] && fail no-tmp-mount "Process $(inner_pid "$own") has a mount namespace of its own, but nothing is mounted on /tmp in it yet: run mount -t tmpfs private-tmp /tmp in that shell."
fail no-own-mnt "No process runs in a mount namespace of its own yet: run unshare --mount bash."

# Kernel check. Why not a file check (`nsenter --uts=/run/uts-keep hostname` inside the sandbox)?
# Because the kernel already lists every mount in /proc/PID/mountinfo, which the host reads without
# following any path of the sandbox's: a bind mount of a namespace shows there as filesystem type
# "nsfs" with the namespace itself as its root, "uts:[inode]". That proves, unfakeably, that a UTS
# namespace is kept by a mount; comparing its inode with every process's /proc/PID/ns/uts proves
# nobody is in it. The one thing the host cannot read is the hostname inside it: that would mean
# opening the learner's file /run/uts-keep (through /proc/PID/root, a path the learner controls), so
# the check does not judge the name; the step's text shows it with nsenter --uts=/run/uts-keep.
sandbox_uts=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/uts")
pids=$(session_pids)
# The mounts of every mount namespace the sandbox's processes use (a learner may have made more).
declare -A seen_mnt
kept=""
for p in $pids; do
  m=$(readlink "/proc/$p/ns/mnt" 2>/dev/null) || continue
  [ -n "${seen_mnt[$m]+set}" ] && continue
  seen_mnt[$m]=1
  # mountinfo: id parent major:minor root mountpoint options [optional...] - fstype source superopts
  kept+=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break; if ($(i+1) == "nsfs" && $4 ~ /^uts:\[[0-9]+\]$/) print $4 "\t" $5 }' "/proc/$p/mountinfo" 2>/dev/null)$'\n'
done
busy=""
while IFS=$'\t' read -r ns at; do
  [ -z "$ns" ] && continue
  [ "$ns" = "$sandbox_uts" ] && continue
  users=""
  for p in $pids; do
    [ "$(readlink "/proc/$p/ns/uts" 2>/dev/null)" = "$ns" ] && users="$users $(inner_pid "$p")"
  done
  if [ -z "$users" ]; then
    pass "UTS namespace $ns is mounted on $at and has no process at all: the mount alone keeps it alive."
  fi
  busy="$ns (mounted on $at) still has process(es)$users in it: let them exit, the mount alone must keep it."
done <<< "$kept"
[ -n "$busy" ] && fail still-in-use "$busy"
fail no-kept-namespace "No UTS namespace of yours is mounted on a file yet: run touch /run/uts-keep, then unshare --uts=/run/uts-keep hostname kept."

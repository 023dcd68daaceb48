# Kernel check: sums the ranges of each nested user namespace's uid_map, read from the host's /proc
# (kernel-written, in host uids), and passes when one maps at least 65536 uids.
sandbox_user=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/user")
base=$(awk '$1 == 0 {print $2}' "/proc/$ISOPLAY_INIT_PID/uid_map")
show() { awk -v b="$base" '{ printf "%s%s %s %s", sep, $1, $2 - b, $3; sep = ", " }' "$1"; }
declare -A seen
small=""
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/user" 2>/dev/null) || continue
  [ "$ns" = "$sandbox_user" ] && continue
  [ -n "${seen[$ns]+set}" ] && continue
  seen[$ns]=1
  n=$(awk '{ s += $3 } END { print s + 0 }' "/proc/$p/uid_map" 2>/dev/null)
  if [ "${n:-0}" -ge 65536 ]; then
    pass "User namespace $ns (process $(inner_pid "$p")) maps $n uids: '$(show "/proc/$p/uid_map")' in sandbox ids, host uids from $(awk '{print $2; exit}' "/proc/$p/uid_map") on."
  fi
  small="User namespace $ns (process $(inner_pid "$p")) maps ${n:-0} uid(s) ('$(show "/proc/$p/uid_map")'): a container needs a whole range. Run unshare --user --map-auto sleep 1000 &"
done
[ -n "$small" ] && fail small-map "$small"
fail no-nested-userns "No process runs in a user namespace of its own: run unshare --user --map-auto sleep 1000 &"

# Kernel check: sums the ranges of each nested user namespace's uid_map, read from the host's /proc
# (kernel-written, in host uids), and passes when one maps at least 65536 uids.
small=""
nested_userns
for p in "${NESTED[@]}"; do
  ns=${USERNS[$p]}
  n=$(awk '{ s += $3 } END { print s + 0 }' "/proc/$p/uid_map" 2>/dev/null)
  if [ "${n:-0}" -ge 65536 ]; then
    pass "User namespace $ns (process $(inner_pid "$p")) maps $n uids: '$(show "/proc/$p/uid_map")' in sandbox ids, host uids from $(awk '{print $2; exit}' "/proc/$p/uid_map") on."
  fi
  small="User namespace $ns (process $(inner_pid "$p")) maps ${n:-0} uid(s) ('$(show "/proc/$p/uid_map")'): a container needs a whole range. Run unshare --user --map-auto sleep 1000 &"
done
[ -n "$small" ] && fail small-map "$small"
fail no-nested-userns "No process runs in a user namespace of its own: run unshare --user --map-auto sleep 1000 &"

# Kernel check: reads the host's /proc/PID/uid_map and gid_map of processes in a user namespace
# other than the sandbox's. The host's kernel prints them in host uids, whatever the sandbox mounts
# over its own /proc; we convert them back to the sandbox's uids for the message.
nomap=""; nogid=""
nested_userns
for p in "${NESTED[@]}"; do
  ns=${USERNS[$p]}
  u=$(grep -c . "/proc/$p/uid_map" 2>/dev/null); g=$(grep -c . "/proc/$p/gid_map" 2>/dev/null)
  if [ "${u:-0}" -ge 1 ] && [ "${g:-0}" -ge 1 ]; then
    pass "User namespace $ns (process $(inner_pid "$p")): uid_map '$(show "/proc/$p/uid_map")' and gid_map '$(show "/proc/$p/gid_map")' in sandbox ids; the host's kernel reads '$(awk '{printf "%s%s %s %s", s, $1, $2, $3; s=", "}' "/proc/$p/uid_map")'."
  fi
  if [ "${u:-0}" -ge 1 ]; then
    nogid="User namespace $ns (process $(inner_pid "$p")) has a uid_map ('$(show "/proc/$p/uid_map")') but an empty gid_map: echo '0 1000 1' > /proc/$(inner_pid "$p")/gid_map"
  else
    nomap="User namespace $ns (process $(inner_pid "$p")) has no uid_map yet, so everyone in it is nobody: echo '0 1000 1' > /proc/$(inner_pid "$p")/uid_map"
  fi
done
[ -n "$nogid" ] && fail no-gid-map "$nogid"
[ -n "$nomap" ] && fail no-uid-map "$nomap"
fail no-nested-userns "No process runs in a user namespace of its own yet: run unshare --user sleep 1000 & P=\$!"

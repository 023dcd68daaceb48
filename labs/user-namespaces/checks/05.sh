# Kernel check: a nested user namespace whose uid_map AND gid_map, read from the host's /proc
# (kernel-written), hold at least two ranges: the layout newuidmap/newgidmap write for rootless
# containers (root -> you, then a subordinate range).
nogid=""; one=""
nested_userns
for p in "${NESTED[@]}"; do
  ns=${USERNS[$p]}
  u=$(grep -c . "/proc/$p/uid_map" 2>/dev/null); g=$(grep -c . "/proc/$p/gid_map" 2>/dev/null)
  if [ "${u:-0}" -ge 2 ] && [ "${g:-0}" -ge 2 ]; then
    pass "User namespace $ns (process $(inner_pid "$p")): uid_map '$(show "/proc/$p/uid_map")', gid_map '$(show "/proc/$p/gid_map")' in sandbox ids: root is you, and a borrowed range is everyone else. A rootless container's maps."
  fi
  if [ "${u:-0}" -ge 2 ]; then
    nogid="User namespace $ns (process $(inner_pid "$p")) has two uid ranges ('$(show "/proc/$p/uid_map")') but its gid_map has ${g:-0}: newgidmap $(inner_pid "$p") 0 0 1 1 1 65535"
  else
    one="$one $(inner_pid "$p")"
  fi
done
[ -n "$nogid" ] && fail no-gid-ranges "$nogid"
[ -n "$one" ] && fail one-range "Your user namespaces (processes$one) map at most one range each. Map root to yourself and 1..65535 from /etc/subuid: unshare --user sleep 1000 & P=\$!; newuidmap \$P 0 0 1 1 1 65535; newgidmap \$P 0 0 1 1 1 65535"
fail no-nested-userns "No process runs in a user namespace of its own: run unshare --user sleep 1000 & P=\$!"

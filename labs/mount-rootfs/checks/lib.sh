# Shared by this lab's checks (the server puts this file before each check script).

# mnt_namespaces: MNT_PIDS lists one host pid per mount namespace of the sandbox (the sandbox's own
# first: its init, then the first of session_pids in each other one), and MNTNS[PID] names that
# pid's namespace (mnt:[inode]).
mnt_namespaces() {
  local p m
  declare -A seen
  declare -gA MNTNS=()
  MNT_PIDS=()
  for p in "$ISOPLAY_INIT_PID" $(session_pids); do
    m=$(readlink "/proc/$p/ns/mnt" 2>/dev/null) || continue
    [ -n "${seen[$m]+x}" ] && continue
    seen[$m]=1
    MNTNS[$p]=$m
    MNT_PIDS+=("$p")
  done
}
# mnt_table: every mount of every mount namespace of the sandbox, read from /proc/PID/mountinfo
# (kernel-written) of one process per namespace, one line each:
# ns  mountpoint  shared-group  master-group  (- when none)
mnt_table() {
  local p m
  mnt_namespaces
  for p in "${MNT_PIDS[@]}"; do
    m=${MNTNS[$p]}
    # /run/netns holds the sandbox's "internet" (ip netns add made it a shared mount): not the
    # learner's, so it never counts as the mount they shared or propagated.
    awk -v ns="${m//[^0-9]/}" '$5 == "/run/netns" || index($5, "/run/netns/") == 1 { next } { sh = "-"; ma = "-"; for (i = 7; $i != "-"; i++) { if ($i ~ /^shared:/) sh = substr($i, 8); if ($i ~ /^master:/) ma = substr($i, 8) } print ns, $5, sh, ma }' "/proc/$p/mountinfo" 2>/dev/null
  done
}

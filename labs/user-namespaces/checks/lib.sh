# Shared by this lab's checks (the server puts this file before each check script).

# The sandbox's own user namespace, and the host uid its root is (uid 0's line of its uid_map).
sandbox_user=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/user")
base=$(awk '$1 == 0 {print $2}' "/proc/$ISOPLAY_INIT_PID/uid_map")
# show MAPFILE: a uid_map or gid_map read on the host's side (host ids), in the sandbox's ids.
show() { awk -v b="$base" '{ printf "%s%s %s %s", sep, $1, $2 - b, $3; sep = ", " }' "$1"; }
# nested_userns: NESTED lists one host pid per user namespace other than the sandbox's (the first of
# session_pids in each), and USERNS[PID] names that pid's namespace (user:[inode]).
nested_userns() {
  local p ns
  declare -A seen
  declare -gA USERNS=()
  NESTED=()
  for p in $(session_pids); do
    ns=$(readlink "/proc/$p/ns/user" 2>/dev/null) || continue
    [ "$ns" = "$sandbox_user" ] && continue
    [ -n "${seen[$ns]+set}" ] && continue
    seen[$ns]=1
    USERNS[$p]=$ns
    NESTED+=("$p")
  done
}

# Kernel check (host side, in the sandbox's UTS namespace, so `hostname` is the sandbox's name).
# Passes when two UTS namespaces of the learner's are nested (a process of the inner one descends
# from a process of the outer one) and carry two names of their own, both unlike the sandbox's.
# Names are read with the host's nsenter into each process's namespace, never through the sandbox's files.
sandbox_uts=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/uts")
sandbox_name=$(hostname)
declare -A name_of
for p in $(session_pids); do
  ns=$(readlink "/proc/$p/ns/uts" 2>/dev/null) || continue
  [ "$ns" = "$sandbox_uts" ] && continue
  [ -n "${name_of[$ns]+set}" ] && continue
  h=$(nsenter -t "$p" -u hostname 2>/dev/null) || continue
  name_of[$ns]=$h
done
[ ${#name_of[@]} -eq 0 ] && fail no-own-uts "No process runs in a UTS namespace of its own yet: run unshare --uts bash."

ppid_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
same_name=""
for p in $(session_pids); do
  inner=$(readlink "/proc/$p/ns/uts" 2>/dev/null) || continue
  [ -n "${name_of[$inner]+set}" ] || continue
  # Walk up the parents of p to the sandbox's init, looking for another namespace of the learner's.
  a=$(ppid_of "$p")
  while [ -n "$a" ] && [ "$a" -gt 1 ] && [ "$a" != "$ISOPLAY_INIT_PID" ]; do
    outer=$(readlink "/proc/$a/ns/uts" 2>/dev/null) || break
    if [ "$outer" != "$inner" ] && [ -n "${name_of[$outer]+set}" ]; then
      on=${name_of[$outer]}; in=${name_of[$inner]}
      if [ "$on" != "$in" ] && [ "$on" != "$sandbox_name" ] && [ "$in" != "$sandbox_name" ]; then
        pass "Two nested UTS namespaces: $outer is \"$on\", and inside it $inner is \"$in\" (process $(inner_pid "$p")), while the sandbox is still \"$sandbox_name\"."
      fi
      same_name="The outer namespace is called \"$on\" and the inner one \"$in\" (the sandbox is \"$sandbox_name\"): give each a name of its own with hostname."
    fi
    a=$(ppid_of "$a")
  done
done
[ -n "$same_name" ] && fail same-name "$same_name"
[ ${#name_of[@]} -eq 1 ] && fail one-namespace "One UTS namespace of your own so far (called \"${name_of[*]}\"): run unshare --uts bash again, from a shell inside it."
fail not-nested "You have ${#name_of[@]} UTS namespaces, but none was started from inside another: run the second unshare --uts bash in the first one's shell."

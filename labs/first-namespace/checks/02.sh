# Looks for a process whose UTS namespace differs from the sandbox's (this check runs in it) and whose hostname differs too.
init=$(readlink /proc/self/ns/uts)
mine=$(hostname)
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  ns=$(readlink "$p/ns/uts" 2>/dev/null) || continue
  [ "$ns" = "$init" ] && continue
  h=$(nsenter --target "$pid" --uts hostname 2>/dev/null) || continue
  if [ "$h" != "$mine" ]; then
    echo "Process $pid ($(cat "$p/comm")) lives in UTS namespace $ns, called \"$h\", while your sandbox is still \"$mine\"."
    exit 0
  fi
done
echo "No process in a UTS namespace of its own with a different hostname yet: run unshare --uts bash, then hostname inner."
exit 1

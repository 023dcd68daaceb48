# Looks for a process whose UTS namespace differs from PID 1's and whose hostname differs too.
init=$(readlink /proc/1/ns/uts)
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

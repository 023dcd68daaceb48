f=/sys/fs/cgroup/memory/demo/memory.limit_in_bytes
v=$(cat "$f" 2>/dev/null) || { echo "The cgroup demo is gone: make it again with mkdir."; exit 1; }
if [ "$v" -le $((32 * 1024 * 1024)) ]; then
  echo "demo is limited to $((v / 1024 / 1024)) MiB."
  exit 0
fi
echo "demo has no limit yet (memory.limit_in_bytes is $v)."
exit 1

if [ -d /sys/fs/cgroup/memory/demo ]; then
  echo "The cgroup /demo exists in the memory hierarchy."
  exit 0
fi
echo "There is no cgroup /sys/fs/cgroup/memory/demo yet."
exit 1

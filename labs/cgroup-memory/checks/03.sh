n=$(awk '/^oom_kill / {print $2}' /sys/fs/cgroup/memory/demo/memory.oom_control 2>/dev/null)
if [ "${n:-0}" -ge 1 ]; then
  echo "The OOM killer has struck $n time(s) in demo, and your sandbox lives on."
  exit 0
fi
echo "No OOM kill in demo yet: run the hungry command."
exit 1

# Kernel check (cgroup v1): the kernel's count of OOM kills in the sandbox's own memory cgroup
# (oom_kill in memory.oom_control), read on the HOST's side: a fake file mounted inside the sandbox
# changes nothing.
[ -d "$ISOPLAY_CGROUP_MEMORY" ] || { echo "the session's memory cgroup is unknown"; exit 2; }
n=$(awk '$1 == "oom_kill" {print $2}' "$ISOPLAY_CGROUP_MEMORY/memory.oom_control")
lim=$(cat "$ISOPLAY_CGROUP_MEMORY/memory.limit_in_bytes")
total=$(awk '$1 == "MemTotal:" {print int($2 / 1024)}' /proc/meminfo)
[ "${n:-0}" -ge 1 ] && pass "The OOM killer struck $n time(s) at your sandbox's limit of $((lim >> 20)) MiB, while /proc/meminfo speaks of the host's $total MiB."
fail no-oom-kill "No OOM kill in your sandbox yet (memory.oom_control: oom_kill 0): run the python3 command on this page."

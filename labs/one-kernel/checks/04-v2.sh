# Kernel check (cgroup v2): the kernel's count of OOM kills in the sandbox's cgroup and below it
# (oom_kill in memory.events), read on the HOST's side: a fake file mounted inside the sandbox
# changes nothing.
[ -d "$ISOPLAY_CGROUP_MEMORY" ] || { echo "the session's cgroup is unknown"; exit 2; }
n=$(awk '$1 == "oom_kill" {print $2}' "$ISOPLAY_CGROUP_MEMORY/memory.events")
lim=$(cat "$ISOPLAY_CGROUP_MEMORY/memory.max")
total=$(awk '$1 == "MemTotal:" {print int($2 / 1024)}' /proc/meminfo)
[ "$lim" = max ] || lim="$((lim >> 20)) MiB"
[ "${n:-0}" -ge 1 ] && pass "The OOM killer struck $n time(s) at your sandbox's limit of $lim, while /proc/meminfo speaks of the host's $total MiB."
fail no-oom-kill "No OOM kill in your sandbox yet (memory.events: oom_kill 0): run the python3 command on this page."

# Kernel check (host /proc): a process that is PID 1 of a PID namespace the learner made (ns_depth >= 2,
# last NSpid field 1), with a mount namespace of its own holding a proc mount on /proc that the
# sandbox's init does not have (what --mount-proc does).
init_mnt=$(readlink "/proc/$ISOPLAY_INIT_PID/ns/mnt") || { echo "cannot read the sandbox's init" >&2; exit 2; }
proc_devs() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($5 == "/proc" && $(i + 1) == "proc") print $3; break } }' "/proc/$1/mountinfo" 2>/dev/null | sort -u; }
init_procs=$(proc_devs "$ISOPLAY_INIT_PID")
bare=""
for p in $(session_pids); do
  [ "$(ns_depth "$p")" -ge 2 ] 2>/dev/null || continue
  [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$p/status" 2>/dev/null)" = 1 ] || continue
  comm=$(cat "/proc/$p/comm" 2>/dev/null)
  mnt=$(readlink "/proc/$p/ns/mnt" 2>/dev/null)
  own=$(comm -23 <(proc_devs "$p") <(printf '%s\n' "$init_procs"))
  if [ -n "$mnt" ] && [ "$mnt" != "$init_mnt" ] && [ -n "$own" ]; then
    pass "Process $(inner_pid "$p") of the sandbox ($comm) is PID 1 of a PID namespace you made, with a /proc of its own."
  fi
  bare="$(inner_pid "$p") ($comm)"
done
[ -n "$bare" ] && fail no-mount-proc "Process $bare is PID 1 of a new PID namespace, but it still sees the sandbox's /proc, so ps lists every process of the sandbox. Leave it (exit) and run: unshare --pid --fork --mount-proc bash"
fail no-pid-namespace "No process is PID 1 of a PID namespace you made yet: run unshare --pid --fork --mount-proc bash"

# Kernel check: the VM is off when the host sees no process of the sandbox running its qemu binary.

procs=$(sandbox_procs)
set -- $(real_qemus)
if [ -n "$1" ]; then
  fail vm-running "The VM still runs (qemu is PID $(inner_pid "$1")): type poweroff in the VM console."
fi
while read -r pid depth inner own; do
  [ "${depth:-0}" -ge 2 ] || continue
  comm=?
  read -r comm 2>/dev/null < "/proc/$pid/comm"
  pass "The VM is off: its kernel and every process in it are gone. Your container ($comm, PID $inner) lives on: it never had a kernel of its own to lose."
done <<< "$procs"
pass "The VM is off: its kernel and every process in it are gone. Your sandbox, a container, lives on."

# Kernel check: a virtual machine runs when the HOST sees, among the sandbox's processes, the host's
# own qemu binary, and its guest kernel has reported through qemu's serial port. Report files
# written by hand, without a qemu, are never enough.

procs=$(sandbox_procs)
qs=$(real_qemus)
if [ -z "$qs" ]; then
  while read -r pid depth inner own; do
    comm=
    [ -n "$pid" ] && read -r comm 2>/dev/null < "/proc/$pid/comm"
    case $comm in
      qemu-system*) fail fake-qemu "Process $inner is called $comm, but it does not run the host's qemu: no machine is emulated. Start the VM with isoplay-vm in the VM console." ;;
    esac
  done <<< "$procs"
  fail no-vm "No virtual machine runs yet: run isoplay-vm in the VM console."
fi
for q in $qs; do
  if r=$(vm_report "$q"); then
    set -- $r
    pass "A virtual machine runs: qemu is PID $(inner_pid "$q") in your sandbox (PID $q on the host), and its own kernel, $1, booted; its clock says ${3}s."
  fi
done
set -- $qs
fail not-booted "qemu runs (PID $(inner_pid "$1")), but the VM's kernel has not reported yet: give it a few seconds (isoplay-vm gives the VM the serial port its report comes through)."

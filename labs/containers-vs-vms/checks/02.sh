# Kernel check: the VM's boot id comes from a running VM only (the host's own qemu among the
# sandbox's processes, and the report its guest wrote through qemu's serial port, read on the host's
# side); the container's boot id is the host kernel's own. Only the answer is the learner's file:
# see learner_answer.

# learner_answer: the first line of /root/vm-boot-id, the learner's own file. It is read by head run
# as the sandbox's root inside every namespace of the sandbox (nsenter --all into its init), as a
# file check would read it: never by the host's root through /proc/PID/root. What it prints is only
# compared with the VM's boot id, and shown back only when it looks like one.
learner_answer() {
  local a=
  read -r -t 2 a < <(timeout -s KILL 2 nsenter -t "$ISOPLAY_INIT_PID" --all head -c 200 /root/vm-boot-id 2>/dev/null </dev/null)
  a=${a//[[:space:]]/}
  printf '%s' "${a,,}"
}

host=$(cat /proc/sys/kernel/random/boot_id)
procs=$(sandbox_procs)
qs=$(real_qemus)
[ -n "$qs" ] || fail no-vm "No VM runs now: start it again with isoplay-vm in the VM console."
vms=
for q in $qs; do
  r=$(vm_report "$q") || continue
  set -- $r
  vms="$vms $2"
done
vms=${vms# }
[ -n "$vms" ] || fail not-booted "qemu runs, but the VM's kernel has not reported its boot id yet: give it a few seconds."
mine=$(learner_answer)
[ -n "$mine" ] || fail no-answer "There is no boot id in /root/vm-boot-id yet: write the VM's boot id into it from the Container terminal."
if [ "$mine" = "$host" ]; then
  fail container-boot-id "/root/vm-boot-id holds the container's boot id, which is the host's ($host). The VM's is different: read it in the VM console."
fi
for vm in $vms; do
  if [ "$mine" = "$vm" ]; then
    pass "Two kernels: the VM booted its own (boot id $vm), while the container shares the host's ($host)."
  fi
done
said="does not hold a boot id"
[[ $mine =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] && said="says $mine"
fail wrong-boot-id "/root/vm-boot-id $said, but the VM's kernel reports ${vms// /, }. Copy it from the VM console."

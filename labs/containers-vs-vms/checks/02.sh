# Compares /root/vm-boot-id with the boot id the VM's own kernel reported, and with this kernel's.
host=$(cat /proc/sys/kernel/random/boot_id)
vms=$(sed -n 's/.*"bootId":"\([^"]*\)".*/\1/p' /run/isoplay-vm/vm-*.json 2>/dev/null)
if [ -z "$vms" ]; then
  echo "No VM runs now: start it again with isoplay-vm in the VM console."
  exit 1
fi
mine=$(tr -d ' \t\r\n' < /root/vm-boot-id 2>/dev/null)
if [ -z "$mine" ]; then
  echo "There is no /root/vm-boot-id yet: write the VM's boot id into it from the Container terminal."
  exit 1
fi
if [ "$mine" = "$host" ]; then
  echo "/root/vm-boot-id holds the container's boot id, which is the host's ($host). The VM's is different: read it in the VM console."
  exit 1
fi
for vm in $vms; do
  if [ "$mine" = "$vm" ]; then
    echo "Two kernels: the VM booted its own (boot id $vm), while the container shares the host's ($host)."
    exit 0
  fi
done
echo "/root/vm-boot-id says $mine, but the VM's kernel reports $(echo $vms | tr ' ' ',')."
exit 1

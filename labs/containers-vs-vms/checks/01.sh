# Passes when a qemu process runs in the sandbox AND its guest kernel has booted (the guest's init
# writes its report to /run/isoplay-vm/vm-*.json through the VM's second serial port).
q=$(pgrep -o qemu-system)
if [ -z "$q" ]; then
  echo "No virtual machine runs yet: run isoplay-vm in the VM console."
  exit 1
fi
for f in /run/isoplay-vm/vm-*.json; do
  [ -s "$f" ] || continue
  release=$(sed -n 's/.*"release":"\([^"]*\)".*/\1/p' "$f")
  up=$(sed -n 's/.*"uptimeSec":\([0-9.]*\).*/\1/p' "$f")
  echo "A virtual machine runs (qemu is PID $q here) and its own kernel, $release, booted in ${up}s."
  exit 0
done
echo "qemu runs (PID $q) but the VM's kernel has not finished booting yet: give it a few seconds."
exit 1

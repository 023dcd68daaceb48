# Passes when no qemu runs in the sandbox any more.
q=$(pgrep -o qemu-system)
if [ -n "$q" ]; then
  echo "The VM still runs (qemu is PID $q): type poweroff in the VM console."
  exit 1
fi
echo "The VM is off: its kernel and every process in it are gone. Your sandbox, a container, lives on."
exit 0

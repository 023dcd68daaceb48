# Boots the VM in the background and waits for the guest's report. Its console reads from a pipe
# (held open by a sleep, so it never sees an end of file) and writes to a log: later solves type
# into the VM by writing to /tmp/isoplay-vm.in.
rm -f /tmp/isoplay-vm.in && mkfifo /tmp/isoplay-vm.in
setsid sleep 100000 </dev/null >/tmp/isoplay-vm.in 2>/dev/null &
setsid isoplay-vm -q </tmp/isoplay-vm.in >/tmp/isoplay-vm.log 2>&1 &
for _ in $(seq 1 850); do
  for f in /run/isoplay-vm/vm-*.json; do [ -s "$f" ] && exit 0; done
  sleep 0.1
done
echo "the VM did not report within 85 s: $(tail -c 300 /tmp/isoplay-vm.log)" >&2
exit 1

# Boots the VM in the background (its console goes to a log) and waits for the guest's report.
setsid isoplay-vm -q </dev/null >/tmp/isoplay-vm.log 2>&1 &
for _ in $(seq 1 850); do
  for f in /run/isoplay-vm/vm-*.json; do [ -s "$f" ] && exit 0; done
  sleep 0.1
done
echo "the VM did not report within 85 s: $(tail -c 300 /tmp/isoplay-vm.log)" >&2
exit 1

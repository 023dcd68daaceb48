# The container's side: unpack the image and run a program from it, detached.
mkdir -p /tmp/img && tar -xf /images/busybox.tar -C /tmp/img
setsid chroot /tmp/img /bin/sleep 1000 </dev/null >/dev/null 2>&1 &
# The VM's side, typed into its console (the self-test's VM reads its console from this pipe,
# see solve/01.sh; a learner types the same in the VM console).
echo 'mkdir -p /img && tar -xf /dev/vda -C /img && chroot /img /bin/sleep 1000 &' > /tmp/isoplay-vm.in
for _ in $(seq 1 600); do
  grep -q '"sha256"' /run/isoplay-vm/vm-*.images 2>/dev/null && exit 0
  sleep 0.1
done
echo "the VM did not report a program from the image within 60 s: $(tail -c 300 /tmp/isoplay-vm.log)" >&2
exit 1

# Kernel check: the same image runs on two kernels. In the container: a process of the sandbox whose
# root is not the sandbox's own (a chroot into the unpacked image), seen from the host's /proc. In the
# VM: the guest's report (third serial port, read through qemu's descriptor) of a program running from
# an image's root, and of its disk (the image tarball) read. Both must run the same binary: the
# sha256 of the container's program is read on the host through /proc/PID/exe (the kernel's own
# reference to the running file, no path of the sandbox's tree is walked).

procs=$(sandbox_procs)
qs=$(real_qemus)
[ -n "$qs" ] || fail no-vm "No VM runs now: start it again with isoplay-vm in the VM console, then unpack the image there."
vm_rel=
for q in $qs; do r=$(vm_report "$q") && { set -- $r; vm_rel=$1; break; }; done

# The container's side: programs whose root differs from the sandbox's root.
init_root=$(stat -L -c '%d:%i' "/proc/$ISOPLAY_INIT_PID/root" 2>/dev/null)
declare -A ct_sums=()
while read -r pid depth inner own; do
  [ -n "$pid" ] || continue
  root=$(stat -L -c '%d:%i' "/proc/$pid/root" 2>/dev/null) || continue
  [ "$root" != "$init_root" ] || continue
  sum=$(timeout 5 sha256sum "/proc/$pid/exe" 2>/dev/null | cut -c1-64)
  [ -n "$sum" ] && ct_sums[$sum]=$inner
done <<< "$procs"

# The VM's side.
vm_sums=
sectors=0
for q in $qs; do
  out=$(vm_images "$q") || continue
  while read -r s root sum; do
    sectors=$s
    [ "$sum" != - ] && vm_sums="$vm_sums $sum"
  done <<< "$out"
done
# The image tarball is about 2 MB (4000 sectors of 512 bytes): unpacking it reads it all.
[ "$sectors" -ge 2000 ] || fail vm-disk-not-read "The VM has not read the image from its disk yet: in the VM console, unpack it with tar -xf /dev/vda -C /img."
[ -n "$vm_sums" ] || fail no-image-in-vm "Nothing runs from the image inside the VM: start a shell in it there (chroot /img /bin/sh) and leave it open."
[ ${#ct_sums[@]} -gt 0 ] || fail no-image-in-container "Nothing runs from the unpacked image in your container: in the Container terminal, chroot /tmp/img /bin/sh and leave it open."
for s in $vm_sums; do
  if [ -n "${ct_sums[$s]:-}" ]; then
    pass "The same image, unchanged, runs on two kernels: in your container on the host's kernel $(uname -r) (PID ${ct_sums[$s]}), and in the VM on its own kernel ${vm_rel:-?}. Its program has the same sha256 in both: ${s:0:16}…"
  fi
done
fail different-programs "A program runs from an image root in both places, but not the same program: unpack the same image (/images/busybox.tar in the container, /dev/vda in the VM) and run its /bin/sh in both."

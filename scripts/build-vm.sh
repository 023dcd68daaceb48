#!/usr/bin/env bash
# Builds the containers-vs-VM lab's virtual machine into build/vm (mounted read-only at /opt/isoplay
# inside every sandbox): a Debian kernel image, a busybox initramfs with server/sandbox/vm/guest-init.sh
# as its /init, and the `isoplay-vm` launcher. Nothing is installed on the host: the kernel comes from
# /boot when the host has a stock one there, else from `apt-get download` of the distribution's package.
# Rebuilds only when an input changed. Skips (exit 0, with a message) when qemu or busybox is missing:
# the lab then shows as unavailable with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/vm
SRC=server/sandbox/vm
BUSYBOX=/bin/busybox
command -v qemu-system-x86_64 >/dev/null || { echo "build-vm: qemu-system-x86 is not installed; the VM lab will be unavailable"; exit 0; }
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || { echo "build-vm: $BUSYBOX is not busybox-static; the VM lab will be unavailable"; exit 0; }
mkdir -p "$OUT/vm" "$OUT/bin"

kernel=$(ls -1 /boot/vmlinuz-*-amd64 /boot/vmlinuz-*-generic 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$kernel" ] && [ ! -s "$OUT/vm/vmlinuz" ]; then
  # No stock kernel in /boot: fetch the distribution's kernel package and unpack only its image.
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  [ -n "$pkg" ] || pkg=$(apt-cache depends linux-image-generic 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  [ -n "$pkg" ] || { echo "build-vm: no kernel package found; the VM lab will be unavailable"; exit 0; }
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download "$pkg" >/dev/null && dpkg-deb -x ./*.deb x)
  kernel=$(ls -1 "$tmp"/x/boot/vmlinuz-* | head -1)
  cp "$kernel" "$OUT/vm/vmlinuz.tmp" && mv "$OUT/vm/vmlinuz.tmp" "$OUT/vm/vmlinuz"
  basename "$kernel" | sed 's/^vmlinuz-//' > "$OUT/vm/kernel-release"
  # Its modules too (the guest's disk driver), kept beside the image with their dependency list.
  rm -rf "build/vm-modroot" && mkdir -p "build/vm-modroot/lib" && mv "$tmp/x/lib/modules" "build/vm-modroot/lib/"
  depmod -b "build/vm-modroot" "$(cat "$OUT/vm/kernel-release")" 2>/dev/null || true
  rm -rf "$tmp"
elif [ -n "$kernel" ] && { [ ! -s "$OUT/vm/vmlinuz" ] || ! cmp -s "$kernel" "$OUT/vm/vmlinuz"; }; then
  cp "$kernel" "$OUT/vm/vmlinuz.tmp" && mv "$OUT/vm/vmlinuz.tmp" "$OUT/vm/vmlinuz"
  basename "$kernel" | sed 's/^vmlinuz-//' > "$OUT/vm/kernel-release"
fi
chmod 0644 "$OUT/vm/vmlinuz"

if [ ! -s "$OUT/vm/initramfs.cpio.gz" ] || [ "$SRC/guest-init.sh" -nt "$OUT/vm/initramfs.cpio.gz" ] || [ "$0" -nt "$OUT/vm/initramfs.cpio.gz" ]; then
  T=$(mktemp -d)
  mkdir -p "$T/bin" "$T/sbin" "$T/proc" "$T/sys" "$T/dev" "$T/etc" "$T/root" "$T/tmp" "$T/lib/modules"
  cp "$BUSYBOX" "$T/bin/busybox"
  # The drivers of the guest's disk (virtio), which carries the playground's busybox image into the VM
  # (the portability step: the same image on two kernels). Debian builds them as modules; busybox's
  # insmod loads them in this order at boot. A kernel with them built in needs none.
  kver=$(cat "$OUT/vm/kernel-release"); modroot=/
  [ -d "/lib/modules/$kver" ] || modroot=build/vm-modroot
  : > "$T/lib/modules/order"
  for m in virtio_pci virtio_blk; do
    modprobe -d "$modroot" -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}' | while read -r f; do
      n=$(basename "$f"); n=${n%%.ko*}
      grep -qx "$n" "$T/lib/modules/order" && continue
      case "$f" in # busybox insmod cannot read compressed modules
        *.ko.xz) xz -dc "$f" > "$T/lib/modules/$n.ko" ;;
        *.ko.zst) zstd -dcq "$f" > "$T/lib/modules/$n.ko" ;;
        *.ko.gz) gzip -dc "$f" > "$T/lib/modules/$n.ko" ;;
        *) cp "$f" "$T/lib/modules/$n.ko" ;;
      esac
      echo "$n" >> "$T/lib/modules/order"
    done
  done
  for m in $("$T/bin/busybox" --list); do [ "$m" = busybox ] || ln -sf busybox "$T/bin/$m"; done
  cp "$SRC/guest-init.sh" "$T/init" && chmod 0755 "$T/init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$T/etc/passwd"
  (cd "$T" && find . | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$OUT/vm/initramfs.cpio.gz.tmp"
  mv "$OUT/vm/initramfs.cpio.gz.tmp" "$OUT/vm/initramfs.cpio.gz"
  rm -rf "$T"
fi
install -m 0755 "$SRC/isoplay-vm" "$OUT/bin/isoplay-vm"
echo "build-vm: $(cat "$OUT/vm/kernel-release") + busybox initramfs in $OUT"

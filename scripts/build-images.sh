#!/usr/bin/env bash
# Builds the read-only root filesystems every sandbox shows at /images (the labs' "images"; there is
# no network to download one from): build/images/busybox (busybox-static and its applet links),
# build/images/debian (a small Debian, unpacked from the distribution's own packages: bash,
# coreutils, grep, sed, findutils, mawk, tar and their libraries, with base-files' /etc/os-release),
# and build/images/busybox.tar (the busybox image as a tarball, for `tar -x` lessons: it fits the
# sandbox's writable root), and build/images/shadow (see below). The .deb files are cached in build/images/cache. Rebuilds only what is
# missing or older than this script. Skips an image (with a message) when its inputs are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/images
BUSYBOX=/bin/busybox
mkdir -p "$OUT/cache"

fresh() { [ -e "$1" ] && [ "$1" -nt "$0" ]; }

if ! fresh "$OUT/busybox/etc/os-release"; then
  if file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
    T=$(mktemp -d "$OUT/.busybox.XXXXXX") && chmod 0755 "$T"
    mkdir -p "$T"/{bin,sbin,etc,proc,sys,dev,tmp,root,run,old-root,var/www}
    cp "$BUSYBOX" "$T/bin/busybox"
    for a in $("$T/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$T/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$T/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$T/etc/group"
    cat > "$T/etc/os-release" <<'OS'
NAME="BusyBox image (Isolation Playground)"
ID=busybox
PRETTY_NAME="BusyBox: one static binary, a whole userland"
OS
    echo '<h1>Hello from the busybox image</h1>' > "$T/var/www/index.html"
    chmod 1777 "$T/tmp"
    rm -rf "$OUT/busybox" && mv "$T" "$OUT/busybox"
    tar -C "$OUT/busybox" --numeric-owner --owner=0 --group=0 -cf "$OUT/busybox.tar.tmp" . && mv "$OUT/busybox.tar.tmp" "$OUT/busybox.tar"
    echo "build-images: busybox image and busybox.tar ($(du -sh "$OUT/busybox.tar" | cut -f1))"
  else
    echo "build-images: $BUSYBOX is not busybox-static; no busybox image"
  fi
fi

# /etc/shadow inside every sandbox: owned by host root, which no sandbox maps (it shows as nobody),
# mode 0600, so root inside meets EACCES on it: root in a user namespace is not root on the host.
if ! fresh "$OUT/shadow"; then
  printf 'root:*:19700:0:99999:7:::\nnobody:*:19700:0:99999:7:::\n' > "$OUT/shadow.tmp"
  chown 0:0 "$OUT/shadow.tmp" && chmod 0600 "$OUT/shadow.tmp" && mv "$OUT/shadow.tmp" "$OUT/shadow"
fi

if ! fresh "$OUT/debian/etc/os-release"; then
  PKGS=(base-files bash coreutils grep sed findutils mawk tar debianutils
    libc6 libgcc-s1 gcc-12-base libtinfo6 libacl1 libattr1 libselinux1 libpcre2-8-0 libgmp10 libmd0 libbz2-1.0 liblzma5 libzstd1 zlib1g)
  if (cd "$OUT/cache" && apt-get download "${PKGS[@]}" >/dev/null 2>&1); then
    T=$(mktemp -d "$OUT/.debian.XXXXXX") && chmod 0755 "$T"
    # Merged /usr, as Debian 12 installs it: tar keeps these links when a package ships /bin/… paths.
    mkdir -p "$T"/usr/{bin,sbin,lib,lib64}
    for d in bin sbin lib lib64; do ln -s "usr/$d" "$T/$d"; done
    for p in "${PKGS[@]}"; do
      deb=$(ls -1 "$OUT/cache/${p}"_*.deb | tail -1)
      dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$T"
    done
    mkdir -p "$T"/{proc,sys,dev,tmp,root,run,old-root}
    chmod 1777 "$T/tmp"
    printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$T/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$T/etc/group"
    rm -rf "$T/usr/share/doc" "$T/usr/share/man" "$T/usr/share/info" "$T/usr/share/locale"
    rm -rf "$OUT/debian" && mv "$T" "$OUT/debian"
    echo "build-images: debian image from ${#PKGS[@]} packages ($(du -sh "$OUT/debian" | cut -f1))"
  else
    echo "build-images: apt-get download failed (no network or mirror?); no debian image"
  fi
fi

#!/bin/bash
# run-in-v2-vm.sh <dir> <command...>   (npm run test:v2 runs the v2 suite through it)
#
# The project's runner for the cgroup v2 tests, adapted from the team's shared/tools runner: it
# always reports the accelerator and the boot and run times, so CI logs show what the VM cost.
#
# Runs <command...> inside a throwaway qemu VM whose kernel runs PURE cgroup v2
# (cgroup2 mounted at /sys/fs/cgroup, cgroup_no_v1=all). The VM's root filesystem
# is THIS host's / (9p, read-only) with a tmpfs overlay on top, so the command
# sees the host's node, node_modules, project tree..., and its writes are thrown
# away with the VM. Working directory: <dir> (as seen in the overlay).
# stdout/stderr are streamed back; the exit code is the command's exit code.
#
# Needs (Debian 12): apt-get install -y qemu-system-x86 linux-image-amd64 busybox-static
# Must run as root (9p passthrough of the whole / with security_model=none).
#
# Env knobs:
#   V2VM_ACCEL   auto|tcg|kvm   (auto: kvm only if /dev/kvm exists and is real
#                               hardware KVM, i.e. not the PVM nested backend)
#   V2VM_MEM     guest RAM in MiB (default 2048)
#   V2VM_SMP     guest vCPUs (default: host nproc, max 4)
#   V2VM_TIMEOUT seconds before the VM is killed (default 1800) -> exit 124
#   V2VM_KERNEL  kernel image (default: newest /boot/vmlinuz-*; needs matching /lib/modules)
#   V2VM_CACHE   where the initramfs is cached (default /tmp/v2vm-cache)
#   V2VM_CGROUP  optional cgroup path (e.g. /ci.slice/job.scope) to run the command in;
#                default: the root cgroup (all controllers enabled in its subtree_control,
#                like systemd does)
#   V2VM_KEEP=1  keep the per-run dir (console.log, job.sh, stdout, stderr, rc)
#   V2VM_VERBOSE=1 print boot timing to stderr
# Exit codes: the command's; 124 VM timeout; 125 VM/boot failure; 126/127 usage.
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <dir> <command...>" >&2; exit 126
fi
DIR=$1; shift

ACCEL=${V2VM_ACCEL:-auto}
MEM=${V2VM_MEM:-2048}
SMP=${V2VM_SMP:-$(n=$(nproc); [ "$n" -gt 4 ] && n=4; echo $n)}
TIMEOUT=${V2VM_TIMEOUT:-900}
CACHE=${V2VM_CACHE:-/tmp/v2vm-cache}
KERNEL=${V2VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || { echo "v2vm: no kernel (apt-get install linux-image-amd64)" >&2; exit 125; }
KVER=${KERNEL##*/vmlinuz-}
[ -d /lib/modules/$KVER ] || { echo "v2vm: /lib/modules/$KVER missing" >&2; exit 125; }
command -v qemu-system-x86_64 >/dev/null || { echo "v2vm: apt-get install qemu-system-x86" >&2; exit 125; }
BUSYBOX=/bin/busybox   # must be the STATIC one (busybox-static package)
[ -x $BUSYBOX ] || { echo "v2vm: apt-get install busybox-static" >&2; exit 125; }

if [ "$ACCEL" = auto ]; then
  # /dev/kvm backed by the PVM nested-virt module (kvm_pvm) cannot run a stock
  # kernel (instruction-emulation, ~60x slower than TCG, and it dies with
  # "KVM internal error ... emulation failure" on cmpxchg16b). Use TCG there.
  if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    ACCEL=kvm
  else
    ACCEL=tcg
  fi
fi
if [ "$ACCEL" = kvm ]; then
  ACCEL_ARGS=(-accel kvm -cpu host)
else
  ACCEL_ARGS=(-accel tcg,thread=multi -cpu max)
fi

# ---------------------------------------------------------------- initramfs
build_initramfs() { # $1 = output file
  local T m f n
  T=$(mktemp -d)
  mkdir -p $T/bin $T/lib/modules $T/proc $T/sys $T/dev $T/lower $T/rw $T/newroot
  cp "$BUSYBOX" $T/bin/busybox
  for m in $($T/bin/busybox --list); do [ "$m" = busybox ] || ln -sf busybox $T/bin/$m; done
  : > $T/lib/modules/order
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -S $KVER --show-depends $m 2>/dev/null | awk '$1=="insmod"{print $2}' | while read -r f; do
      n=$(basename "$f"); n=${n%%.ko*}
      grep -qx "$n" $T/lib/modules/order && continue
      case "$f" in   # busybox insmod can't read compressed modules
        *.ko.xz)  xz -dc "$f"     > $T/lib/modules/$n.ko ;;
        *.ko.zst) zstd -dcq "$f"  > $T/lib/modules/$n.ko ;;
        *.ko.gz)  gzip -dc "$f"   > $T/lib/modules/$n.ko ;;
        *)        cp "$f" $T/lib/modules/$n.ko ;;
      esac
      echo "$n" >> $T/lib/modules/order
    done
  done
  # (builtin =y drivers simply have no insmod line)
  cat > $T/init <<'EOF'
#!/bin/busybox sh
# stage 1 (PID 1 in initramfs): modules, host / via 9p (ro) + tmpfs overlay, switch_root
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
die() { echo "v2vm-init: FATAL: $*"; sleep 1; poweroff -f; }
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null || echo "v2vm-init: insmod $m failed (builtin?)"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower || die "mount hostroot"
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || die "overlay"
mkdir -p /newroot/.v2vm/xfer /newroot/.v2vm/bin
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 xfer /newroot/.v2vm/xfer || die "mount xfer"
cp /bin/busybox /newroot/.v2vm/bin/busybox
cp /stage2 /newroot/.v2vm/stage2
mount --move /proc /newroot/proc; mount --move /sys /newroot/sys; mount --move /dev /newroot/dev
exec switch_root /newroot /.v2vm/stage2
EOF
  cat > $T/stage2 <<'EOF'
#!/.v2vm/bin/busybox sh
# stage 2 (PID 1 on the overlay root = host fs): pure cgroup v2, run the job, power off
B=/.v2vm/bin/busybox; X=/.v2vm/xfer
$B mkdir -p /dev/pts /dev/shm /run /tmp /sys/fs/cgroup
$B mount -t devpts -o newinstance,ptmxmode=666 devpts /dev/pts
$B mount -t tmpfs tmpfs /dev/shm
$B mount -t tmpfs -o mode=755 tmpfs /run
$B mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
$B ln -sfn /proc/self/fd /dev/fd; $B ln -sf /proc/self/fd/0 /dev/stdin
$B ln -sf /proc/self/fd/1 /dev/stdout; $B ln -sf /proc/self/fd/2 /dev/stderr
$B hostname v2vm; $B ip link set lo up
# enable every available controller at the root, as systemd does on a v2 host
for c in $($B cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; done
$B cut -d' ' -f1 /proc/uptime > $X/t_start
if [ -x /bin/bash ]; then SH=/bin/bash; else SH="$B sh"; fi
$SH $X/job.sh </dev/null >>$X/stdout 2>>$X/stderr
echo $? > $X/rc
$B cut -d' ' -f1 /proc/uptime > $X/t_end
$B sync
$B poweroff -f
EOF
  chmod +x $T/init $T/stage2
  (cd $T && find . | cpio -o -H newc --quiet | gzip -1) > "$1.tmp.$$" && mv "$1.tmp.$$" "$1"
  rm -rf $T
}

mkdir -p "$CACHE"
SELFSUM=$(sha256sum "$0" | cut -c1-12)
INITRD=$CACHE/initramfs-$KVER-$SELFSUM.cpio.gz
[ -s "$INITRD" ] || build_initramfs "$INITRD" || { echo "v2vm: initramfs build failed" >&2; exit 125; }

# ---------------------------------------------------------------- job
RUN=$(mktemp -d "${TMPDIR:-/tmp}/v2vm-run.XXXXXX")
cleanup() { [ -n "${QPID:-}" ] && kill "$QPID" 2>/dev/null; [ "${V2VM_KEEP:-0}" = 1 ] || rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
{
  echo '# generated by run-in-v2-vm.sh'
  for n in $(compgen -e); do
    case $n in PWD|OLDPWD|SHLVL|_|V2VM_*|BASH_*|TERM|HOSTNAME) continue ;; esac
    printf 'export %s=%q\n' "$n" "${!n}"
  done
  if [ -n "${V2VM_CGROUP:-}" ]; then
    # put the command into a non-root cgroup (like a systemd service/scope)
    printf 'CG=%q\n' "${V2VM_CGROUP#/}"
    cat <<'EOF'
p=/sys/fs/cgroup
IFS=/ read -ra parts <<< "$CG"
for c in "${parts[@]}"; do
  [ -n "$c" ] || continue
  mkdir -p "$p/$c"
  [ "$p/$c" = "/sys/fs/cgroup/$CG" ] || for k in $(cat "$p/$c/cgroup.controllers"); do echo "+$k" > "$p/$c/cgroup.subtree_control"; done
  p=$p/$c
done
echo $$ > "/sys/fs/cgroup/$CG/cgroup.procs" || exit 98
EOF
  fi
  printf 'cd %q || exit 97\n' "$DIR"
  printf 'exec'; printf ' %q' "$@"; printf '\n'
} > "$RUN/job.sh"
: > "$RUN/stdout"; : > "$RUN/stderr"

T0=$(date +%s.%N)
timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 "${ACCEL_ARGS[@]}" -smp "$SMP" -m "$MEM" \
  -M pc -nodefaults -no-user-config -display none -no-reboot \
  -serial "file:$RUN/console.log" \
  -kernel "$KERNEL" -initrd "$INITRD" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" \
  -fsdev local,id=hr,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hr,mount_tag=hostroot \
  -fsdev "local,id=xf,path=$RUN,security_model=none" \
  -device virtio-9p-pci,fsdev=xf,mount_tag=xfer \
  > "$RUN/qemu.log" 2>&1 &
QPID=$!
# stream the command's output while the VM runs (tail exits after qemu does)
tail -s 0.2 -n +1 -f --pid=$QPID "$RUN/stdout" & T1=$!
tail -s 0.2 -n +1 -f --pid=$QPID "$RUN/stderr" >&2 & T2=$!
wait $QPID; QRC=$?; QPID=
wait $T1 $T2
T3=$(date +%s.%N)

if true; then
  echo "v2vm: accel=$ACCEL smp=$SMP mem=${MEM}M kernel=$KVER guest-uptime-at-start=$(cat $RUN/t_start 2>/dev/null)s guest-uptime-at-end=$(cat $RUN/t_end 2>/dev/null)s wall=$(awk "BEGIN{printf \"%.2f\", $T3 - $T0}")s" >&2
fi
if [ -s "$RUN/rc" ]; then
  exit "$(cat "$RUN/rc")"
fi
if [ $QRC = 124 ] || [ $QRC = 137 ]; then
  echo "v2vm: VM timed out after ${TIMEOUT}s" >&2; exit 124
fi
echo "v2vm: VM ended without a result (qemu rc=$QRC). qemu log / console tail:" >&2
tail -5 "$RUN/qemu.log" >&2; tail -25 "$RUN/console.log" | tr -d '\033' >&2
exit 125

# The Debian/Ubuntu packages the project needs, in one place (sourced by setup.sh and .ci/run).
# Runtime: what the sandbox's private root fs shows the learner (bash, util-linux, iproute2, procps,
# cgroup-tools, ping), the compilers for the init helper and better-sqlite3, and qemu plus cpio for
# the containers-vs-VM lab's virtual machine (scripts/build-vm.sh; its kernel image is taken from
# /boot or unpacked from `apt-get download`, never installed as a boot kernel of the host).
# The tools the labs and the tutorials learners follow call, seen inside every sandbox through the
# host's read-only /usr: iptables/nft, stress-ng/stress, memhog (numactl), newuidmap/newgidmap
# (uidmap), capsh (libcap2-bin) and setpriv (util-linux), curl, jq, strace, tcpdump; dnsmasq-base
# for the DNS server of each sandbox's "internet" (server/sandbox/world.ts).
RUNTIME_PACKAGES=(util-linux iproute2 procps psmisc cgroup-tools iputils-ping busybox-static less libseccomp-dev
  build-essential python3 ca-certificates qemu-system-x86 cpio file curl
  iptables nftables stress-ng stress numactl uidmap libcap2-bin jq strace tcpdump
  dnsmasq-base)
# Tests: Debian's chromium for the browser tests, a stock kernel for the pure cgroup v2 VM (it needs
# the kernel's modules too), crun for the start-time baseline of the benchmarks, systemd for
# `systemd-analyze verify` of deploy/isoplay.service and apparmor for apparmor_parser's check of
# deploy/apparmor/isoplay-init (tests/unit/ops-install.test.ts).
TEST_PACKAGES=(chromium fonts-dejavu-core linux-image-amd64 crun systemd apparmor)
# The container image's runtime stage (Dockerfile): RUNTIME_PACKAGES less what only builds (the
# compilers, libseccomp's headers, cpio and file for the VM image), plus libseccomp2 that the
# compiled isoplay-init links against. The sandbox shows the learner this /usr.
IMAGE_RUNTIME_PACKAGES=()
for p in "${RUNTIME_PACKAGES[@]}"; do
  case "$p" in build-essential|libseccomp-dev|python3|cpio|file) ;; *) IMAGE_RUNTIME_PACKAGES+=("$p") ;; esac
done
IMAGE_RUNTIME_PACKAGES+=(libseccomp2)

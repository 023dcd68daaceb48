# The Debian/Ubuntu packages the project needs, in one place (sourced by setup.sh and .ci/run).
# Runtime: what the sandbox's private root fs shows the learner (bash, util-linux, iproute2, procps,
# cgroup-tools, ping), and the compilers for the init helper and better-sqlite3.
RUNTIME_PACKAGES=(util-linux iproute2 procps psmisc cgroup-tools iputils-ping busybox-static less
  build-essential python3 ca-certificates)
# Tests: Debian's chromium for the browser tests, qemu and a stock kernel for the pure cgroup v2 VM,
# crun for the start-time baseline of the benchmarks.
TEST_PACKAGES=(chromium fonts-dejavu-core qemu-system-x86 linux-image-amd64 crun)

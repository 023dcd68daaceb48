# Kernel check: `hostname` here is the HOST's binary, run in the sandbox's UTS namespace, so it
# prints the name the kernel keeps for the sandbox. A fake `hostname` program (or a bind mount over
# /usr/bin/hostname) inside the sandbox is never run.
h=$(hostname)
if [ "$h" = sandbox ]; then
  fail hostname-unchanged "The kernel still calls your sandbox \"sandbox\". Change it with: hostname my-box"
fi
pass "Your sandbox is now called \"$h\" (the kernel says so), and the host kept its own name."

# Kernel check: it has joined the sandbox's IPC namespace, so the host's ipcs lists the sandbox's queues.
n=$(ipcs -q | grep -c '^0x')
if [ "$n" -ge 1 ]; then
  ids=$(ipcs -q | awk '/^0x/ {printf "%s%s (key %s)", sep, $2, $1; sep=", "}')
  pass "The sandbox's IPC namespace holds $n message queue(s): msqid $ids."
fi
fail no-queue "The sandbox's IPC namespace has no message queue yet: run ipcmk -Q."

# set -m: job control, as in an interactive shell, so the subshell leads a process group of its own.
{ unshare --pid --fork --mount-proc bash -c 'set -m; (sleep 1000 &); exec sleep 100000' & } >/dev/null 2>&1
sleep 0.5

{ unshare --pid --fork --mount-proc unshare --pid --fork --mount-proc sleep 100000 & } >/dev/null 2>&1
sleep 0.5

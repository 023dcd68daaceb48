{ unshare --pid --uts --net --mount --fork --mount-proc bash -c 'hostname web; exec sleep 100000' & } </dev/null >/dev/null 2>&1
sleep 0.3

# Background processes must not hold the script's output open.
unshare --uts sh -c 'hostname inner; exec sleep 100000' >/dev/null 2>&1 &
sleep 0.2

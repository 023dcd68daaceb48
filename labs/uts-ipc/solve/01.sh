# alpha stays alive (sleep), and beta is started from inside it, so beta's process descends from alpha's.
{ unshare --uts sh -c 'hostname alpha; unshare --uts sh -c "hostname beta; exec sleep 100000" & exec sleep 100000' & } </dev/null >/dev/null 2>&1
sleep 0.3

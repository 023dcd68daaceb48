# The learner leaves the shell open; a detached sleep stands in for it.
{ unshare --time --fork --boottime 86400 sleep infinity & } </dev/null >/dev/null 2>&1
sleep 0.3

unshare --time --boottime -100000000 --fork true 2>/dev/null && exit 1 # the kernel must refuse this one
{ unshare --time --boottime -3600 --fork sleep 100000 & } >/dev/null 2>&1
sleep 0.5

unshare --time --boottime -100000000 --fork true 2>/dev/null && exit 1 # the kernel must refuse this one
# Half the uptime: an offset that takes a clock below zero is refused (a host or VM booted minutes ago).
{ unshare --time --boottime -$(( $(cut -d. -f1 /proc/uptime) / 2 )) --fork sleep 100000 & } >/dev/null 2>&1
sleep 0.5

grep -q 'NoNewPrivs:.*1' /proc/self/status
{ unshare --user sleep 1000 & } </dev/null >/dev/null 2>&1
P=$!
sleep 0.2
newuidmap $P 0 0 1 1 1 65535
newgidmap $P 0 0 1 1 1 65535
# The same by hand, in one write each.
{ unshare --user sleep 1000 & } </dev/null >/dev/null 2>&1
Q=$!
sleep 0.2
printf '0 0 1\n1 1 65535\n' > /tmp/map
cat /tmp/map > /proc/$Q/uid_map
cat /tmp/map > /proc/$Q/gid_map

{ unshare --user sleep 1000 & } </dev/null >/dev/null 2>&1
P=$!
sleep 0.2
echo '0 1000 1' > /proc/$P/uid_map
echo '0 1000 1' > /proc/$P/gid_map
nsenter -t $P -U id | grep -q 'uid=0(root)'

# A shell in its own mount namespace mounts a tmpfs on /tmp and stays (sleep stands for the open shell).
{ unshare --mount sh -c 'mount -t tmpfs private-tmp /tmp && echo "only here" > /tmp/secret && exec sleep 100001' & } </dev/null >/dev/null 2>&1
sleep 0.5

# Full capabilities in a new user namespace, but EPERM on the sandbox's UTS namespace.
unshare --user --map-root-user sh -c 'grep -q "^CapEff:.*1ffffffffff" /proc/self/status && ! hostname x 2>/dev/null'
{ unshare --user --map-root-user --uts sh -c 'hostname inner; exec sleep 1000' & } </dev/null >/dev/null 2>&1
sleep 0.3

mkdir -p /srv/data /srv/ro
echo hello > /srv/data/file
mount --bind /srv/data /srv/ro
mount -o remount,bind,ro /srv/ro
! touch /srv/ro/new 2>/dev/null

# Kernel check. Reads /proc/PID/mountinfo (kernel-written) of the sandbox's processes. A read-only
# bind mount shows there as a mount whose own options (field 6) say "ro" while its filesystem's options
# (after the "-") say "rw", and the same filesystem (major:minor) is mounted read-write elsewhere in the
# same namespace: same files, one door locked. The sandbox's own read-only binds (/usr, /images...) are
# of a filesystem that is read-only everywhere in the sandbox, so they do not count.
mnt_namespaces
for p in "${MNT_PIDS[@]}"; do
  m=${MNTNS[$p]}
  hit=$(awk '{ for (i = 7; $i != "-"; i++); split($6, o, ","); split($(i+3), so, ",")
               if (o[1] == "rw") { if (!($3 in rw)) rw[$3] = $5 }
               else if (o[1] == "ro" && so[1] == "rw") { ro[$3] = $5; src[$3] = $4 } }
             END { for (d in ro) if (d in rw) { print ro[d], src[d], rw[d]; exit } }' "/proc/$p/mountinfo" 2>/dev/null)
  if [ -n "$hit" ]; then
    set -- $hit
    pass "In mount namespace $m, $1 is a read-only bind of $2 (the filesystem mounted read-write on $3): writes there fail with EROFS, even for root, while the same files stay writable through the other path."
  fi
done
fail no-ro-bind "No read-only bind mount yet: run mkdir -p /srv/data /srv/ro; mount --bind /srv/data /srv/ro; mount -o remount,bind,ro /srv/ro."

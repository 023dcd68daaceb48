# Kernel check, as for step 2: /proc/PID/mountinfo of one process per mount namespace. Passes when a
# mount point X is shared:N in one namespace and master:N (a slave of that group) in another, a mount
# below X in the slave is tagged master:K where K is the same mount's group in the master (it arrived
# after make-slave), and another mount below X exists in the slave but not in the master.
table=$(mnt_table)
verdict=$(awk '
  NF == 4 { have[$1 " " $2] = 1; sh[$1 " " $2] = $3; ma[$1 " " $2] = $4; mps[$1] = mps[$1] " " $2; nsl[$1] = 1 }
  END {
    state = "no-slave"
    for (k in ma) {
      if (ma[k] == "-") continue
      split(k, s, " "); slave = s[1]; x = s[2]; g = ma[k]
      for (master in nsl) {
        if (master == slave || sh[master " " x] != g) continue
        if (state == "no-slave") state = "not-received " x " " master " " slave
        got = ""; own = ""
        n = split(mps[slave], list, " ")
        for (j = 1; j <= n; j++) {
          y = list[j]; if (index(y, x "/") != 1) continue
          if (ma[slave " " y] != "-" && sh[master " " y] == ma[slave " " y]) got = y
          if (!((master " " y) in have)) own = y
        }
        if (got != "" && own != "") { print "ok", x, master, slave, got, own; exit }
        if (got != "") state = "no-own-mount " x " " master " " slave " " got
      }
    }
    print state
  }' <<< "$table")
set -- $verdict
case $1 in
  ok) pass "$2 is a slave in mnt:[$4] of the shared mount in mnt:[$3]: $5 came in from the master after make-slave, while $6, mounted in the slave, never went back." ;;
  not-received) fail not-received "$2 in mnt:[$4] is now a slave of mnt:[$3], but nothing has arrived since: mount something new below $2 in the first terminal (mkdir -p $2/later; mount -t tmpfs later $2/later)." ;;
  no-own-mount) fail no-own-mount "$2 in mnt:[$4] receives from its master ($5 arrived), now mount something below $2 in the slave itself (the Second terminal) and see that it does not go back." ;;
  *) fail no-slave "No mount is a slave yet (no master:N in any mountinfo): in the Second terminal run mount --make-slave /mnt/share." ;;
esac

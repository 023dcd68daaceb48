# Kernel check. Reads /proc/PID/mountinfo (kernel-written) for one process of each mount namespace of
# the sandbox (the sandbox's own included) and looks at the optional fields "shared:N" (the mount is in
# peer group N) and "master:N". Passes when one peer group N holds the same mount point X in two
# namespaces and a mount below X exists in both (it propagated).
table=$(mnt_table)
verdict=$(awk '
  NF == 4 { have[$1 " " $2] = 1; mps[$1] = mps[$1] " " $2; if ($3 != "-") { anyshared = 1; g = $3; if (!((g, $1) in gns)) { gns[g, $1] = $2; gcount[g]++; gnsl[g] = gnsl[g] " " $1 } } }
  END {
    if (!anyshared) { print "no-shared-mount"; exit }
    best = ""
    for (g in gcount) {
      if (gcount[g] < 2) continue
      n = split(gnsl[g], nss, " ")
      for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) {
        x = gns[g, nss[a]]; if (gns[g, nss[b]] != x) continue
        best = "peers " g " " x " " nss[a] " " nss[b]
        k = split(mps[nss[a]], list, " ")
        for (j = 1; j <= k; j++) if (index(list[j], x "/") == 1 && ((nss[b] " " list[j]) in have)) { print "ok", g, x, nss[a], nss[b], list[j]; exit }
      }
    }
    if (best != "") print best; else print "no-peer"
  }' <<< "$table")
set -- $verdict
case $1 in
  ok) pass "Peer group $2: $3 is the same shared mount in mount namespaces mnt:[$4] and mnt:[$5], and $6, mounted in one of them, is in both." ;;
  peers) fail nothing-propagated "$3 is shared (peer group $2) in mnt:[$4] and mnt:[$5], but nothing is mounted below it yet: run mkdir -p $3/a; mount -t tmpfs a $3/a in one terminal and look in the other." ;;
  no-shared-mount) fail no-shared-mount "No mount of the sandbox is shared (no shared:N in any mountinfo): run mkdir -p /mnt/share; mount -t tmpfs share /mnt/share; mount --make-shared /mnt/share." ;;
  *) fail no-peer "A shared mount exists, but its peer group is in one mount namespace only: in the Second terminal run unshare --mount --propagation unchanged bash (plain unshare --mount makes every mount private)." ;;
esac

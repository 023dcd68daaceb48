# Kernel check. Reads /proc/PID/mountinfo (kernel-written) of the sandbox's processes and finds an
# overlay whose lowerdir option lists two layers or more, the bottom one /images/busybox.
other=""
mnt_namespaces
for p in "${MNT_PIDS[@]}"; do
  while read -r mp lower; do
    [ -z "$lower" ] && continue
    IFS=: read -ra layers <<< "$lower"
    if [ ${#layers[@]} -ge 2 ] && [ "${layers[-1]}" = /images/busybox ]; then
      pass "The overlay on $mp stacks ${#layers[@]} read-only layers: ${lower//:/ over } (the first one wins where they overlap)."
    fi
    other="$mp (lowerdir=$lower)"
  done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) != "overlay") next; n = split($(i+3), o, ","); for (j = 1; j <= n; j++) if (o[j] ~ /^lowerdir=/) print $5, substr(o[j], 10) }' "/proc/$p/mountinfo" 2>/dev/null)
done
[ -n "$other" ] && fail one-layer "Your overlays have one lower layer, or not /images/busybox at the bottom (e.g. $other): use lowerdir=/tmp/layer:/images/busybox."
fail no-layers "No overlay with two lower layers yet: run mount -t overlay overlay -o lowerdir=/tmp/layer:/images/busybox,upperdir=/tmp/up2,workdir=/tmp/work2 /tmp/box."

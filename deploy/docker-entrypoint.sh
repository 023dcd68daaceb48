#!/bin/sh
# The image's entry point (and usable outside a container): runs `isoplay doctor` first and refuses to
# start, with the doctor's report and the docker run flags that fix it, when this host or container
# lacks something the sandboxes need. `docker-entrypoint.sh doctor` runs the doctor alone; anything
# else is passed to `isoplay start` (flags such as --port, --max-sessions; see the README's
# configuration reference).
set -u
ISOPLAY_HOME=${ISOPLAY_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ISOPLAY_HOME" || exit 1
TSX="$ISOPLAY_HOME/node_modules/.bin/tsx"
report=$(mktemp) || exit 1
"$TSX" server/cli.ts doctor >"$report" 2>&1
status=$?
if [ "${1:-}" = doctor ]; then
  cat "$report"
  rm -f "$report"
  exit "$status"
fi
if [ "$status" != 0 ]; then
  {
    echo "isoplay: this host or container cannot run the playground (isoplay doctor):"
    # Only what fails, with its fix (the warnings are in `docker-entrypoint.sh doctor`).
    awk '/^FAIL/ { print; f = 1; next } f && /^      fix:/ { print } { f = 0 }' "$report"
    echo
    echo "In a container, run it with:  docker run --privileged --cgroupns=host -p 8080:8080 isoplay"
    echo "(or the narrower set in the README, \"Docker\"): the sandboxes create namespaces, mount a fresh"
    echo "proc and sysfs, and make a cgroup per learner under a writable /sys/fs/cgroup."
  } >&2
  rm -f "$report"
  exit 1
fi
rm -f "$report"
exec "$TSX" server/cli.ts start "$@"

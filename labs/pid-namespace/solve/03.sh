# Inside, even SIGKILL to PID 1 is dropped; from the parent namespace it is forced.
for u in $(pgrep -x unshare); do
  nsenter --target "$(pgrep -P "$u" | head -1)" --pid sh -c 'kill -KILL 1' 2>/dev/null || true
done
kill -KILL $(pgrep -P "$(pgrep -d, -x unshare)") 2>/dev/null
sleep 0.5
true

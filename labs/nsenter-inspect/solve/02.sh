WEB=$(pgrep -n -f '^sleep 100000$')
# A process joined from outside (its parent, nsenter, stays in the sandbox); an interactive learner uses bash.
{ nsenter -t "$WEB" --mount --uts --net --pid sleep 99999 & } </dev/null >/dev/null 2>&1
sleep 0.3

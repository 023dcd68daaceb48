{ cgexec -g pids,cpu:demo sleep infinity & } </dev/null >/dev/null 2>&1
{ sleep infinity & } </dev/null >/dev/null 2>&1
cgclassify -g pids,cpu:demo $!
sleep 0.2

#!/usr/bin/env bash
# Processes, pipes and signals through real programs: shell pipelines,
# subshells, background jobs, traps, and a glibc-linked Python that runs a
# subprocess. Each must behave as it does natively.
. "$(dirname "$0")/lib.sh"

same pipeline-sort "$BB" sh -c 'seq 1 100000 | sort -rn | head -3'
same subshell "$BB" sh -c '(cd /tmp && echo sub; exit 3); echo status=$?'
same yes-head "$BB" sh -c 'yes | head -2'
same background-wait "$BB" sh -c 'sleep 0.1 & wait; echo waited $?'
same trap-usr1 "$BB" sh -c 'trap "echo caught" USR1; kill -USR1 $$; echo after'
same issue-line "$BB" sh -c 'seq 1 100000 | sort -rn | head -3; (cd /tmp && echo sub); yes | head -2; sleep 0.1 & wait; trap "echo caught" USR1; kill -USR1 $$'
same killed-child "$BB" sh -c 'sleep 10 & kill -TERM $!; wait $!; echo status=$?'
same exit-by-signal "$BB" sh -c 'kill -KILL $$'
same command-subst "$BB" sh -c 'x=$(echo a; echo b); echo "$x" | wc -l'
same long-pipe "$BB" sh -c 'cat /etc/services /etc/services | tr a-z A-Z | sort | uniq -c | sort -n | tail -3'
same exec-chain "$BB" sh -c 'exec "$0" sh -c "echo deep; exit 4"' "$BB"
# ps must list the shell and itself, its child, by pid and parent pid; the
# host's other processes (natively) don't matter, so they are not counted,
# nor is awk (the shell may not have started it yet when ps looks).
same ps-sees-itself -f sort "$BB" sh -c '"$0" ps -o pid,ppid,args |
	"$0" awk -v me=$$ '\''$1 == me { print "shell", $4 } $2 == me && $4 == "ps" { print "child ps" }'\' "$BB"

if [ -x /usr/bin/python3 ]; then
	same python-hello /usr/bin/python3 -c 'print("hi")'
	same python-subprocess /usr/bin/python3 -c 'import subprocess, os, signal; print(subprocess.run(["echo","hi"],capture_output=True).stdout)'
	same python-signal /usr/bin/python3 -c 'import os, signal; signal.signal(signal.SIGUSR1, lambda *a: print("handler")); os.kill(os.getpid(), signal.SIGUSR1); print("done")'
fi
exit $((failures > 100 ? 100 : failures))

# shellcheck shell=sh disable=SC2086,SC2154,SC3045 # busybox sh: read -d
# tests/e2e/busybox-testsuite/watchdog.sh LIMIT [POLL]: the per-test time
# limit of the BusyBox test suite runs (guest.sh starts it; run by
# /bin/busybox sh). Every POLL seconds (default 5) it looks at the processes
# of its own session and kills, with SIGTERM and a poll later SIGKILL, any
# program that has run for LIMIT seconds: a test whose command takes that
# long fails, and the run goes on with the next test. Shells are spared
# (runtest, the *.tests scripts and the "sh -x -e" of the old-style tests
# live for a whole applet's tests); the programs a test runs are not.
# Only shell builtins look at /proc, so the watchdog itself makes few
# system calls. Prints "WATCHDOG: ..." on stdout for each kill.
limit=${1:?usage: watchdog.sh LIMIT [POLL]}
poll=${2:-5}
me=$$
{ read -r st </proc/self/stat; } 2>/dev/null
set -- ${st##*) }
sid=$4		# fields after "(comm) ": state ppid pgrp session ...
[ -n "$sid" ] || exit 0
gen=0
sp=
trap '[ -n "$sp" ] && kill $sp 2>/dev/null; exit 0' TERM INT HUP
while :; do
	sleep "$poll" &
	sp=$!
	wait $sp
	sp=
	gen=$((gen + 1))
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" = "$me" ] && continue
		st=
		{ read -r st <"$d/stat"; } 2>/dev/null
		[ -n "$st" ] || continue
		set -- ${st##*) }
		[ "$4" = "$sid" ] || continue
		a0=
		{ IFS= read -r -d '' a0 <"$d/cmdline"; } 2>/dev/null
		name=${a0##*/}
		case $name in
		'' | sh | ash | dash | bash | hush | busybox | runtest | *.tests) continue ;;
		esac
		eval "pg=\${g_$p:-0} pc=\${c_$p:-0} pn=\${n_$p-}"
		if [ "$pg" = $((gen - 1)) ] && [ "$pn" = "$name" ]; then
			c=$((pc + 1))
		else
			c=1
		fi
		eval "g_$p=$gen c_$p=$c n_$p=\$name"
		# seen in c polls in a row: it has run at least (c-1)*poll seconds
		age=$(((c - 1) * poll))
		if [ $age -ge $((limit + 2 * poll)) ]; then
			kill -KILL "$p" 2>/dev/null
		elif [ $age -ge "$limit" ] && [ $age -lt $((limit + poll)) ]; then
			echo "WATCHDOG: killed $name (pid $p) after ${limit}s"
			kill -TERM "$p" 2>/dev/null
		fi
	done
done

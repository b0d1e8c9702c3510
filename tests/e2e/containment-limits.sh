#!/usr/bin/env bash
# Containment of cost: one guest with many mappings or many fds pays for
# them itself. Every call of the kernel's single event loop is O(log n) in
# the mappings and fds, so the loop is never held for long and another
# guest process keeps running; and one guest process cannot take all of
# persona's host fds from the others.
. "$(dirname "$0")/lib.sh"

limits=$(attack limits) || { fail build-limits; finish; }

# load NAME ARGS: `limits ARGS` beside a heartbeat (a tick every 100 ms)
# in one sandbox. The load must finish, persona's CPU time for it (user
# time, where per-call work lies; f808cc5 spent 14 s on the mappings and
# 43 s on the pipes there, and took 78 s and 260 s) must stay under 6 s,
# the wall time under 60 s, and the heartbeat must keep ticking: no gap
# over 2 s. The wall-time bound is loose on purpose: a system call costs
# 20-100 us under ptrace on a busy machine whatever the kernel does.
cpu_max=6
case $PERSONA in *build-san*) cpu_max=25 ;; esac	# sanitizers cost 3-4x
load() {
	local name=$1 out cpu ms gap
	shift
	out=$(TIMEFORMAT=%U; { time T_TIMEOUT=60 pr -- /bin/sh -c \
		"$limits heartbeat > /tmp/hb & $limits $*; kill \$!; wait
		 awk '{ if (NR > 1 && \$2 - p > g) g = \$2 - p; p = \$2 } END { print \"gap\", g + 0 }' /tmp/hb" \
		2>"$work/stderr"; } 2>"$work/time")
	cpu=$(tail -1 "$work/time")
	ms=$(awk '$1 == "ms" { print $2 }' <<<"$out")
	gap=$(awk '$1 == "gap" { print $2 }' <<<"$out")
	if grep -qx "$1 $2 ok" <<<"$out" && [ -n "$ms" ] && [ "$ms" -lt 60000 ] &&
		awk -v c="$cpu" -v m="$cpu_max" 'BEGIN { exit !(c < m) }' && [ -n "$gap" ] && [ "$gap" -lt 2000 ]; then
		pass "$name"
	else
		fail "$name" "persona CPU ${cpu}s (< $cpu_max s), load ${ms:-?} ms (< 60 s), heartbeat gap ${gap:-?} ms (< 2 s)" \
			"$out" "$(head -5 "$work/stderr")"
	fi
}

# (a) 30000 mappings that can't merge, an mprotect of each, and munmap.
load maps-30000 maps 30000
# (b) 300000 pipes, as many at once as the fd limit allows (20000 fds
# here), then close_range, round after round (f808cc5: 11 s of CPU).
load pipes-300000 pipes 300000

# (c) One process takes host fds until it can't: distinct host files (an
# fd each) or UDP sockets; another process still opens a file, makes
# sockets and runs a program. persona's host fd table is made small (4096)
# so the hog reaches the budget quickly; on f808cc5 the hog took every
# host fd and the others failed with EMFILE.
want="hog stopped by ENFILE
open: ok
inet socket: ok
unix socket: ok
exec /bin/true: ok"
for what in files sockets; do
	out=$(ulimit -n 4096 && pr -- /bin/sh -c \
		"$limits hog $what | { read l; echo \"\$l\"; $limits probe /etc/hostname; }" 2>"$work/stderr")
	if [ "$out" = "$want" ]; then
		pass "hog-$what"
	else
		fail "hog-$what" "$out" "want:" "$want" "stderr:" "$(head -5 "$work/stderr")"
	fi
done

finish

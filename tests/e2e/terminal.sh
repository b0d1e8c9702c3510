#!/usr/bin/env bash
# persona on a real terminal (a pty from script(1)): an interactive shell
# runs commands, Ctrl-C interrupts the running command and the shell goes
# on, Ctrl-Z stops a job and fg brings it back, and the exit status comes
# through.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { pass skipped-no-script; exit 0; }

# typed KEYS...: writes each argument to the terminal with a pause before
typed() {
	for k in "$@"; do
		sleep 0.6
		printf '%b' "$k"
	done
	sleep 0.6
}

session() {	# session NAME PROGRAM KEYS...: runs PROGRAM on a pty
	local name=$1 prog=$2
	shift 2
	typed "$@" | timeout -k 5 "$T_TIMEOUT" script -qfec "$PERSONA run -- $prog" /dev/null \
		>"$work/$name.out" 2>&1
	echo $? >"$work/$name.status"
}

session ctrl-c "$BB sh" 'sleep 100\n' '\003' 'echo after-$((40+2))\n' 'exit 3\n'
if grep -q 'after-42' "$work/ctrl-c.out" && [ "$(cat "$work/ctrl-c.status")" = 3 ]; then
	pass ctrl-c-then-exit-3
else
	fail ctrl-c-then-exit-3 "status $(cat "$work/ctrl-c.status")" "$(cat -v "$work/ctrl-c.out")"
fi

session job-control "$BB sh" 'sleep 100\n' '\032' 'jobs\n' 'fg\n' '\003' 'echo done-$((1+1))\n' 'exit\n'
if grep -q 'Stopped' "$work/job-control.out" && grep -q 'done-2' "$work/job-control.out"; then
	pass ctrl-z-fg-ctrl-c
else
	fail ctrl-z-fg-ctrl-c "$(cat -v "$work/job-control.out")"
fi

session tty-name "$BB sh" 'tty; stty size\n' 'exit\n'
if grep -q '^/dev/pts/' "$work/tty-name.out"; then
	pass ttyname
else
	fail ttyname "$(cat -v "$work/tty-name.out")"
fi

session background-read "$BB sh" 'cat &\n' 'jobs\n' 'kill %1\n' 'exit\n'
if grep -q 'Stopped (tty input)' "$work/background-read.out"; then
	pass sigttin-background-read
else
	fail sigttin-background-read "$(cat -v "$work/background-read.out")"
fi
exit $((failures > 100 ? 100 : failures))

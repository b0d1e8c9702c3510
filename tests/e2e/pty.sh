#!/usr/bin/env bash
# Programs on persona's own pseudo-terminals (/dev/ptmx, /dev/pts/N): an
# interactive shell driven through pty.fork by a Python terminal (keys,
# Ctrl-C, Ctrl-Z and fg, Ctrl-D, window size, exit status), and script(1)
# running a command on a pty it makes. Each must behave as natively.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
if [ -x "$PY" ]; then
	same python-pty-shell "$PY" "$(dirname "$0")/python/pty-shell.py" "$BB"
else
	echo "SKIP $SUITE/python-pty-shell: needs $PY"
fi

if command -v script >/dev/null; then
	same script-runs-on-a-pty -f 'sed "s#/dev/pts/[0-9]*#/dev/pts/N#"' \
		"$(command -v script)" -qec "$BB sh -c 'tty; echo on a pty; exit 5'" /dev/null
else
	echo "SKIP $SUITE/script-runs-on-a-pty: needs script(1)"
fi
exit $((failures > 100 ? 100 : failures))

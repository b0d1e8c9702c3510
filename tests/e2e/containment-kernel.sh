#!/usr/bin/env bash
# Kernel limits a guest can't talk its way past, where a differential ABI
# test can't show it (the host's own settings decide).
. "$(dirname "$0")/lib.sh"

# RLIMIT_NOFILE's hard limit stops at the host's fs.nr_open, as Linux's
# does, whatever the guest's privileges: persona reads the host's value,
# here a small one bind-mounted over it in a private mount namespace (so
# the real sysctl is untouched).
echo 4096 >"$work/nr_open"
nofile() {
	timeout -k 5 "$T_TIMEOUT" unshare -m sh -c \
		'mount --bind "$1" /proc/sys/fs/nr_open && shift && exec "$@"' sh "$work/nr_open" \
		"$PERSONA" run -- "$BB" sh -c "$1" </dev/null 2>"$work/stderr"
}
if ! unshare -m true 2>/dev/null; then
	echo "SKIP $SUITE/nofile-nr-open (no mount namespace)"
else
	out=$(nofile 'ulimit -n 4096 && ulimit -Hn && ulimit -n 4097 || echo refused')
	if [ "$out" = "$(printf '4096\nrefused')" ]; then
		pass nofile-nr-open
	else
		fail nofile-nr-open "stdout:" "$out" "want: 4096, refused" "stderr:" "$(head -5 "$work/stderr")"
	fi
fi

finish

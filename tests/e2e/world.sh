#!/usr/bin/env bash
# The default world: the host's / read-only under a writable in-memory
# layer, fresh /tmp and /proc.
. "$(dirname "$0")/lib.sh"

# writing to /etc succeeds in the guest and never reaches the host
f=/etc/persona-e2e-$$
rm -f "$f"
expect etc-write 0 "written" -- "$BB" sh -c "echo written > $f && cat $f"
if [ -e "$f" ]; then
	fail etc-write-host-untouched "$f exists on the host"
	rm -f "$f"
else
	pass etc-write-host-untouched
fi

# changing and removing host files in the guest leaves the host copies
# alone. The files are our own, in /var/tmp (host-visible, unlike /tmp), so
# a persona that wrongly wrote through would not damage the host.
lower=$(mktemp -d /var/tmp/persona-e2e-XXXXXX)
trap 'rm -rf "$work" "$lower"' EXIT
echo original >"$lower/file"
echo keep >"$lower/victim"
expect host-file-append 0 "$(printf 'original\nappended')" \
	-- "$BB" sh -c "echo appended >> $lower/file && cat $lower/file"
expect host-file-rm 0 "gone" -- "$BB" sh -c "rm $lower/victim && test ! -e $lower/victim && echo gone"
expect host-dir-rm 0 "gone" -- "$BB" sh -c "rm -r $lower && test ! -e $lower && echo gone"
if [ "$(cat "$lower/file")" = original ] && [ "$(cat "$lower/victim")" = keep ]; then
	pass host-files-untouched
else
	fail host-files-untouched "$(ls -la "$lower" 2>&1)" "$(cat "$lower/file" 2>&1)"
fi

# /tmp is fresh: a host file there is not visible, a guest file not kept
marker=/tmp/persona-e2e-marker-$$
echo host > "$marker"
expect tmp-fresh 0 "absent" -- "$BB" sh -c "test -e $marker || echo absent"
expect tmp-write 0 "g" -- "$BB" sh -c "echo g > /tmp/guest-$$ && cat /tmp/guest-$$"
rm -f "$marker"
if [ -e "/tmp/guest-$$" ]; then
	fail tmp-not-kept "/tmp/guest-$$ exists on the host"
	rm -f "/tmp/guest-$$"
else
	pass tmp-not-kept
fi

# /proc/self is the guest's own
out=$(pr -- "$BB" ls -la /proc/self/ 2>"$work/stderr")
st=$?
if [ $st = 0 ] && grep -qw exe <<<"$out" && grep -qw cmdline <<<"$out"; then
	pass proc-self-ls
else
	fail proc-self-ls "exit status $st" "$out" "$(head -5 "$work/stderr")"
fi
same proc-self-cmdline -f "tr '\\0' ' '" "$BB" cat /proc/self/cmdline
same proc-self-exe "$BB" readlink /proc/self/exe
expect proc-self-cwd 0 "/etc" -- "$BB" sh -c 'cd /etc && readlink /proc/self/cwd'
# /dev has the usual devices
expect dev-null 0 "" -- "$BB" sh -c 'echo x > /dev/null && cat /dev/null'
expect dev-zero 0 "00000000" -- "$BB" sh -c "$BB head -c 4 /dev/zero | $BB od -An -tx1 | $BB tr -d ' '"
finish

#!/usr/bin/env bash
# The command line: exit status, errors, --trace, `persona syscalls`.
. "$(dirname "$0")/lib.sh"

expect exit-status 7 "" -- "$BB" sh -c 'exit 7'
expect exit-status-0 0 "" -- "$BB" true
expect exit-status-255 255 "" -- "$BB" sh -c 'exit 255'

# a bad option: status 2 and a one-line message on stderr, nothing on stdout
out=$(timeout 10 "$PERSONA" run --no-such-option -- "$BB" true 2>"$work/err" </dev/null)
st=$?
if [ $st = 2 ] && [ -z "$out" ] && [ "$(wc -l <"$work/err")" = 1 ]; then
	pass bad-option
else
	fail bad-option "exit status $st (want 2)" "stdout: $out" "stderr:" "$(cat "$work/err")"
fi
out=$(timeout 10 "$PERSONA" --no-such-command 2>"$work/err" </dev/null)
st=$?
if [ $st = 2 ] && [ -s "$work/err" ]; then
	pass bad-command
else
	fail bad-command "exit status $st (want 2)" "stderr:" "$(cat "$work/err")"
fi

# a program that does not exist: nonzero, with a message
out=$(pr -- /nonexistent/program 2>"$work/err")
st=$?
if [ $st != 0 ] && [ -s "$work/err" ]; then
	pass missing-program
else
	fail missing-program "exit status $st" "stderr:" "$(cat "$work/err")"
fi

# --trace writes strace-like lines to stderr; stdout stays the program's
out=$(pr --trace -- "$BB" echo traced 2>"$work/err")
st=$?
if [ $st = 0 ] && [ "$out" = traced ] && grep -qE 'execve|exit_group\(' "$work/err" &&
	grep -q 'write(1,' "$work/err"; then
	pass trace
else
	fail trace "exit status $st, stdout: $out" "stderr:" "$(head -20 "$work/err")"
fi
out=$(pr --trace -- "$BB" true 2>"$work/err")
if grep -q 'exit_group(' "$work/err"; then
	pass trace-true
else
	fail trace-true "stderr:" "$(head -20 "$work/err")"
fi

# --quiet silences the "unimplemented syscall" notes but not the program
out=$(pr --quiet -- "$BB" sh -c 'echo out; echo err >&2' 2>"$work/err")
if [ "$out" = out ] && [ "$(cat "$work/err")" = err ]; then
	pass quiet
else
	fail quiet "stdout: $out" "stderr:" "$(head -5 "$work/err")"
fi

# stdout redirected to a file is shared with the shell that started
# persona: the guest writes at the file's current offset and moves it on,
# as any host program would (plain and append mode)
( echo before; pr --quiet -- "$BB" echo guest; echo after ) >"$work/console" 2>&1
if [ "$(cat "$work/console")" = "$(printf 'before\nguest\nafter')" ]; then
	pass console-file-offset
else
	fail console-file-offset "file content:" "$(cat -A "$work/console")"
fi
echo first >"$work/console"
( pr --quiet -- "$BB" echo guest; echo after ) >>"$work/console" 2>&1
if [ "$(cat "$work/console")" = "$(printf 'first\nguest\nafter')" ]; then
	pass console-file-append
else
	fail console-file-append "file content:" "$(cat -A "$work/console")"
fi

# the coverage table, generated from the syscall table
out=$(timeout 10 "$PERSONA" syscalls --format md </dev/null 2>"$work/err")
st=$?
# a row naming read (not pread64, readv, ...) as DONE
if [ $st = 0 ] && grep -qE '(^|[^a-z0-9_])read([^a-z0-9_]|$).*DONE' <<<"$out"; then
	pass syscalls-md
else
	fail syscalls-md "exit status $st" "$(head -10 <<<"$out")" "$(head -5 "$work/err")"
fi
# ... and an unimplemented call (if listed) is not
if ! grep -qE '(^|[^a-z0-9_])io_uring_setup([^a-z0-9_]|$).*DONE' <<<"$out"; then
	pass syscalls-md-not-done
else
	fail syscalls-md-not-done "$(grep io_uring_setup <<<"$out")"
fi
finish

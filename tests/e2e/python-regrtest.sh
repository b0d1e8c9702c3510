#!/usr/bin/env bash
# CPython's own regression tests (Debian's libpython3.11-testsuite) run by
# Debian's /usr/bin/python3, natively and under persona, with the counts of
# each side by side: test_subprocess, test_signal and test_os exercise fork,
# exec, pipes, wait, signals, timers, threads and most of the file system
# calls through a dynamically linked glibc program; test_pty,
# test_openpty, test_readline, test_getpass and test_builtin's input()
# cases the pseudo-terminals; test_select, test_poll and test_selectors the
# waiting calls; test_fcntl file control and locks.
#
# One case per module: it passes when both runs finished on their own and
# every test case has a recorded outcome, so that the counts are complete.
# How many test cases fail under persona is reported, not judged: the table,
# the test cases that pass natively but not under persona, and the
# unimplemented system calls persona reported are printed after the cases.
#
# Each test case's outcome is recorded the moment it is known by
# python/regrtest-record.py (a wrapper around regrtest), so a run cut off by
# the time limit still counts what it did and names the test it hung in;
# python/regrtest-report.py compares the runs. The logs stay in
# build/tests/e2e/python-regrtest/ (MODULE.native.out, MODULE.persona.err...).
#
# Environment: PY_REGRTEST_MODULES (the modules, default all twelve),
# PY_REGRTEST_LIMIT (seconds per run, default 330), PY_REGRTEST_BUDGET
# (seconds for the whole script, default 450: a run gets at most what is
# left of it, and none starts with less than 20 s left), PY_REGRTEST_SERIAL=1
# (the native runs first, not alongside).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
record=$here/python/regrtest-record.py
report=$here/python/regrtest-report.py
modules=${PY_REGRTEST_MODULES:-test_os test_signal test_subprocess test_pty test_openpty
	test_readline test_getpass test_builtin test_select test_poll test_selectors test_fcntl}
limit=${PY_REGRTEST_LIMIT:-330}
budget=${PY_REGRTEST_BUDGET:-450}
logs=${BUILD_DIR:-$root/build/tests}/e2e/python-regrtest

# shellcheck disable=SC2086 # the module list is a word list
if ! [ -x "$PY" ] || ! "$PY" -c "import test.libregrtest$(printf ', test.%s' $modules)" 2>/dev/null; then
	echo "SKIP $SUITE: needs $PY and its test package (apt-get install libpython3.11-testsuite)"
	exit 0
fi

# Both sides run in the same small, fixed environment, so that neither the
# caller's PATH (Popen of a bare name tries every entry) nor its PYTHON*
# variables (PYTHONUNBUFFERED changes how sys.stdout writes) change what
# the tests do. The sanitizer options are for an ASan build of persona.
cleanenv=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME="${HOME:-/root}" LANG=C.UTF-8)
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!v:-}" ] && cleanenv+=("$v=${!v}")
done

# the runs write to our own directory (another make check may be running
# this script at the same time) and are copied to build/ at the end
out=$work/logs
mkdir -p "$out" "$work/native-tmp"
start=$SECONDS

# run SIDE MODULE TMPDIR CMD...: run CMD (regrtest-record.py and its
# arguments are added) with the time left, regrtest's working directories
# under TMPDIR; record its stdout, stderr, exit status and seconds.
# stderr is opened for appending: persona's own messages then never get
# overwritten by the guest's writes to the same file.
run() {
	local side=$1 m=$2 tmp=$3 base left t0 st
	shift 3
	base=$out/$m.$side
	left=$((budget - (SECONDS - start)))
	[ "$left" -gt "$limit" ] && left=$limit
	: >"$base.err"
	if [ "$left" -lt 20 ]; then
		echo "not run: the ${budget}s budget of the script was spent" >"$base.out"
		echo 124 >"$base.status"
		echo 0 >"$base.secs"
		return
	fi
	t0=$(date +%s.%N)
	# regrtest's own --timeout (faulthandler) dumps every thread's traceback
	# shortly before the outer limit would kill the run without a word
	timeout -k 5 "$left" "$@" "$PY" "$record" -v --timeout $((left - 10)) \
		--tempdir "$tmp" "$m" </dev/null >"$base.out" 2>>"$base.err"
	st=$?
	echo $st >"$base.status"
	echo "$(date +%s.%N) $t0" | awk '{printf "%.1f\n", $1 - $2}' >"$base.secs"
}

# The native runs go alongside the persona runs: they mostly wait (about
# a second of CPU for every ten of wall time), so they barely slow
# persona and the script takes about as long as persona alone. Natively the
# tests' files go to our own directory, in the guest to its fresh /tmp.
if [ "${PY_REGRTEST_SERIAL:-0}" = 1 ]; then
	for m in $modules; do run native "$m" "$work/native-tmp" "${cleanenv[@]}"; done
	native=
else
	for m in $modules; do run native "$m" "$work/native-tmp" "${cleanenv[@]}"; done &
	native=$!
fi
for m in $modules; do
	run persona "$m" /tmp "${cleanenv[@]}" "$PERSONA" run --
done
[ -n "$native" ] && wait "$native"

rm -rf "$logs"
mkdir -p "$(dirname "$logs")" && cp -r "$out" "$logs"
# shellcheck disable=SC2086
"$PY" "$report" "$SUITE" "$out" $modules >"$work/report"
cat "$work/report"
echo "    time: $((SECONDS - start)) s in all (budget ${budget} s); logs in $logs"
failures=$(grep -c '^FAIL ' "$work/report")
finish

# shellcheck shell=sh
# tests/e2e/busybox-testsuite/guest.sh DIR LIMIT [APPLET...]: one run of
# BusyBox's test suite, started by busybox-testsuite.sh the same way
# natively and under persona:
#     /bin/busybox env -i VARS... /bin/busybox sh guest.sh DIR LIMIT APPLETS
# In the test suite's directory, DIR, it runs `busybox sh runtest [APPLET...]`
# with the watchdog (LIMIT seconds per program) beside it. runtest prints
# "PASS: name", "FAIL: name", "SKIPPED: name" or "UNTESTED: name" per test;
# the last line is "RUNTEST-EXIT: status".
here=$(dirname "$0")
dir=${1:?usage: guest.sh DIR LIMIT [APPLET...]}
limit=${2:?usage: guest.sh DIR LIMIT [APPLET...]}
shift 2
cd "$dir" || exit 2
/bin/busybox sh "$here/watchdog.sh" "$limit" </dev/null &
wd=$!
/bin/busybox sh ./runtest "$@"
st=$?
kill $wd 2>/dev/null
wait $wd 2>/dev/null
echo "RUNTEST-EXIT: $st"
exit $st

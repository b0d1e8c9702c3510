#!/usr/bin/env bash
# tests/run-tests.sh PERSONA_BINARY [NAME...]
#
# Runs the differential ABI tests (tests/abi/*.c: built static, run natively
# and under `persona run --quiet`, stdout and exit status compared) and the
# end-to-end scripts (tests/e2e/*.sh). Prints one PASS/FAIL line per test,
# details under each failure, and last the line "N passed, N failed".
# Exits nonzero if anything failed.
#
#   NAME...        run only these tests (whole names or their leading
#                  components), e.g. abi/fileio, abi, e2e/containment
#   PERSONA_BINARY may be --native: every ABI test runs natively twice and
#                  the two outputs are compared (is the test deterministic?);
#                  the e2e scripts are skipped.
#
# Environment: CC (gcc), BUILD_DIR (build/tests), TEST_TIMEOUT (30 s per run).
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 PERSONA_BINARY|--native [NAME...]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build/tests}
case $build in
/tmp | /tmp/*)
	# The guest's /tmp is its own fresh tmpfs: programs it must run can't
	# live there. A checkout under /tmp builds its tests in /var/tmp.
	if [ -n "${BUILD_DIR:-}" ]; then
		echo "$0: BUILD_DIR must not be under /tmp" >&2
		exit 2
	fi
	build=/var/tmp/persona-tests-$(id -u)-$(echo "$root" | cksum | cut -d' ' -f1)
	echo "note: $root is under /tmp; building the tests in $build" >&2
	;;
esac
export BUILD_DIR=$build
CC=${CC:-gcc}
CFLAGS="-static -O1 -Wall -Werror"
TIMEOUT=${TEST_TIMEOUT:-30}
export TEST_TIMEOUT=$TIMEOUT

native_only=0
if [ "$1" = --native ]; then
	native_only=1
	PERSONA=
else
	PERSONA=$1
	case $PERSONA in /*) ;; *) PERSONA=$PWD/$PERSONA ;; esac
	if [ ! -x "$PERSONA" ]; then
		echo "$0: $PERSONA: not an executable" >&2
		exit 2
	fi
	case $root in
	/tmp/*)
		# A checkout under /tmp is hidden by the guest's fresh /tmp, and
		# some scripts run its files in the guest: show it the checkout.
		mkdir -p "$build"
		cat >"$build/persona" <<-EOF
			#!/bin/sh
			if [ "\$1" = run ]; then
				shift
				exec "$PERSONA" run --ro-bind "$root:$root" "\$@"
			fi
			exec "$PERSONA" "\$@"
		EOF
		chmod +x "$build/persona"
		PERSONA=$build/persona
		;;
	esac
fi
shift
filters=("$@")

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
indent() { sed 's/^/    /'; }

# wanted NAME: is NAME selected by the filters? A filter names whole
# path components: "abi" selects abi/*, "e2e/busybox" that script only.
wanted() {
	[ ${#filters[@]} -eq 0 ] && return 0
	local f
	for f in "${filters[@]}"; do
		f=${f%/}
		case $1 in "$f" | "$f"/*) return 0 ;; esac
	done
	return 1
}

# run_limited OUT ERR CMD...: run CMD with no stdin and a time limit
# (timeout's status 124 means it was cut off); print the exit status.
run_limited() {
	local out=$1 err=$2
	shift 2
	timeout -k 5 "$TIMEOUT" "$@" </dev/null >"$out" 2>"$err"
	echo $?
}

abi_test() {
	local name=$1 src=$2 bin=$build/abi/$1 out=$build/abi/$1
	# rebuild when the source or the shared header is newer
	if [ ! "$bin" -nt "$src" ] || [ ! "$bin" -nt "$root/tests/abi/abi.h" ]; then
		# shellcheck disable=SC2086 # CC and CFLAGS are word lists
		if ! $CC $CFLAGS -o "$bin" "$src" 2>"$out.build"; then
			fail "abi/$name"
			echo "    build failed:"
			head -30 "$out.build" | indent
			return
		fi
	fi
	local ns gs side=persona
	ns=$(run_limited "$out.native" "$out.native.err" "$bin")
	if [ $native_only = 1 ]; then
		side=native-again
		gs=$(run_limited "$out.guest" "$out.guest.err" "$bin")
	else
		gs=$(run_limited "$out.guest" "$out.guest.err" "$PERSONA" run --quiet -- "$bin")
	fi
	# a test that prints nothing proves nothing
	if [ ! -s "$out.native" ] || [ "$ns" = 124 ]; then
		fail "abi/$name"
		echo "    native run: exit status $ns, $(wc -l <"$out.native") lines"
		head -10 "$out.native.err" | indent
		return
	fi
	if cmp -s "$out.native" "$out.guest" && [ "$ns" = "$gs" ]; then
		pass "abi/$name"
		return
	fi
	fail "abi/$name"
	{
		echo "exit status: native $ns, $side $gs$([ "$gs" = 124 ] && echo ' (timed out)')"
		diff -u --label native --label "$side" "$out.native" "$out.guest" | head -30
		if [ -s "$out.guest.err" ]; then
			echo "$side stderr:"
			head -10 "$out.guest.err"
		fi
	} | indent
}

e2e_script() {
	local name=$1 script=$2 out=$build/e2e/$1.out st
	bash "$script" "$PERSONA" >"$out" 2>&1
	st=$?
	cat "$out"
	local p f
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	# a script that died without saying why still counts as a failure
	if [ "$st" != 0 ] && [ "$f" = 0 ]; then
		fail "e2e/$name"
		echo "    script exited with status $st"
	fi
}

mkdir -p "$build/abi" "$build/e2e"

for src in "$root"/tests/abi/*.c; do
	name=$(basename "$src" .c)
	wanted "abi/$name" && abi_test "$name" "$src"
done

if [ $native_only = 0 ]; then
	for script in "$root"/tests/e2e/*.sh; do
		name=$(basename "$script" .sh)
		[ "$name" = lib ] && continue
		wanted "e2e/$name" && e2e_script "$name" "$script"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

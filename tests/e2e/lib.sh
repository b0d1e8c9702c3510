# shellcheck shell=bash disable=SC2034
# tests/e2e/lib.sh: helpers for the end-to-end scripts. Sourced by each
# script, which is run as `bash tests/e2e/NAME.sh PERSONA_BINARY` and prints
# one "PASS e2e/NAME/case" or "FAIL e2e/NAME/case" line per case, with the
# details of a failure indented below it. The exit status is the number of
# failures (capped), so a script that dies early is noticed by the runner.

PERSONA=${1:?usage: $0 PERSONA_BINARY}
# The platform persona runs guests on (PERSONA_PLATFORM chooses).
PLATFORM=$("$PERSONA" --version | sed -n 's/.*(platform: \(.*\))$/\1/p')
SUITE=e2e/$(basename "$0" .sh)
BB=${BUSYBOX:-/bin/busybox}
T_TIMEOUT=${TEST_TIMEOUT:-30}
failures=0
work=$(mktemp -d /tmp/persona-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS $SUITE/$1"; }

# fail NAME [DETAIL...]: each DETAIL may span lines; 30 lines at most
fail() {
	local name=$1
	shift
	echo "FAIL $SUITE/$name"
	[ $# -gt 0 ] && printf '%s\n' "$@" | head -30 | sed 's/^/    /'
	failures=$((failures + 1))
}

# pr ARGS...: `persona run ARGS...` with a time limit and no stdin
pr() { timeout -k 5 "$T_TIMEOUT" "$PERSONA" run "$@" </dev/null; }

# same NAME [-f FILTER] CMD...: CMD's stdout (through FILTER, a shell
# command, if given) and exit status must be the same natively and under
# persona. stderr is not compared; persona's is shown on failure.
same() {
	local name=$1 filter=cat ns ps
	shift
	if [ "$1" = -f ]; then
		filter=$2
		shift 2
	fi
	"$@" </dev/null 2>/dev/null >"$work/native.raw"
	ns=$?
	pr -- "$@" 2>"$work/stderr" >"$work/guest.raw"
	ps=$?
	sh -c "$filter" <"$work/native.raw" >"$work/native"
	sh -c "$filter" <"$work/guest.raw" >"$work/guest"
	if cmp -s "$work/native" "$work/guest" && [ "$ns" = "$ps" ]; then
		pass "$name"
	else
		fail "$name" "\$ $*" "exit status: native $ns, persona $ps" \
			"$(diff -u "$work/native" "$work/guest" | tail -n +3 | head -20)" \
			"persona stderr:" "$(head -5 "$work/stderr")"
	fi
}

# expect NAME STATUS EXPECTED_STDOUT ARGS...: `persona run ARGS...` must
# exit with STATUS and print exactly EXPECTED_STDOUT.
expect() {
	local name=$1 want_status=$2 want=$3 out st
	shift 3
	out=$(pr "$@" 2>"$work/stderr")
	st=$?
	if [ "$st" = "$want_status" ] && [ "$out" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "\$ persona run $*" "exit status: $st (want $want_status)" \
			"stdout:" "$out" "want:" "$want" "stderr:" "$(head -5 "$work/stderr")"
	fi
}

finish() { exit $((failures > 100 ? 100 : failures)); }

# attack NAME: builds tests/e2e/attacks/NAME.c (static, once) and prints
# the program's path; it lives outside /tmp, which the guest sees fresh.
attack() {
	local src out
	src=$(dirname "$0")/attacks/$1.c
	out=${BUILD_DIR:-$(dirname "$0")/../../build/tests}/attacks/$1
	mkdir -p "$(dirname "$out")"
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		${CC:-gcc} -static -O1 -Wall -pthread -o "$out" "$src" 2>"$work/cc.err" ||
			{ cat "$work/cc.err" >&2; return 1; }
	fi
	echo "$out"
}

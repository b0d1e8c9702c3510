#!/usr/bin/env bash
# tests/fuzz/run.sh PERSONA SEED CALLS
#
# Runs tests/fuzz/fuzz (random system calls with hostile arguments) under
# PERSONA: CALLS calls in chunks of FUZZ_CHUNK, chunk i with seed SEED+i,
# FUZZ_JOBS chunks at a time. Each chunk is one case:
#   PASS fuzz/seed-S  persona exited with the fuzzer's status 0, printed no
#                     sanitizer report or panic, ended within its time limit,
#                     and the guest could still fork, pipe and exec at the end
#   FAIL fuzz/seed-S  otherwise, with the report and the commands to replay
# and last, persona must still run a program. Closing line: "N passed, N failed".
#
# The fuzzer is never run natively. persona runs in a network namespace of
# its own (the guest's sockets are host sockets: random connects and binds
# must reach nothing real), in a session without a terminal, with a small
# RLIMIT_MEMLOCK; no --bind or --root: the guest writes only to its own
# in-memory layers, the fuzzer only inside a scratch directory of its /tmp.
#
# Environment: FUZZ_CHUNK (calls per chunk, 50000), FUZZ_JOBS (2),
# FUZZ_LIMIT (seconds per chunk, 120 + CALLS/100), CC (gcc), BUILD_DIR.
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 PERSONA SEED CALLS" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PERSONA=$1 SEED=$2 CALLS=$3
case $PERSONA in /*) ;; *) PERSONA=$PWD/$PERSONA ;; esac
[ -x "$PERSONA" ] || { echo "$0: $PERSONA: not an executable" >&2; exit 2; }
CHUNK=${FUZZ_CHUNK:-50000}
JOBS=${FUZZ_JOBS:-2}

# the guest sees the host's / but its own /tmp: build where it can look
build=${BUILD_DIR:-$root/build/tests}/fuzz
case $build in /tmp/*) build=/var/tmp/persona-fuzz-$(id -u)-$(echo "$root" | cksum | cut -d' ' -f1) ;; esac
mkdir -p "$build"
FUZZ=$build/fuzz
if [ ! "$FUZZ" -nt "$here/fuzz.c" ] || [ ! "$FUZZ" -nt "$here/calls.h" ]; then
	${CC:-gcc} -static -O1 -g -Wall -Wextra -Werror -fno-stack-protector \
		-o "$FUZZ" "$here/fuzz.c" || exit 2
fi

# a network namespace of its own, or no run at all
if unshare -n true 2>/dev/null; then
	NETNS=(unshare -n)
elif unshare -rn true 2>/dev/null; then
	NETNS=(unshare -rn)
else
	echo "$0: cannot make a network namespace (unshare -n): not fuzzing" >&2
	exit 2
fi

export UBSAN_OPTIONS=print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
out=$build/runs
mkdir -p "$out"
SANITIZER='runtime error|AddressSanitizer|LeakSanitizer|persona: panic'

# chunk SEED CALLS: one persona run; writes $out/SEED.{out,err,verdict}
chunk() {
	local seed=$1 calls=$2 limit st
	limit=${FUZZ_LIMIT:-$((120 + calls / 100))}
	(
		# mlock and MAP_LOCKED fault pages in: 64 MB at most
		l=$(ulimit -l)
		{ [ "$l" = unlimited ] || [ "$l" -gt 65536 ]; } && ulimit -l 65536
		exec setsid -w timeout -k 10 "$limit" "${NETNS[@]}" \
			"$PERSONA" run --quiet -- "$FUZZ" --seed "$seed" --calls "$calls"
	) </dev/null >"$out/$seed.out" 2>"$out/$seed.err"
	st=$?
	{
		if [ "$st" = 124 ] || [ "$st" = 137 ]; then
			echo "FAIL fuzz/seed-$seed: hang: not done after $limit s (status $st)"
		elif grep -Eq "$SANITIZER" "$out/$seed.err"; then
			echo "FAIL fuzz/seed-$seed: sanitizer report or panic (status $st)"
		elif [ "$st" != 0 ]; then
			echo "FAIL fuzz/seed-$seed: status $st (persona or the fuzzer died)"
		elif ! grep -q '^fuzz: alive$' "$out/$seed.out"; then
			echo "FAIL fuzz/seed-$seed: the guest could not fork, pipe and exec at the end"
		else
			echo "PASS fuzz/seed-$seed ($(grep -o '[0-9]* calls by [0-9]* workers' "$out/$seed.out"))"
			exit 0
		fi
		echo "    replay: $PERSONA run -- $FUZZ --seed $seed --calls $calls"
		local w
		w=$(grep '^worker ' "$out/$seed.out" | tail -1 | cut -d' ' -f2)
		[ -n "$w" ] && echo "    last worker: $w (one call at a time: --seed $seed --worker $w --calls 500 --log)"
		grep -E -A12 "$SANITIZER" "$out/$seed.err" | head -40 | sed 's/^/    /'
		grep -v '^worker ' "$out/$seed.out" | tail -5 | sed 's/^/    /'
		tail -5 "$out/$seed.err" | sed 's/^/    /'
	} >"$out/$seed.verdict"
}

seeds=()
left=$CALLS
i=0
while [ "$left" -gt 0 ]; do
	n=$((left < CHUNK ? left : CHUNK))
	s=$((SEED + i))
	seeds+=("$s")
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	chunk "$s" "$n" &
	left=$((left - n))
	i=$((i + 1))
done
wait

passed=0 failed=0 total=0
for s in "${seeds[@]}"; do
	cat "$out/$s.verdict"
	if grep -q '^PASS' "$out/$s.verdict"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	c=$(grep -o 'fuzz: seed [0-9]*: [0-9]* calls' "$out/$s.out" | awk '{print $4}')
	total=$((total + ${c:-0}))
done
# persona itself still answers
if [ "$(timeout 30 "$PERSONA" run --quiet -- /bin/echo still here </dev/null 2>&1)" = "still here" ]; then
	echo "PASS fuzz/persona-answers ($total calls made in all)"
	passed=$((passed + 1))
else
	echo "FAIL fuzz/persona-answers"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# bench/run.sh PERSONA_BINARY
#
# Micro-benchmarks, native vs persona (vs proot when installed), in one
# run, printed as a table. The programs time their own loops with the
# vDSO clock and print ns per operation; start-to-exit is timed here, over
# 20 launches of a static hello world.
#
# A run that fails or exceeds 20 s shows "-".
# Environment: BENCH_SCALE multiplies the iteration counts (default 1;
# the whole run then takes well under a minute), CC, BUILD_DIR.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 PERSONA_BINARY" >&2
	exit 2
fi
PERSONA=$1
case $PERSONA in /*) ;; *) PERSONA=$PWD/$PERSONA ;; esac
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$(dirname "$here")/build}/bench
CC=${CC:-gcc}
scale=${BENCH_SCALE:-1}
mkdir -p "$build"

for prog in getppid openclose read4k hello; do
	$CC -static -O2 -Wall -Werror -o "$build/$prog" "$here/$prog.c"
done

# The runners: a prefix put before the program. A column whose runner is
# missing or broken shows "-".
names=(native persona)
prefixes=("" "$PERSONA run --quiet --")
if command -v proot >/dev/null; then
	names+=(proot)
	prefixes+=("proot -r /")
fi

# one NAME ITERS PREFIX...: ns/op printed by a loop program, or "-"
one() {
	local prog=$1 n=$2
	shift 2
	timeout 20 "$@" "$build/$prog" "$n" </dev/null 2>/dev/null | tail -n 1 | grep -E '^[0-9.]+$' || echo -
}

# start PREFIX...: microseconds per launch of hello, or "-"
start() {
	local runs=$((20 * scale)) i t0 t1
	timeout 20 "$@" "$build/hello" >/dev/null 2>&1 </dev/null || { echo -; return; }
	t0=$(date +%s%N)
	for ((i = 0; i < runs; i++)); do
		timeout 20 "$@" "$build/hello" >/dev/null 2>&1 </dev/null || { echo -; return; }
	done
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) -v n="$runs" 'BEGIN { printf "%.1f\n", d / n / 1000 }'
}

rows=("getppid loop (ns/op)|getppid|$((50000 * scale))"
      "open+close (ns/op)|openclose|$((10000 * scale))"
      "pread 4 KiB (ns/op)|read4k|$((20000 * scale))"
      "static hello start-to-exit (us)|hello|")

# header: each runner after native gets its value and a ratio to native
line=$(printf '%-32s %10s' benchmark native)
for name in "${names[@]:1}"; do
	line+=$(printf ' %10s %9s' "$name" "x native")
done
echo "$line"

for row in "${rows[@]}"; do
	IFS='|' read -r label prog n <<<"$row"
	values=()
	for i in "${!names[@]}"; do
		# the prefix is split into words on purpose
		# shellcheck disable=SC2086
		if [ "$prog" = hello ]; then
			values+=("$(start ${prefixes[$i]})")
		else
			values+=("$(one "$prog" "$n" ${prefixes[$i]})")
		fi
	done
	line=$(printf '%-32s %10s' "$label" "${values[0]}")
	for i in $(seq 1 $((${#names[@]} - 1))); do
		ratio=$(awk -v a="${values[0]}" -v b="${values[$i]}" \
			'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1fx", b / a; else print "-" }')
		line+=$(printf ' %10s %9s' "${values[$i]}" "$ratio")
	done
	echo "$line"
done
echo "($(nproc) CPUs, $(uname -sr); BENCH_SCALE=$scale)"

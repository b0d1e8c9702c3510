#!/usr/bin/env bash
# bench/run.sh PERSONA_BINARY
#
# Benchmarks in one run, native vs persona on each platform vs proot (when
# installed), printed as a table with each runner's ratio to native:
#   - micro-benchmarks: our static programs time their own loops with the
#     vDSO clock (getppid, open+close, pread, a pipe, fork+exec+wait);
#   - start-to-exit of a static hello, over 20 launches;
#   - a BusyBox shell script (bench/shell.sh) and a clean `make -j2` build
#     of a small generated C project (bench/cc.sh), timed from outside;
#   - an HTTP server (Bun.serve, else Node's http, else Python's
#     http.server) running under the runner, loaded from the host by wrk
#     (else bench/load.c) over keep-alive connections.
# Within each row the runners take turns (native, persona..., proot, and
# again for each REPEAT), so a burst of noise on the machine spreads over
# all of them; with REPEAT > 1 each cell is the median.
#
# A runner that fails or exceeds BENCH_TIMEOUT shows "-".
# Environment:
#   BENCH_SCALE    multiplies the work of every row (default 1: the whole
#                  run takes a few minutes with four runners)
#   REPEAT         runs of each cell, the median is shown (default 1)
#   BENCH_TIMEOUT  seconds a run may take (default 60)
#   PLATFORMS      persona platforms, one column each ("ptrace systrap");
#                  default: the platforms `persona --help` names, else one
#                  "persona" column without --platform
#   COMPARE        "NAME=BINARY ...": other persona builds, one column each
#   BUN            a Bun binary for the HTTP row; without it a Bun cached in
#                  BUILD_DIR/bench/bun (fetched once with `npm pack` when
#                  npm reaches its registry), else node, else python3;
#                  BUN=none skips Bun
#   CC, BUILD_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 PERSONA_BINARY" >&2
	exit 2
fi
PERSONA=$1
case $PERSONA in /*) ;; *) PERSONA=$PWD/$PERSONA ;; esac
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$(dirname "$here")/build}/bench
case $build in /*) ;; *) build=$PWD/$build ;; esac
CC=${CC:-gcc}
scale=${BENCH_SCALE:-1}
repeat=${REPEAT:-1}
limit=${BENCH_TIMEOUT:-60}
mkdir -p "$build"

# Everything started here is killed on the way out; the scratch files go.
scratch=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then
		kill -TERM -- "-$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The guest programs are static so every runner runs the same code.
for prog in getppid openclose read4k pipe spawn true hello; do
	$CC -static -O2 -Wall -Werror -o "$build/$prog" "$here/$prog.c"
done

# --- runners: a prefix put before the program ------------------------------

names=(native)
prefixes=("")

# persona --help lists the platforms on its --platform line (and the lines
# continuing it); each word there that runs a hello is a platform.
help_platforms() {
	local word
	"$PERSONA" --help 2>&1 |
		awk '/--platform/ { on = 1; print; next } on && /^         *[^ -]/ { print; next } { on = 0 }' |
		sed 's/--platform//g' | grep -oE '[a-z][a-z0-9_-]+' | sort -u |
		grep -vxE 'name|default|or|and|the|a|an|of|to|for|is|on|with|use|uses|platform|platforms|run|which' |
		while read -r word; do
			if timeout 20 "$PERSONA" run --quiet --platform="$word" -- "$build/hello" \
				</dev/null 2>/dev/null | grep -qx hello; then
				echo "$word"
			fi
		done || true
}
platforms=${PLATFORMS:-$(help_platforms | tr '\n' ' ')}
if [ -n "${platforms// /}" ]; then
	for p in $platforms; do
		names+=("persona-$p")
		prefixes+=("$PERSONA run --quiet --platform=$p --")
	done
else
	names+=(persona)
	prefixes+=("$PERSONA run --quiet --")
fi
# COMPARE="NAME=BINARY ...": other persona builds, one column each (an
# older revision, say), run without --platform.
for c in ${COMPARE:-}; do
	names+=("${c%%=*}")
	prefixes+=("${c#*=} run --quiet --")
done
if command -v proot >/dev/null; then
	names+=(proot)
	prefixes+=("proot -r /")
fi

# --- the HTTP row's server and client ---------------------------------------

bun=${BUN:-}
if [ "$bun" = none ]; then
	bun=/nonexistent
elif [ -z "$bun" ] && [ ! -x "$build/bun/package/bin/bun" ] && command -v npm >/dev/null; then
	mkdir -p "$build/bun"
	if (cd "$build/bun" && timeout 120 npm pack --silent @oven/bun-linux-x64 >/dev/null 2>&1 &&
		tar xzf oven-bun-linux-x64-*.tgz && rm -f oven-bun-linux-x64-*.tgz); then
		:
	else
		echo "(npm pack @oven/bun-linux-x64 failed: no Bun)" >&2
	fi
fi
[ -n "$bun" ] || bun=$build/bun/package/bin/bun
if "$bun" --version >/dev/null 2>&1; then
	httpd=("$bun" "$here/httpd.js")
	httpd_name="Bun.serve $("$bun" --version)"
elif command -v node >/dev/null; then
	httpd=("$(command -v node)" "$here/httpd.js")
	httpd_name="node http $(node --version)"
elif command -v python3 >/dev/null; then
	# the interpreter itself, not a wrapper script such as pyenv's shim
	httpd=("$(python3 -c 'import sys; print(sys.executable)')" "$here/httpd.py")
	httpd_name="python3 http.server"
else
	httpd=()
	httpd_name="none"
fi
if command -v wrk >/dev/null; then
	client=wrk
else
	$CC -O2 -Wall -Wextra -Werror -o "$build/load" "$here/load.c"
	client=load
fi
http_secs=$((3 * scale))
http_conns=16

# --- measuring one cell -----------------------------------------------------
# Each function takes the runner's prefix words and prints a number or "-"
# (http sets v instead: it runs in this shell, so the EXIT trap knows its
# server).

# out PROGRAM ARGS... -- PREFIX...: the number the program prints last
out() {
	local args=() o
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	o=$(timeout -k 5 "$limit" "$@" "${args[@]}" </dev/null 2>/dev/null) || o=-
	o=${o##*$'\n'}
	[[ $o =~ ^[0-9.]+$ ]] || o=-
	echo "$o"
}

# start PREFIX...: microseconds per launch of hello
start() {
	local n=$((20 * scale)) i t0 t1
	timeout -k 5 "$limit" "$@" "$build/hello" >/dev/null 2>&1 </dev/null || { echo -; return; }
	t0=$(date +%s%N)
	for ((i = 0; i < n; i++)); do
		timeout -k 5 "$limit" "$@" "$build/hello" >/dev/null 2>&1 </dev/null || { echo -; return; }
	done
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) -v n="$n" 'BEGIN { printf "%.1f\n", d / n / 1000 }'
}

# wall COMMAND ARGS... -- PREFIX...: seconds the whole command takes
wall() {
	local args=() t0 t1
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	t0=$(date +%s%N)
	timeout -k 5 "$limit" "$@" "${args[@]}" </dev/null >/dev/null 2>&1 || { echo -; return; }
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f\n", d / 1e9 }'
}

# http PREFIX...: v= requests per second the server answers under the
# runner, after a one-second warm-up (JIT, caches); the client runs natively.
http() {
	local portfile=$scratch/port port='' i
	v=-
	[ ${#httpd[@]} -gt 0 ] || return 0
	: >"$portfile"
	# its own process group, so the kill below reaches whatever it started
	setsid "$@" "${httpd[@]}" </dev/null >"$portfile" 2>/dev/null &
	server=$!
	for ((i = 0; i < 100; i++)); do
		port=$(head -n 1 "$portfile")
		[[ $port =~ ^[0-9]+$ ]] && break
		kill -0 "$server" 2>/dev/null || break
		sleep 0.2
	done
	if [[ $port =~ ^[0-9]+$ ]]; then
		load 1 "$port" >/dev/null
		v=$(load "$http_secs" "$port")
	fi
	kill -TERM -- "-$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=
}

# load SECONDS PORT: requests/s from wrk or bench/load.c
load() {
	local most=$(($1 + 10)) o
	if [ $client = wrk ]; then
		o=$(timeout "$most" wrk -t1 -c"$http_conns" -d"$1"s "http://127.0.0.1:$2/" 2>/dev/null) || o=
		o=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$o")
	else
		o=$(timeout "$most" "$build/load" 127.0.0.1 "$2" "$http_conns" "$1" 2>/dev/null) || o=
	fi
	[[ $o =~ ^[0-9.]+$ ]] || o=-
	echo "$o"
}

# median of the numbers among the arguments, "-" when none
median() {
	printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g |
		awk '{	v[NR] = $1
			d = index($1, ".") ? length($1) - index($1, ".") : 0
			if (d > digits) digits = d }
		END {
			if (NR == 0) print "-"
			else if (NR % 2) print v[(NR + 1) / 2]
			else printf "%.*f\n", digits, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the table ---------------------------------------------------------------

# label | how | arguments (words) ; rates are marked "more is better"
rows=("getppid() loop (ns/op)|out|$build/getppid $((50000 * scale))"
      "syscall(SYS_getppid) loop (ns/op)|out|$build/getppid $((50000 * scale)) raw"
      "open+close (ns/op)|out|$build/openclose $((10000 * scale))"
      "pread 4 KiB (ns/op)|out|$build/read4k $((20000 * scale))"
      "pipe $((200 * scale)) MB (MB/s, more=better)|out|$build/pipe $((200 * scale))"
      "fork+exec+wait (us/op)|out|$build/spawn $((100 * scale)) $build/true"
      "static hello start-to-exit (us)|start|"
      "busybox sh script (s)|wall|/usr/bin/busybox sh $here/shell.sh /usr/bin/busybox $scale"
      "gcc: make -j2, $((7 * scale)) files (s)|wall|/bin/sh $here/cc.sh $scale"
      "HTTP (req/s, more=better)|http|")

model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
rev=$(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown)
echo "persona bench, $(date '+%Y-%m-%d %H:%M:%S %z'), persona $rev"
echo "machine: $(nproc) CPUs, ${model:-unknown CPU}, $(uname -sr)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runners: ${names[*]}; HTTP: $httpd_name under the runner, $client on the host" \
	"($http_conns connections, ${http_secs}s)"
echo "BENCH_SCALE=$scale REPEAT=$repeat BENCH_TIMEOUT=${limit}s"
echo

w=10   # a column as wide as the widest runner's name
for name in "${names[@]}"; do
	((${#name} <= w)) || w=${#name}
done
line=$(printf '%-36s %10s' benchmark native)
for name in "${names[@]:1}"; do
	line+=$(printf " %${w}s %7s" "$name" "/native")
done
echo "$line"

for row in "${rows[@]}"; do
	IFS='|' read -r label how args <<<"$row"
	runs=()
	for ((r = 0; r < repeat; r++)); do
		for i in "${!names[@]}"; do
			# the prefix and the arguments are split into words on purpose
			# shellcheck disable=SC2086
			case $how in
			out) v=$(out $args -- ${prefixes[$i]}) ;;
			wall) v=$(wall $args -- ${prefixes[$i]}) ;;
			start) v=$(start ${prefixes[$i]}) ;;
			http) http ${prefixes[$i]} ;;
			esac
			runs[i]+="$v "
		done
	done
	values=()
	for i in "${!names[@]}"; do
		# shellcheck disable=SC2086
		values+=("$(median ${runs[$i]})")
	done
	line=$(printf '%-36s %10s' "$label" "${values[0]}")
	for ((i = 1; i < ${#names[@]}; i++)); do
		ratio=$(awk -v a="${values[0]}" -v b="${values[$i]}" 'BEGIN {
			if (a + 0 <= 0 || b + 0 <= 0) { print "-"; exit }
			r = b / a
			printf (r >= 100 ? "%.0fx" : r >= 1 ? "%.1fx" : r >= 0.01 ? "%.2fx" : "%.1gx"), r }')
		line+=$(printf " %${w}s %7s" "${values[$i]}" "$ratio")
	done
	echo "$line"
done
echo
echo "/native: the runner's value over native's. For times more than 1x is slower;"
echo "for the rows marked more=better (MB/s, req/s) less than 1x is slower."
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

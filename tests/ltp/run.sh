#!/usr/bin/env bash
# tests/ltp/run.sh PERSONA_BINARY [LIST]
#
# Runs the Linux Test Project's system call tests natively and under
# persona, side by side. LTP is test data, not project code: it is unpacked
# from the tarball in shared/suites/ and built here, never copied into the
# project.
#
#   1. unpacks the tarball into build/ltp/src (once);
#   2. configures it for static binaries and builds its lib (once);
#   3. builds testcases/kernel/syscalls: all of it without LIST (once),
#      else only the listed tests and their helpers (each once), and
#      installs the binaries into build/ltp/root/testcases/bin (LTPROOT);
#   4. runs each test of runtest/syscalls (or each test named in LIST, one
#      name a line, # comments) natively and under `persona run`, each as the
#      child of a shell (persona's first program is pid 1, and LTP's
#      library refuses a parent of pid 1), each under a timeout.
#
# Prints one line per test, in the list's order:
#   PASS  ltp/NAME   passes natively and under persona
#   FAIL  ltp/NAME   passes natively, not under persona (details under it)
#   XFAIL ltp/NAME   the same, but listed in tests/ltp/expected-failures
#   XPASS ltp/NAME   listed there, yet passes: prune the list
#   SKIP  ltp/NAME   does not pass natively (TCONF, failure, timeout): not
#                    counted, or not run natively (tests/ltp/host-unsafe)
# then the counts, and last the line "N passed, N failed": of the tests that
# pass natively, those that pass under persona, and those that fail under
# persona and are not expected to (TCONF under persona is a failure). The
# exit status is nonzero if that second number is.
#
# Exit codes of an LTP test: 0 pass, 32 TCONF only (not supported here),
# any other value a failure (bits: 1 TFAIL, 2 TBROK, 4 TWARN).
#
# Environment:
#   LTP_TARBALL       the LTP source (default: shared/suites/ltp-*.tar.xz
#                     beside the checkout)
#   LTP_DIR           where it is built and run (default: build/ltp)
#   LTP_TEST_TIMEOUT  seconds each run may take (default 60)
#   LTP_TIMEOUT_MUL   LTP's own timeout multiplier (default 1: LTP's timeout,
#                     30 s plus the test's own, ends a stuck test before ours
#                     and lets it clean up)
#   LTP_RUNTIME_MUL   LTP's runtime multiplier for tests that loop for a
#                     time (default 0.2: keeps them under the timeout)
#   LTP_JOBS          tests run at once (default 2; native runs never overlap
#                     one another, as they share the host)
#   PERSONA_FLAGS     options for `persona run` (default --quiet; "" makes
#                     persona name each unimplemented call in the test's log)
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 PERSONA_BINARY [LIST]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PERSONA=$1
case $PERSONA in /*) ;; *) PERSONA=$PWD/$PERSONA ;; esac
if [ ! -x "$PERSONA" ]; then
	echo "$0: $PERSONA: not an executable" >&2
	exit 2
fi
LIST=${2:-}
if [ -n "$LIST" ] && [ ! -r "$LIST" ]; then
	echo "$0: $LIST: cannot read" >&2
	exit 2
fi

tarball=${LTP_TARBALL:-}
if [ -z "$tarball" ]; then
	for t in "$root"/../shared/suites/ltp-*.tar.xz /work/shared/suites/ltp-*.tar.xz; do
		[ -r "$t" ] && { tarball=$t; break; }
	done
fi
if [ -z "$tarball" ] || [ ! -r "$tarball" ]; then
	echo "$0: no LTP tarball (set LTP_TARBALL)" >&2
	exit 2
fi
ltp=${LTP_DIR:-$root/build/ltp}
mkdir -p "$ltp"
ltp=$(cd "$ltp" && pwd)
src=$ltp/src
prefix=$ltp/root
bin=$prefix/testcases/bin
stamps=$ltp/stamps
results=$ltp/results
T=${LTP_TEST_TIMEOUT:-60}
jobs=${LTP_JOBS:-2}
persona_flags=${PERSONA_FLAGS---quiet}
mkdir -p "$stamps" "$results" "$bin"

die_log() {	# a build step failed: show its log's end
	echo "$0: $1 failed; the end of $2:" >&2
	tail -n 30 "$2" >&2
	exit 2
}

# 1-2. The tree, configured for static binaries, and its library.
if [ ! -f "$stamps/unpacked" ] || [ "$(cat "$stamps/unpacked")" != "$(basename "$tarball")" ]; then
	echo "== unpacking $(basename "$tarball") into $src"
	rm -rf "$src" "$stamps" "$prefix"
	mkdir -p "$src" "$stamps" "$bin"
	tar -xJf "$tarball" -C "$src" --strip-components=1 || exit 2
	basename "$tarball" >"$stamps/unpacked"
fi
if [ ! -f "$stamps/configured" ]; then
	echo "== configuring LTP (static)"
	(cd "$src" && make autotools && ./configure CFLAGS=-static LDFLAGS=-static) \
		>"$ltp/configure.log" 2>&1 || die_log configure "$ltp/configure.log"
	touch "$stamps/configured"
fi
if [ ! -f "$stamps/lib" ]; then
	echo "== building LTP's lib"
	make -j"$jobs" -C "$src/lib" >"$ltp/build-lib.log" 2>&1 || die_log "make -C lib" "$ltp/build-lib.log"
	touch "$stamps/lib"
fi

# 3. The tests: names and command lines from runtest/syscalls, in LIST's
# order when there is one.
declare -A cmd_of=()
all=()
while read -r name cmd; do
	case $name in '' | '#'*) continue ;; esac
	cmd_of[$name]=$cmd
	all+=("$name")
done <"$src/runtest/syscalls"
names=()
if [ -n "$LIST" ]; then
	while read -r name _; do
		case $name in '' | '#'*) continue ;; esac
		if [ -z "${cmd_of[$name]+x}" ]; then
			echo "$0: $LIST: $name is not in runtest/syscalls" >&2
			exit 2
		fi
		names+=("$name")
	done <"$LIST"
else
	names=("${all[@]}")
fi

sys=testcases/kernel/syscalls
if [ -z "$LIST" ] && [ ! -f "$stamps/syscalls-all" ]; then
	echo "== building all of $sys (about 10 minutes on 2 cores)"
	make -j"$jobs" -k -C "$src/$sys" >>"$ltp/build-tests.log" 2>&1
	rc=$?
	make -k -C "$src/$sys" install prefix="$prefix" >>"$ltp/build-tests.log" 2>&1 || rc=1
	[ $rc = 0 ] || echo "note: some tests did not build (see $ltp/build-tests.log)"
	touch "$stamps/syscalls-all"
fi
# The tests still without a program (with a LIST, or the few of
# runtest/syscalls whose sources are elsewhere in testcases/kernel): only
# their programs are built. NAME (or NAME_64, NAME_16, built from NAME.c
# with other flags) is a target of the directory holding NAME.c; with them
# come the helpers those directories' tests run (their programs that
# runtest/syscalls does not name: *_child and the like).
missing=()
for name in "${names[@]}"; do
	[ -x "$bin/${cmd_of[$name]%% *}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
	mapfile -t cfiles < <(cd "$src" && { find testcases/kernel -path "$sys" -prune -o -name '*.c' -print; find "$sys" -name '*.c'; })
	declare -A dir_of=() is_test=() dirs=() want=() targets=()
	for f in "${cfiles[@]}"; do	# the system call tests' own come last, and win
		b=${f##*/}
		dir_of[${b%.c}]=${f%/*}
	done
	for name in "${all[@]}"; do
		e=${cmd_of[$name]%% *}
		is_test[$e]=1 is_test[${e%_64}]=1 is_test[${e%_16}]=1
	done
	for name in "${missing[@]}"; do
		exe=${cmd_of[$name]%% *}
		d=
		for c in "$exe" "${exe%_64}" "${exe%_16}"; do
			[ -n "${dir_of[$c]:-}" ] && { d=${dir_of[$c]}; break; }
		done
		if [ -z "$d" ]; then
			echo "note: no source found for $exe ($name)"
			continue
		fi
		want[$exe]=$d
		dirs[$d]=1
	done
	for f in "${cfiles[@]}"; do
		b=${f##*/}
		b=${b%.c}
		case $b in *common* | *lib*) continue ;; esac
		[ -n "${dirs[${f%/*}]:-}" ] && [ -z "${is_test[$b]:-}" ] && want[$b]=${f%/*}
	done
	for t in "${!want[@]}"; do
		[ -x "$bin/$t" ] || targets[${want[$t]}]+=" $t"
	done
	if [ ${#targets[@]} -gt 0 ]; then
		echo "== building ${#missing[@]} tests in ${#targets[@]} directories of testcases/kernel"
		# Most directories hold one or two of the targets: two directories
		# build at a time, not two files of one. Those linking a library
		# of libs/ build first, one at a time (two makes would race on it).
		mapfile -t todo < <(for d in "${!targets[@]}"; do
			grep -q LTPLIBS "$src/$d/Makefile" && echo "0 $d" || echo "1 $d"
		done | sort)
		mkdir -p "$ltp/build-logs"
		running=0
		for d in "${todo[@]}"; do
			[ "${d%% *}" = 0 ] && { wait; running=0; }
			if [ $running -ge "$jobs" ]; then
				wait -n
				running=$((running - 1))
			fi
			d=${d#* }
			# shellcheck disable=SC2086
			make -k -C "$src/$d" ${targets[$d]} >"$ltp/build-logs/${d//\//_}.log" 2>&1 &
			running=$((running + 1))
		done
		wait
		for d in "${todo[@]}"; do
			d=${d#* }
			cat "$ltp/build-logs/${d//\//_}.log" >>"$ltp/build-tests.log"
			for t in ${targets[$d]}; do
				if [ -x "$src/$d/$t" ]; then
					install -m 755 "$src/$d/$t" "$bin/$t"
				elif [ -n "${is_test[$t]:-}" ]; then
					echo "note: $d/$t did not build (see $ltp/build-tests.log)"
				fi
			done
		done
		rm -rf "$ltp/build-logs"
	fi
fi

# 4. The environment LTP's tests want.
export LTPROOT=$prefix
export PATH=$bin:$PATH
export LTP_TIMEOUT_MUL=${LTP_TIMEOUT_MUL:-1}
export LTP_RUNTIME_MUL=${LTP_RUNTIME_MUL:-0.2}
export LTP_COLORIZE_OUTPUT=0
if [ -r /proc/config.gz ]; then
	[ -s "$ltp/kconfig" ] || zcat /proc/config.gz >"$ltp/kconfig"
	export KCONFIG_PATH=$ltp/kconfig
fi
mkdir -p "$ltp/tmp"
# Native runs as root get mounts, host name and System V IPC of their own.
native_wrap=()
[ "$(id -u)" = 0 ] && native_wrap=(unshare --mount --uts --ipc)
# The guest's /tmp is a fresh tmpfs: a tree under the host's /tmp would be
# hidden from it.
persona_bind=()
case $ltp in /tmp/*) persona_bind=(--ro-bind "$ltp:$ltp") ;; esac

# Tests that change what no namespace keeps apart (the clock, swap): not
# run natively, so never counted.
declare -A unsafe=() xfail=()
while read -r name reason; do
	case $name in '' | '#'*) continue ;; esac
	unsafe[$name]=$reason
done <"$here/host-unsafe"
while read -r name reason; do
	case $name in '' | '#'*) continue ;; esac
	xfail[$name]=$reason
done <"$here/expected-failures"

elapsed() {	# START: seconds since, to 0.1 s
	local now=${EPOCHREALTIME/./} then=${1/./}
	local ds=$(((now - then) / 100000))
	echo "$((ds / 10)).$((ds % 10))"
}
timed_out() {	# RC SECONDS: did timeout(1) end the run?
	[ "$1" = 124 ] || { [ "$1" = 137 ] && [ "${2%.*}" -ge "$T" ]; }
}

# One test, natively then under persona; writes results/NAME.res:
# "NATIVE_RC NATIVE_SECONDS PERSONA_RC PERSONA_SECONDS" (rc "-": not run,
# "to": timed out).
run_one() {
	local name=$1 cmd=${cmd_of[$1]} out=$results/$1 t0 nrc=- ns=0 prc=- ps=0
	local shcmd="cd '$bin' && $cmd; exit \$?"
	if [ ! -x "$bin/${cmd%% *}" ]; then
		echo "nobin 0 nobin 0" >"$out.res"
		return
	fi
	if [ -z "${unsafe[$name]+x}" ]; then
		(
			flock 9
			local tmp=$ltp/tmp/native
			rm -rf "$tmp" && mkdir -p "$tmp"
			t0=$EPOCHREALTIME
			TMPDIR=$tmp timeout -k 5 "$T" "${native_wrap[@]}" /bin/sh -c "$shcmd" \
				</dev/null >"$out.native.log" 2>&1
			nrc=$?
			ns=$(elapsed "$t0")
			timed_out $nrc "$ns" && nrc=to
			rm -rf "$tmp"
			echo "$nrc $ns" >"$out.native.rc"
		) 9>"$ltp/native.lock"
		read -r nrc ns <"$out.native.rc"
	fi
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2086
	TMPDIR=/tmp timeout -k 5 "$T" "$PERSONA" run $persona_flags "${persona_bind[@]}" -- \
		/bin/sh -c "$shcmd" </dev/null >"$out.persona.log" 2>&1
	prc=$?
	ps=$(elapsed "$t0")
	timed_out $prc "$ps" && prc=to
	echo "$nrc $ns $prc $ps" >"$out.res"
}

word() {	# RC: the result's name
	case $1 in
	0) echo pass ;;
	32) echo tconf ;;
	to) echo timeout ;;
	-) echo not-run ;;
	nobin) echo not-built ;;
	*) echo "fail($1)" ;;
	esac
}

declare -A nat=() per=()
passed=0 failed=0 expected=0 unexpected_pass=0 skipped=0
report() {	# NAME: its line, from results/NAME.res
	local name=$1 nrc ns prc ps kind nw pw
	read -r nrc ns prc ps <"$results/$name.res"
	nw=$(word "$nrc")
	pw=$(word "$prc")
	nat[$nw]=$((${nat[$nw]:-0} + 1))
	if [ "$nrc" != 0 ]; then
		kind=SKIP
		skipped=$((skipped + 1))
	else
		per[$pw]=$((${per[$pw]:-0} + 1))
		if [ "$prc" = 0 ]; then
			passed=$((passed + 1))
			if [ -n "${xfail[$name]+x}" ]; then
				kind=XPASS
				unexpected_pass=$((unexpected_pass + 1))
			else
				kind=PASS
			fi
		elif [ -n "${xfail[$name]+x}" ]; then
			kind=XFAIL
			expected=$((expected + 1))
		else
			kind=FAIL
			failed=$((failed + 1))
		fi
	fi
	printf '%-5s ltp/%-22s native %-9s %6ss   persona %-9s %6ss\n' \
		"$kind" "$name" "$nw" "$ns" "$pw" "$ps"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$nrc" "$ns" "$prc" "$ps" "$kind" >>"$results/summary.tsv"
	case $kind in
	FAIL)
		# What LTP said went wrong under persona.
		{ grep -E 'TFAIL|TBROK|TWARN|TCONF|unimplemented' "$results/$name.persona.log" | head -n 5 ||
			true; } >"$results/.why"
		[ -s "$results/.why" ] || tail -n 3 "$results/$name.persona.log" >"$results/.why"
		sed 's/^/    /' "$results/.why"
		;;
	XFAIL) echo "    expected: ${xfail[$name]}" ;;
	XPASS) echo "    listed in tests/ltp/expected-failures (${xfail[$name]}), yet passes: prune it" ;;
	esac
	[ "$nrc" = - ] && echo "    not run natively: ${unsafe[$name]}"
	return 0
}

echo "== running ${#names[@]} tests natively and under persona ($jobs at a time, ${T} s each)"
rm -f "$results"/*.res "$results"/*.rc "$results/summary.tsv"
printf 'name\tnative_rc\tnative_s\tpersona_rc\tpersona_s\tresult\n' >"$results/summary.tsv"
# A pool of $jobs runs; lines are printed in the list's order as soon as
# each test and those before it are done, so the output is the same
# whatever order the runs end in.
next=0
running=0
for name in "${names[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$name" &
	running=$((running + 1))
	while [ $next -lt ${#names[@]} ] && [ -f "$results/${names[$next]}.res" ]; do
		report "${names[$next]}"
		next=$((next + 1))
	done
done
wait
while [ $next -lt ${#names[@]} ]; do
	report "${names[$next]}"
	next=$((next + 1))
done

counts() {	# ARRAY_NAME: "N pass, N tconf, ..." in a fixed order
	local -n c=$1
	local w out= fails=0
	for w in "${!c[@]}"; do
		case $w in fail*) fails=$((fails + c[$w])) ;; esac
	done
	c[fail]=$fails
	for w in pass tconf fail timeout not-run not-built; do
		[ "${c[$w]:-0}" -gt 0 ] && out+=", ${c[$w]} $w"
	done
	echo "${out#, }"
}
npass=${nat[pass]:-0}
echo "natively, of ${#names[@]} tests: $(counts nat)"
if [ "$npass" -gt 0 ]; then
	echo "under persona, of the $npass that pass natively: $(counts per) ($((passed * 100 / npass))% pass)"
fi
echo "expected failures: $expected; unexpected passes: $unexpected_pass; not counted (not passing natively): $skipped"
echo "logs: $results/NAME.{native,persona}.log, table: $results/summary.tsv"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

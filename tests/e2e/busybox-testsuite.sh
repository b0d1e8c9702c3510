#!/usr/bin/env bash
# BusyBox's own test suite (testsuite/ of the busybox source package that
# matches the installed busybox-static), run natively and then entirely
# inside persona with `busybox sh runtest`. The case "persona" passes when at
# least 95% of the tests that pass natively also pass under persona; both
# counts are printed, and every test that passes natively but not under
# persona is listed.
#
# The source comes from Debian (`apt-get source --download-only busybox`,
# deb-src set up here when it is missing and we are root) into
# build/busybox-src/, once; dpkg-source unpacks it with Debian's patches.
# The test suite reads the build's .config: Debian's debian/config/pkg/static
# (the config of busybox-static). $bindir/busybox is a link to /bin/busybox.
# Unlike Debian's build, which runs it unprivileged, mdev.tests is kept: it
# needs root (chroot) natively; a test that fails natively is not counted.
# The environment is the one Debian's build runs the suite with (C.UTF-8,
# SKIP_KNOWN_BUGS, SKIP_INTERNET_TESTS, ECHO=/bin/echo for the *.tests
# scripts, which are #!/bin/sh).
#
# Environment (all optional):
#   BUSYBOX_TESTSUITE_JOBS     persona runs in parallel (default: nproc, <= 4);
#                              the applets are split into this many shards,
#                              the same shards natively and under persona
#   BUSYBOX_TESTSUITE_LIMIT    seconds one program of a test may run under
#                              persona (30); an in-guest watchdog kills it
#                              and the test fails. Natively the limit is
#                              BUSYBOX_TESTSUITE_NATIVE_LIMIT (300): bc's
#                              stress tests take 20-50 s natively on a busy
#                              machine, and a native kill would only drop the
#                              test from both counts
#   BUSYBOX_TESTSUITE_TIMEOUT  seconds one shard may run in all (600)
#   BUSYBOX_TESTSUITE_MIN      percent that must pass under persona (95)
#   BUSYBOX_TESTSUITE_APPLETS  run only these applets' tests (for debugging)
#   BUSYBOX_TESTSUITE_SKIP     if set and not 0, run nothing (and report
#                              nothing): the suite takes minutes
# Outputs: build/tests/e2e/busybox-testsuite/last/{native,persona}.N.out, .err
# (shard N's runtest output), compare (each native pass and its persona result)
. "$(dirname "$0")/lib.sh"

if [ "${BUSYBOX_TESTSUITE_SKIP:-0}" != 0 ]; then
	echo "$SUITE: skipped (BUSYBOX_TESTSUITE_SKIP=$BUSYBOX_TESTSUITE_SKIP)"
	finish
fi
# Debian's busybox-static, whose source and .config the suite is run with
BB=/bin/busybox
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
helpers=$here/busybox-testsuite
cache=${BUILD_DIR:-$root/build/tests}/../busybox-src
# Each invocation works in a directory of its own (two `make check` in one
# checkout must not share one), which becomes $base/last at the end.
# Shard S runs in $out/tree.S, a fresh copy of the source for each run, at
# the same path natively and under persona (where the guest's writes to it
# stay in memory). Not under /tmp: the guest has its own /tmp.
base=${BUILD_DIR:-$root/build/tests}/e2e/busybox-testsuite
jobs=${BUSYBOX_TESTSUITE_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -lt 1 ] && jobs=1
limit=${BUSYBOX_TESTSUITE_LIMIT:-30}
native_limit=${BUSYBOX_TESTSUITE_NATIVE_LIMIT:-300}
shard_timeout=${BUSYBOX_TESTSUITE_TIMEOUT:-600}
min_pct=${BUSYBOX_TESTSUITE_MIN:-95}
mkdir -p "$cache" "$base"
cache=$(cd "$cache" && pwd)
out=$(mktemp -d "$base/run.XXXXXX")
# shellcheck disable=SC2154 # work: lib.sh's
trap 'rm -rf "$work" "$out"' EXIT

# done: keep this run's outputs (not its trees) as $base/last, and finish
done_() {
	rm -rf "$out"/tree.* "$base/last"
	mv "$out" "$base/last" 2>/dev/null
	finish
}

now() { date +%s; }

# --- the source ---------------------------------------------------------------

src_list=/etc/apt/sources.list.d/persona-src.sources
write_src_list() {
	cat >"$src_list" <<-'EOF'
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# fetch_source VERSION: the .dsc and its files into $cache, once
fetch_source() {
	local ver=$1 dsc=$cache/busybox_${1#*:}.dsc
	[ -s "$dsc" ] && return 0
	(cd "$cache" && apt-get source --download-only "busybox=$ver") \
		>"$out/fetch.log" 2>&1 && [ -s "$dsc" ] && return 0
	# no deb-src (or stale lists): add Debian's and read only that list
	if [ "$(id -u)" != 0 ]; then
		echo "apt-get source failed and we are not root to set up deb-src" \
			"($src_list); see $base/last/fetch.log" >>"$out/fetch.log"
		return 1
	fi
	[ -e "$src_list" ] || write_src_list
	apt-get update -o Dir::Etc::sourcelist="$src_list" \
		-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 \
		</dev/null >>"$out/fetch.log" 2>&1
	(cd "$cache" && apt-get source --download-only "busybox=$ver") \
		>>"$out/fetch.log" 2>&1 && [ -s "$dsc" ]
}

# unpack VERSION: $cache/src, the patched source with the static .config,
# a busybox link to /bin/busybox and the test suite untouched, once
unpack() {
	local ver=${1#*:} dst=$cache/src
	[ -e "$dst/.persona-ready" ] && return 0
	rm -rf "$dst" "$dst.new"
	if command -v dpkg-source >/dev/null; then
		dpkg-source --no-check -x "$cache/busybox_$ver.dsc" "$dst.new" \
			>"$out/unpack.log" 2>&1 || return 1
	else # no dpkg-dev: the upstream tarball (no patch touches testsuite/)
		mkdir -p "$dst.new" &&
			tar -xjf "$cache/busybox_${ver%-*}.orig.tar.bz2" \
				--strip-components=1 -C "$dst.new" >"$out/unpack.log" 2>&1 &&
			tar -xJf "$cache/busybox_$ver.debian.tar.xz" -C "$dst.new" \
				>>"$out/unpack.log" 2>&1 || return 1
	fi
	cp "$dst.new/debian/config/pkg/static" "$dst.new/.config" &&
		ln -sf /bin/busybox "$dst.new/busybox" &&
		touch "$dst.new/.persona-ready" &&
		mv "$dst.new" "$dst"
}

t0=$(now)
exec 9>"$cache/.lock"
flock 9	# one fetch and unpack at a time
ver=$(dpkg-query -W -f='${source:Version}' busybox-static 2>/dev/null)
banner=$("$BB" 2>&1 | head -1)
# "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary."
case $banner in
*"(Debian ${ver:-?}"*) ;;
*)
	fail source "$BB is not the installed busybox-static (${ver:-not installed}):" "$banner"
	done_
	;;
esac
if ! fetch_source "$ver"; then
	fail source "could not fetch the busybox $ver source package:" \
		"$(tail -15 "$out/fetch.log")"
	done_
fi
if ! unpack "$ver"; then
	fail source "could not unpack busybox_${ver#*:}.dsc:" "$(tail -15 "$out/unpack.log")"
	done_
fi
exec 9>&-
pass source
echo "    busybox $ver source in $cache/src ($(($(now) - t0)) s)"

# --- the shards -----------------------------------------------------------------

# The applets runtest would test: "busybox" and every applet the binary
# lists, in runtest's order; only those with tests ($applet.tests or a
# directory of old-style tests) are given to the shards. They are dealt out
# heaviest first, each to the shard with the least work so far (a shard
# keeps runtest's order), by what they took under persona: bc's number
# parsing and printing tests pipe 37 MB through bc a few bytes per write and
# run into the time limit; the md5sum.tests family (md5sum, sha*sum) pipe
# 1000 texts through md5sum, about 10 s each; any other applet about 0.6 s.
tsdir=$cache/src/testsuite
applets=$(printf 'busybox '; "$BB" 2>&1 | sed -n '/^Currently defined functions:/,$p' |
	tail -n +2 | tr -d ',')
[ -n "${BUSYBOX_TESTSUITE_APPLETS:-}" ] && applets=$BUSYBOX_TESTSUITE_APPLETS
weight() {	# in tenths of a second
	case $1 in
	bc) echo $((20 * limit + 100)) ;;
	md5sum | sha1sum | sha256sum | sha512sum | sha3sum) echo 100 ;;
	*) echo 6 ;;
	esac
}
tested=()
for a in $applets; do
	[ -e "$tsdir/$a.tests" ] || [ -d "$tsdir/$a" ] || continue
	tested+=("$a")
done
declare -A shard_of=()
load=()
for ((s = 0; s < jobs; s++)); do load[s]=0; done
while read -r w a; do
	m=0
	for ((s = 1; s < jobs; s++)); do
		[ "${load[s]}" -lt "${load[m]}" ] && m=$s
	done
	shard_of[$a]=$m
	load[m]=$((load[m] + w))
done < <(for a in ${tested[@]+"${tested[@]}"}; do echo "$(weight "$a") $a"; done |
	sort -s -k1,1nr)
shards=()
for a in ${tested[@]+"${tested[@]}"}; do
	n=${shard_of[$a]}
	shards[n]+="$a "
done
shards=(${shards[@]+"${shards[@]}"})	# no empty (unset) shards
nshards=${#shards[@]}
if [ "$nshards" = 0 ]; then
	fail source "no tests for the applets: $applets"
	done_
fi

# The command, the same natively and (after `persona run --quiet --`) in the
# guest: a clean environment like the one Debian's build runs the suite in,
# then guest.sh runs `busybox sh runtest APPLETS...` in the test suite's
# directory. guest_cmd S LIMIT sets cmd to shard S's command.
guest_cmd() {
	local -a list
	read -r -a list <<<"${shards[$1]}"
	cmd=("$BB" env -i
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		HOME="$out/tree.$1" TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8
		SKIP_KNOWN_BUGS=y SKIP_INTERNET_TESTS=y SHELL=/bin/sh ECHO=/bin/echo
		"$BB" sh "$helpers/guest.sh" "$out/tree.$1/testsuite" "$2" "${list[@]}")
}

# run SIDE: every shard at once, natively (SIDE native) or under persona;
# shard S's stdout, stderr, exit status and seconds go to $out/SIDE.S.*
run() {
	local side=$1 s pids=() t0
	t0=$(now)
	for ((s = 0; s < nshards; s++)); do
		rm -rf "$out/tree.$s" && cp -a "$cache/src" "$out/tree.$s"
		if [ "$side" = native ]; then
			guest_cmd $s "$native_limit"
			# a session of its own: the watchdog looks only at its
			# session, and timeout signals its whole process group
			cmd=(setsid -w timeout -k 10 "$shard_timeout" "${cmd[@]}")
		else
			guest_cmd $s "$limit"
			cmd=(timeout -k 10 "$shard_timeout" "$PERSONA" run --quiet -- "${cmd[@]}")
		fi
		(
			"${cmd[@]}" </dev/null >"$out/$side.$s.out" 2>"$out/$side.$s.err"
			echo "$?" >"$out/$side.$s.status"
			echo $(($(now) - t0)) >"$out/$side.$s.time"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	for ((s = 0; s < nshards; s++)); do
		rm -rf "$out/tree.$s"
	done
	echo $(($(now) - t0)) >"$out/$side.time"
}

# natively first, then under persona, never both at once
run native
run persona
native_time=$(cat "$out/native.time")
persona_time=$(cat "$out/persona.time")

# --- the counts -------------------------------------------------------------------

# results SIDE: "KEY STATUS" per test, KEY = shard:name:occurrence (a name
# can repeat within a shard), in the order the tests ran
results() {
	local s
	for ((s = 0; s < nshards; s++)); do
		sed -nE 's/^(PASS|FAIL|SKIPPED|UNTESTED): (.*)$/\1\t\2/p' "$out/$1.$s.out" |
			awk -F'\t' -v s="$s" '{ n = ++seen[$2]; print s ":" $2 ":" n "\t" $1 }'
	done
}
results native >"$out/native.results"
results persona >"$out/persona.results"

count() { awk -F'\t' -v w="$2" '$2 == w' "$out/$1.results" | wc -l; }
n_pass=$(count native PASS)
n_fail=$(count native FAIL)
n_skip=$(($(count native SKIPPED) + $(count native UNTESTED)))
# the tests that pass natively, and how each did under persona
awk -F'\t' 'NR == FNR { st[$1] = $2; next }
	$2 == "PASS" { print $1 "\t" ($1 in st ? st[$1] : "NO-RESULT") }' \
	"$out/persona.results" "$out/native.results" >"$out/compare"
p_pass=$(awk -F'\t' '$2 == "PASS"' "$out/compare" | wc -l)
# and the other way: natively failed or skipped, passes under persona
extra=$(awk -F'\t' 'NR == FNR { st[$1] = $2; next }
	$2 == "PASS" && st[$1] != "PASS"' "$out/native.results" "$out/persona.results" | wc -l)

# describe S: shard S's applets, or how many
describe() {
	local n
	n=$(wc -w <<<"${shards[$1]}")
	if [ "$n" -le 4 ]; then echo "${shards[$1]% }"; else echo "$n applets"; fi
}
summary=()
for ((s = 0; s < nshards; s++)); do
	ns=$(cat "$out/native.$s.status") ps=$(cat "$out/persona.$s.status")
	summary+=("shard $s: native $(cat "$out/native.$s.time")s, persona $(cat "$out/persona.$s.time")s: $(describe $s)")
	[ "$ns" = 124 ] && summary+=("native shard $s timed out after ${shard_timeout}s: $(describe $s)")
	[ "$ps" = 124 ] && summary+=("persona shard $s timed out after ${shard_timeout}s: $(describe $s)")
	grep -q '^RUNTEST-EXIT' "$out/native.$s.out" ||
		summary+=("native shard $s ended early (status $ns): $(describe $s)")
	grep -q '^RUNTEST-EXIT' "$out/persona.$s.out" ||
		summary+=("persona shard $s ended early (status $ps): $(describe $s)")
	while read -r line; do
		summary+=("native: $line")
	done < <(grep '^WATCHDOG:' "$out/native.$s.out")
	while read -r line; do
		summary+=("persona: $line")
	done < <(grep '^WATCHDOG:' "$out/persona.$s.out")
done

counts="native: $n_pass passed, $n_fail failed, $n_skip skipped (${native_time}s);"
counts+=" persona: $p_pass of those $n_pass passed"
[ "$n_pass" -gt 0 ] && counts+=" ($(awk -v a="$p_pass" -v b="$n_pass" 'BEGIN { printf "%.1f", 100 * a / b }')%)"
counts+=", $extra more than natively (${persona_time}s; $nshards shards; a program may run ${native_limit}s natively, ${limit}s under persona)"
echo "busybox testsuite: $counts"

# the positive control: the suite ran natively and most of it passed
if [ "$n_pass" -ge 100 ] || { [ -n "${BUSYBOX_TESTSUITE_APPLETS:-}" ] && [ "$n_pass" -gt 0 ]; }; then
	pass native
else
	fail native "only $n_pass tests passed natively; $base/last/native.0.err:" \
		"$(head -20 "$out/native.0.err")"
fi

# "name: failed", or "name: no result" when persona printed no result under
# that name (the shard ended early, or the test renamed itself: md5sum.tests
# fails as "md5sum (r:... exp:...)"); #N for the Nth test of that name in
# the shard. (Not "FAIL:": a CI log is searched for FAIL to find what broke.)
# where_is NAME: where the test is: "APPLET/" for an old-style test (the
# file APPLET/NAME), else "APPLET.tests: " for the first that has "NAME"
where_is() {
	local f
	for f in "$tsdir"/*/"$1"; do
		[ -f "$f" ] || continue
		f=${f%/*}
		echo "${f##*/}/"
		return
	done
	f=$(cd "$tsdir" && grep -lF -- "\"$1\"" ./*.tests 2>/dev/null | head -1)
	[ -n "$f" ] && echo "${f#./}: "
}
regressions=$(awk -F'\t' '$2 != "PASS" {
	n = split($1, k, ":"); name = k[2]; for (i = 3; i < n; i++) name = name ":" k[i]
	print $2 "\t" name "\t" (k[n] > 1 ? " #" k[n] : "") }' "$out/compare" |
	while IFS=$'\t' read -r st name nth; do
		[ "$st" = FAIL ] && st=failed || st="no result"
		echo "$(where_is "$name")$name$nth: $st"
	done)
if [ "$n_pass" -gt 0 ] && [ $((p_pass * 100)) -ge $((min_pct * n_pass)) ]; then
	pass persona
	{
		[ -n "$regressions" ] && echo "pass natively, not under persona:" && echo "$regressions"
		[ ${#summary[@]} -gt 0 ] && printf '%s\n' "${summary[@]}"
	} | sed 's/^/    /'
else
	fail persona "$counts (need ${min_pct}%)" "pass natively, not under persona:" \
		"$regressions" "${summary[@]}"
fi
echo "    outputs: $base/last"
done_

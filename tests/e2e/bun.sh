#!/usr/bin/env bash
# Bun (the JavaScript runtime, from npm's @oven/bun-linux-x64, unpacked from
# `npm pack`, never its postinstall) under persona: a JIT, many threads,
# signals between them, epoll, sockets and subprocesses.
. "$(dirname "$0")/lib.sh"

cache=${BUILD_DIR:-$(dirname "$0")/../../build}/bun
bun=$cache/package/bin/bun
if [ ! -x "$bun" ]; then
	mkdir -p "$cache"
	(cd "$cache" && timeout 300 npm pack --silent @oven/bun-linux-x64 >/dev/null 2>&1 &&
		tar xzf oven-bun-linux-x64-*.tgz && rm -f oven-bun-linux-x64-*.tgz) ||
		{ fail fetch "npm pack @oven/bun-linux-x64 failed (is npm installed and the registry reachable?)"; finish; }
fi
bun=$(cd "$(dirname "$bun")" && pwd)/bun
js=$(cd "$(dirname "$0")/bun" && pwd)

T_TIMEOUT=120 same basics "$bun" "$js/basics.js"
# Workers again and again: a lost wake-up between its threads hangs Bun.
hung=0
for i in $(seq 10); do
	T_TIMEOUT=60 pr -- "$bun" -e 'const u = URL.createObjectURL(new Blob(["postMessage(1)"]));
await Promise.all([1,2,3,4].map(() => new Promise(r => { const w = new Worker(u); w.onmessage = () => { w.terminate(); r(); }; })));
console.log("ok")' >"$work/out" 2>&1
	[ "$(cat "$work/out")" = ok ] || hung=$((hung + 1))
done
if [ $hung = 0 ]; then pass workers-10-runs; else fail workers-10-runs "$hung of 10 runs failed or hung" "$(tail -3 "$work/out")"; fi
finish

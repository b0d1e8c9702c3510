#!/usr/bin/env bash
# Programs that watch files with inotify: GNU tail -f (which follows a
# file through inotify and polls only once a second without it) and
# Node's fs.watch (libuv's inotify backend).
. "$(dirname "$0")/lib.sh"

# tail -f sees an append within a fraction of its one-second poll, and
# says nothing of reverting to polling.
if [ -x /usr/bin/tail ]; then
	out=$(pr -- /bin/sh -c '
		cd /tmp && echo first >f
		/usr/bin/tail -f f >out 2>err &
		sleep 0.3; echo second >>f; sleep 0.4; echo third >>f; sleep 0.4
		kill $!; wait; cat out err' 2>"$work/stderr")
	if [ "$out" = "$(printf 'first\nsecond\nthird')" ]; then
		pass tail-f
	else
		fail tail-f "got:" "$out" "stderr:" "$(head -5 "$work/stderr")"
	fi
else
	echo "SKIP $SUITE/tail-f: needs /usr/bin/tail"
fi

if [ -x /usr/bin/node ]; then
	js='
const fs = require("fs"), path = require("path");
const dir = fs.mkdtempSync(path.join(process.argv[2] || "/tmp", "w-"));
const seen = new Set();
const w = fs.watch(dir, (ev, name) => seen.add(ev + " " + name));
setTimeout(() => fs.writeFileSync(path.join(dir, "a"), "x"), 100);
setTimeout(() => fs.appendFileSync(path.join(dir, "a"), "y"), 300);
setTimeout(() => fs.renameSync(path.join(dir, "a"), path.join(dir, "b")), 500);
setTimeout(() => fs.unlinkSync(path.join(dir, "b")), 700);
setTimeout(() => { w.close(); fs.rmdirSync(dir); console.log([...seen].sort().join("\n")); }, 1000);
'
	same node-fs-watch /usr/bin/node -e "$js"
else
	echo "SKIP $SUITE/node-fs-watch: needs /usr/bin/node"
fi
finish

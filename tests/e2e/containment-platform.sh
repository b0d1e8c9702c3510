#!/usr/bin/env bash
# Containment at the platform: what a hostile guest can do with the
# machine's own mechanisms (the ia32 entry, low addresses, the trap flag,
# the stub's gadget and scratch page) reaches neither the host nor another
# guest, and the guests' host processes are fenced by the host kernel.
. "$(dirname "$0")/lib.sh"

compat=$(attack compat32) || { fail build-compat32; finish; }
gadget=$(attack gadget) || { fail build-gadget; finish; }
marker=/tmp/persona-escape-$$
trap 'rm -rf "$work" "$marker"*' EXIT

# int 0x80 and 32-bit code: SIGSEGV (a kernel without IA32 emulation), at
# the int 0x80 itself or, on a host without a 32-bit code segment, at the
# far return; and no file on the host.
for how in int80 far32; do
	for world in default root; do
		opts=()
		[ $world = root ] && opts=(--root /)
		out=$(pr "${opts[@]}" -- "$compat" "$how" "$marker-$how" 2>"$work/err")
		if grep -qE '^signal 11 code 128 at (an int 0x80|the far return)' <<<"$out" &&
			[ ! -e "$marker-$how" ]; then
			pass "$how-$world"
		else
			fail "$how-$world" "$out" "$(ls -l "$marker-$how" 2>&1)" "$(head -3 "$work/err")"
		fi
	done
done

# Nothing is mapped or moved below mmap_min_addr (65536), root or not.
expect low-addresses 0 "mremap to 0: Operation not permitted
mremap to 0x8000: Operation not permitted
mmap fixed 0: Operation not permitted
mmap fixed 0x1000: Operation not permitted
mmap hint 0x1000: above the floor" -- "$compat" lowmap

# A host call persona makes for a guest that set the trap flag does not
# single-step; the guest still gets its own SIGTRAP.
expect trap-flag 0 "mmap with TF: ok, traps seen
page usable" -- "$compat" trapflag

# Jumping into the stub never reaches the host. Under ptrace the gadget's
# call is an ordinary guest call: the file is made in the guest's world.
# Under systrap the host's filter kills a process that calls from the stub
# what the stub never calls.
if [ "$PLATFORM" = ptrace ]; then
	expect gadget-jump 0 "openat through the gadget: an fd
the file is in the guest's world: yes
socket through the gadget: a guest socket
kill(1, 0) through the gadget: 0" -- "$gadget" jump "$marker-gadget"
else
	expect gadget-jump 0 "syscall instructions in the stub: some
killed by SIGSYS: all
the file is in the guest's world: no" -- "$gadget" stubjump "$marker-gadget"
fi
if [ -e "$marker-gadget" ]; then
	fail gadget-jump-host "the gadget made $marker-gadget on the host"
else
	pass gadget-jump-host
fi

# Under systrap each guest process has a region of its own: a forked
# child and its parent never see each other's writes there. A host process
# a guest makes through the stub's own clone dies with persona (it runs
# under a subreaper here, which would inherit anything left behind).
if [ "$PLATFORM" = systrap ]; then
	# Patched calls jump through a table a process shares with its
	# forks: no guest can write it, whatever mprotect it calls.
	expect patch-table-read-only 0 "the table is there: yes
writable: no
writable after mprotect: no
the host's mprotect through the stub: EACCES
writable after it: no
calls right after: 100 of 100" -- "$gadget" patchtable
	expect regions-apart 0 "the child sees its parent's mark: no
the parent sees its child's mark: no" -- "$gadget" regions
	# An fd passed for a private mapping of a read-only file, taken off
	# the channel by another thread with the stub's own recvmsg, maps
	# neither shared nor writable.
	expect stolen-fd-read-only 0 "fds taken off the channel: some
shared writable maps of them: 0
original" -- "$BB" sh -c "echo original > /tmp/ro; chmod 444 /tmp/ro; $gadget stealfd /tmp/ro; cat /tmp/ro"
	left=$(python3 - "$PERSONA" "$gadget" <<'PY'
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)	# PR_SET_CHILD_SUBREAPER
subprocess.run([sys.argv[1], "run", "--", sys.argv[2], "stubclone"], stdin=subprocess.DEVNULL,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
time.sleep(0.5)
kids = [p for p in os.listdir("/proc") if p.isdigit() and
        open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1] == str(os.getpid())]
alive = [p for p in kids if open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[0] != "Z"]
print(len(alive))
for p in kids:
    os.kill(int(p), 9)
    os.waitpid(int(p), 0)
PY
)
	if [ "$left" = 0 ]; then
		pass stubclone-dies-with-persona
	else
		fail stubclone-dies-with-persona "$left host processes outlived persona"
	fi
fi

# A guest scribbling on its stub's shared pages while it maps files hurts
# only itself: another guest's mappings show its own files, and its exec
# (a dynamic program, which maps the loader and libc) works.
expect scratch-page 0 "victim: 0 mappings showed another file
victim: mappings all fine
victim's exec: ran" -- "$gadget" scratch

# The host's fence around every guest host process: seccomp filter,
# no_new_privs, no capabilities, not root, empty network, IPC and UTS
# namespaces, and no host fd but its own channel (and under systrap, the
# eventfd that wakes the kernel).
"$PERSONA" run -- "$BB" sh -c 'sleep 5 & sleep 5' </dev/null &
ppid=$!
sleep 1
# Every host process under persona (under ptrace a forked child that
# execs stays the child of its parent's host process).
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
n=0 bad=
for pid in $(descendants $ppid); do
	n=$((n + 1))
	st=/proc/$pid/status
	grep -q '^Seccomp:[[:space:]]*2' $st || bad+="$pid: no seccomp filter; "
	grep -q '^NoNewPrivs:[[:space:]]*1' $st || bad+="$pid: no no_new_privs; "
	grep -q '^CapEff:[[:space:]]*0*$' $st || bad+="$pid: capabilities $(grep CapEff $st); "
	grep -q '^CapBnd:[[:space:]]*0*$' $st || bad+="$pid: bounding set $(grep CapBnd $st); "
	if [ "$(id -u)" = 0 ]; then	# persona as root: the stubs are nobody
		grep -qE '^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' $st ||
			bad+="$pid: $(grep Uid: $st); "
		for ns in net ipc uts; do	# ... in namespaces of their own
			[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/$ppid/ns/$ns)" ] ||
				bad+="$pid: persona's $ns namespace; "
		done
	fi
	fds=$(ls /proc/$pid/fd | tr '\n' ' ')
	want="3 "
	[ "$PLATFORM" = systrap ] && want="3 4 "
	[ "$fds" = "$want" ] || bad+="$pid: host fds $fds; "
done
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
if [ $n -ge 2 ] && [ -z "$bad" ]; then
	pass stub-fenced
else
	fail stub-fenced "$n guest host processes" "$bad"
fi

# SIGTERM, SIGINT and SIGHUP sent to persona by a process end the sandbox
# promptly, even when the guest ignores them.
for sig in TERM INT HUP; do
	"$PERSONA" run -- "$BB" sh -c 'trap "" TERM INT HUP; while :; do sleep 1; done' </dev/null 2>/dev/null &
	ppid=$!
	sleep 0.5
	start=$(date +%s)
	kill -$sig $ppid
	for _ in $(seq 100); do kill -0 $ppid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $ppid 2>/dev/null; then
		kill -KILL $ppid
		wait $ppid 2>/dev/null
		fail "sig$sig-ends-sandbox" "persona still ran 10 s after SIG$sig"
	else
		wait $ppid
		st=$?
		want=$((128 + $(kill -l $sig)))
		if [ $st = $want ] && [ $(($(date +%s) - start)) -le 5 ]; then
			pass "sig$sig-ends-sandbox"
		else
			fail "sig$sig-ends-sandbox" "status $st (want $want)"
		fi
	fi
done
finish

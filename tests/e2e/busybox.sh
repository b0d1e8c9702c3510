#!/usr/bin/env bash
# BusyBox applets and its shell under persona's default world, compared
# with the same commands run natively.
. "$(dirname "$0")/lib.sh"

same echo "$BB" echo hello world
same echo-n "$BB" echo -n no newline
same cat-os-release "$BB" cat /etc/os-release
same cat-missing "$BB" sh -c 'cat /nonexistent/file 2>&1; echo status=$?'
same ls-root "$BB" ls /
# /proc /dev /tmp /sys are the guest's own; "." ".." and the total count
# them, so those lines are left out
same ls-la-root -f "grep -vE ' (\\.|\\.\\.|proc|dev|tmp|sys)\$' | grep -v '^total'" \
	"$BB" ls -la /
same ls-la-etc "$BB" ls -la /etc/os-release /etc/passwd /etc/hostname
same wc "$BB" wc /etc/passwd /etc/os-release
same sort "$BB" sort /etc/passwd
same sort-r "$BB" sort -r -t: -k3 -n /etc/passwd
same head "$BB" head -n 3 /etc/passwd
same md5sum "$BB" md5sum /bin/busybox
# directory order belongs to the filesystem: sort
same find-conf -f sort "$BB" find /etc -name '*.conf'
same stat-etc "$BB" stat -c '%n %s %a %F' /etc/passwd /etc /bin

# the shell without fork: builtins, variables, loops, arithmetic
expect sh-loop 0 "$(printf '1\n2\n3\n42')" \
	-- "$BB" sh -c 'for i in 1 2 3; do echo $i; done; echo $((6*7))'
expect sh-vars 0 "$(printf 'hello persona\n10\nyes\nb')" \
	-- "$BB" sh -c 'x=hello; y=persona; echo "$x $y"; n=0;
		while [ $n -lt 10 ]; do n=$((n+1)); done; echo $n;
		if [ -d /etc ]; then echo yes; fi;
		case foo in f*) echo b;; esac'
expect sh-functions 0 "$(printf 'f:a b\n2')" \
	-- "$BB" sh -c 'f() { echo "f:$*"; return 2; }; f a b; echo $?'
expect sh-cd-pwd 0 "/etc" -- "$BB" sh -c 'cd /etc && pwd'
expect sh-exit-7 7 "" -- "$BB" sh -c 'exit 7'
expect sh-true 0 "" -- "$BB" true
# the shell writes and reads a file in the guest's /tmp
expect sh-redirect 0 "$(printf 'one\ntwo')" \
	-- "$BB" sh -c 'f=/tmp/persona-e2e-redirect; echo one > $f; echo two >> $f; while read l; do echo $l; done < $f; rm $f'

# the shell with fork, exec, pipes and waits
expect sh-pipe 0 "3" -- "$BB" sh -c 'printf "a\nb\nc\n" | wc -l'
expect sh-subst 0 "x=5" -- "$BB" sh -c 'echo x=$(echo 5)'
expect sh-child-status 3 "" -- "$BB" sh -c "$BB sh -c 'exit 3'"
expect sh-exec 0 "hi" -- "$BB" sh -c "exec $BB echo hi"
finish

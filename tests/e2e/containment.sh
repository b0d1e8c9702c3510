#!/usr/bin/env bash
# --root DIR: the guest sees DIR as / and nothing outside it, whatever
# paths, "..", or symlinks (absolute or relative) it uses.
. "$(dirname "$0")/lib.sh"

root=$(mktemp -d /tmp/persona-root-XXXXXX)
marker=/tmp/persona-marker-$$
echo SECRET-$$ >"$marker"
trap 'rm -rf "$work" "$root" "$marker"' EXIT
cp "$BB" "$root/busybox"
mkdir "$root/sub"
echo inside >"$root/sub/file"
ln -s /../../.. "$root/escape"
ln -s /etc "$root/abs"
ln -s ../../../../../.. "$root/sub/rel"
ln -s "$marker" "$root/mk"
ln -s "$root" "$root/hostpath"   # DIR's host name means nothing inside

g() { pr --root "$root" -- /busybox "$@"; }

# what / looks like inside; every other view must match it
want=$(g ls / 2>"$work/err")
if grep -qx busybox <<<"$want" && grep -qx sub <<<"$want" && ! grep -qxE 'etc|usr|bin|home|var' <<<"$want"; then
	pass ls-root
else
	fail ls-root "ls / gave:" "$want" "$(head -5 "$work/err")"
fi

for p in /escape/ /.. /../.. /sub/.. /sub/rel/ /sub/../../.. /proc/self/root/ /proc/self/root/..; do
	got=$(g ls "$p" 2>&1)
	if [ "$got" = "$want" ]; then
		pass "ls $p"
	else
		fail "ls $p" "got:" "$got" "want:" "$want"
	fi
done

# the host's files stay out of reach: the command fails with ENOENT (so
# the guest did run) and prints nothing of theirs
host_name=$(cat /etc/hostname 2>/dev/null)
check_hidden() {
	local name=$1 out st
	shift
	out=$(g "$@" 2>&1)
	st=$?
	if [ $st != 0 ] && grep -q 'No such file or directory' <<<"$out" &&
		! grep -qE "SECRET|root:x:0:0" <<<"$out" &&
		{ [ ${#host_name} -lt 4 ] || ! grep -qF "$host_name" <<<"$out"; }; then
		pass "$name"
	else
		fail "$name" "\$ /busybox $* -> status $st" "$out"
	fi
}
check_hidden dotdot-hostname cat /../../etc/hostname
check_hidden dotdot-passwd cat /../../../etc/passwd
check_hidden abs-passwd cat /abs/passwd
check_hidden escape-passwd cat /escape/etc/passwd
check_hidden rel-passwd cat /sub/rel/etc/passwd
check_hidden marker cat "$marker"
check_hidden marker-link cat /mk
check_hidden marker-escape cat "/escape$marker"
check_hidden marker-rel cat "/sub/rel$marker"
check_hidden marker-proc-root cat "/proc/self/root/..$marker"
check_hidden marker-hostpath cat "/hostpath$marker"
check_hidden cd-up sh -c "cd /; cd ..; cd ..; cat .$marker"
check_hidden cd-escape sh -c "cd /escape && cd ../.. && cat ./etc/passwd"

# /proc/self/root names the guest's root, not DIR
expect proc-root-link 0 "/" --root "$root" -- /busybox readlink /proc/self/root
expect proc-cwd-link 0 "/sub" --root "$root" -- /busybox sh -c 'cd /sub/ && readlink /proc/self/cwd'
expect inside-file 0 "inside" --root "$root" -- /busybox cat /sub/file
expect escape-link-target 0 "/../../.." --root "$root" -- /busybox readlink /escape

# a search from / finds only DIR's files (busybox and sub/file are there
# to show the search ran)
expect find-marker 0 "/busybox" --root "$root" -- \
	/busybox find / -xdev -name 'persona-marker*' -o -xdev -name busybox
expect find-passwd 0 "/sub/file" --root "$root" -- \
	/busybox find / -xdev -name passwd -o -xdev -name file

# a write to /../.. lands inside the guest's world, never beside DIR
expect write-escape 0 "x" --root "$root" -- \
	/busybox sh -c "echo x > /../../escaped-$$ && cat /escaped-$$"
if [ -e "/escaped-$$" ] || [ -e "/tmp/escaped-$$" ] || [ -e "$(dirname "$root")/escaped-$$" ]; then
	fail write-escape-host "a file escaped the root"
	rm -f "/escaped-$$" "/tmp/escaped-$$"
else
	pass write-escape-host
fi

# A guest root is root of the guest only: no set-user-ID or set-group-ID
# file it makes or changes in a host directory keeps those bits on the host
# (whoever ran it there would run it with host privileges).
bind=$(mktemp -d /var/tmp/persona-suid-XXXXXX)
pr --bind "$bind:/mnt" -- "$BB" sh -c 'cp /bin/busybox /mnt/prog && chmod 4755 /mnt/prog &&
	touch /mnt/sgid && chmod 2755 /mnt/sgid && mkdir /mnt/dir && chmod 2775 /mnt/dir' 2>"$work/suid.err"
modes=$(stat -c '%n %a' "$bind/prog" "$bind/sgid" "$bind/dir" 2>&1 | sed "s|$bind/||")
if [ "$modes" = "prog 755
sgid 755
dir 2775" ]; then
	pass no-setuid-on-host
else
	fail no-setuid-on-host "$modes" "$(head -3 "$work/suid.err")"
fi
rm -rf "$bind"

# AF_UNIX sockets are persona's own: a host service's socket file that the
# guest can see (here through --bind) refuses the guest's connection.
sockdir=$(mktemp -d /var/tmp/persona-sock-XXXXXX)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); s.settimeout(6)
try:
    s.accept(); print("accepted")
except OSError:
    print("none")' "$sockdir/svc" >"$work/svc.out" &
svc=$!
for _ in $(seq 50); do [ -S "$sockdir/svc" ] && break; sleep 0.1; done
out=$(pr --bind "$sockdir:/mnt" -- python3 -c 'import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("/mnt/svc"); print("connected")
except OSError as e:
    print(e.strerror)' 2>&1)
wait $svc
if [ "$out" = "Connection refused" ] && [ "$(cat "$work/svc.out")" = none ]; then
	pass host-unix-socket-unreachable
else
	fail host-unix-socket-unreachable "guest: $out" "host service: $(cat "$work/svc.out")"
fi
rm -rf "$sockdir"

# The guest reads the host's network but cannot change it: route netlink
# requests that would (RTM_NEWADDR) and interface ioctls that would
# (SIOCSIFMTU) fail with EPERM, and the host's loopback stays as it was.
mtu=$(cat /sys/class/net/lo/mtu 2>/dev/null)
pr -- "$BB" ip addr add 10.255.254.1/32 dev lo >/dev/null 2>"$work/ip.err"
st=$?
if [ "$st" != 0 ] && grep -q "not permitted" "$work/ip.err" &&
	! "$BB" ip addr show dev lo | grep -q 10.255.254.1; then
	pass netlink-cannot-add-address
else
	fail netlink-cannot-add-address "status $st" "$(cat "$work/ip.err")"
	"$BB" ip addr del 10.255.254.1/32 dev lo 2>/dev/null
fi
pr -- "$BB" ifconfig lo mtu 1280 >/dev/null 2>"$work/ifconfig.err"
st=$?
if [ "$st" != 0 ] && grep -q "not permitted" "$work/ifconfig.err" &&
	[ "$(cat /sys/class/net/lo/mtu 2>/dev/null)" = "$mtu" ]; then
	pass ioctl-cannot-set-mtu
else
	fail ioctl-cannot-set-mtu "status $st" "$(cat "$work/ifconfig.err")"
fi
finish

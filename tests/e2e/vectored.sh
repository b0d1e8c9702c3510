#!/usr/bin/env bash
# Vectored and positioned I/O through Python's os module (preadv, pwritev
# and their flags, readv, writev), on the in-memory /tmp and on a host
# directory bound in (hostfs, where the host fd's own O_APPEND must not
# decide where RWF_APPEND, RWF_NOAPPEND and F_SETFL's O_APPEND write).
. "$(dirname "$0")/lib.sh"

if ! [ -x /usr/bin/python3 ]; then
	echo "SKIP $SUITE: needs /usr/bin/python3"
	exit 0
fi

script='
import fcntl, os, sys
d = sys.argv[1]
p = os.path.join(d, "f")
fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
print(os.pwritev(fd, [b"hello ", b"vectored ", b"world"], 0))
a, b = bytearray(5), bytearray(9)
print(os.preadv(fd, [a, b], 6), a, b, os.lseek(fd, 0, os.SEEK_CUR))
print(os.pwritev(fd, [b"APP"], 0, os.RWF_APPEND), os.lseek(fd, 0, os.SEEK_CUR))
print(os.pwritev(fd, [b"dsync"], 1, os.RWF_DSYNC | os.RWF_SYNC | os.RWF_HIPRI))
print(os.writev(fd, [b"at", b"pos"]), os.lseek(fd, 0, os.SEEK_CUR))
for bad in (0x200, os.RWF_APPEND | 0x20):
    try:
        os.pwritev(fd, [b"x"], 0, bad)
    except OSError as e:
        print("flags", hex(bad), e.errno)
try:
    os.preadv(fd, [a], -2)
except OSError as e:
    print("offset -2", e.errno)
os.close(fd)
fd = os.open(p, os.O_RDWR | os.O_APPEND)
print(os.pwrite(fd, b"<pwrite>", 0), os.pwritev(fd, [b"<noappend>"], 2, 0x20))
fcntl.fcntl(fd, fcntl.F_SETFL, 0)
print(os.write(fd, b"<nonappend>"), os.lseek(fd, 0, os.SEEK_CUR))
os.close(fd)
fd = os.open(p, os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_SETFL, os.O_APPEND)
print(os.write(fd, b"<setfl>"), os.lseek(fd, 0, os.SEEK_CUR))
print(open(p, "rb").read())
r, w = os.pipe()
print(os.writev(w, [b"pi", b"pe"]), os.readv(r, [a]), a)
try:
    os.preadv(r, [a], 0)
except OSError as e:
    print("pipe", e.errno)
'

for where in tmpfs hostfs; do
	mkdir -p "$work/native-$where" "$work/guest-$where"
	/usr/bin/python3 -c "$script" "$work/native-$where" >"$work/native" 2>&1
	if [ $where = tmpfs ]; then
		pr -- /usr/bin/python3 -c "$script" /tmp >"$work/guest" 2>"$work/stderr"
	else
		pr --bind "$work/guest-$where:/mnt" -- /usr/bin/python3 -c "$script" /mnt >"$work/guest" 2>"$work/stderr"
	fi
	if [ -s "$work/native" ] && cmp -s "$work/native" "$work/guest"; then
		pass "python-$where"
	else
		fail "python-$where" "$(diff -u "$work/native" "$work/guest" | tail -n +3 | head -20)" \
			"persona stderr:" "$(head -5 "$work/stderr")"
	fi
done
finish

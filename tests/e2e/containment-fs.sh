#!/usr/bin/env bash
# Containment of persona's file systems, checked from the host: host
# directories (--root, --bind, --ro-bind, the default world's lower layer)
# are nodev, so no host device is made or opened through them; a read-only
# bind refuses every kind of write as Linux's read-only mount does; a tmpfs
# has a size. The guest side is containment-fs.c, built here.
. "$(dirname "$0")/lib.sh"

# Not under /tmp: the guest's /tmp is its own tmpfs.
scratch=$(mktemp -d /var/tmp/persona-cfs-XXXXXX)
loopdev=
cleanup() {
	[ -n "$loopdev" ] && losetup -d "$loopdev"
	rm -rf "$work" "$scratch"
}
trap cleanup EXIT
probe=$scratch/probe
if ! ${CC:-gcc} -static -O1 -Wall -Werror -o "$probe" "$(dirname "$0")/containment-fs.c" 2>"$work/cc"; then
	fail build "$(cat "$work/cc")"
	finish
fi

# snap DIR: everything the host knows of DIR's files (a change of mode,
# owner, times, links or xattrs moves ctime; data moves the checksum)
snap() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %n %T@ %C@\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}

# differ NAME NATIVE_OUT GUEST_OUT: the two outputs must be the same
differ() {
	if cmp -s "$2" "$3" && [ -s "$2" ]; then
		pass "$1"
	else
		fail "$1" "$(diff -u --label native --label persona "$2" "$3" | tail -n +3 | head -20)"
	fi
}

# native_ro SRC DIR ARGS...: runs the probe natively with SRC bind-mounted
# read-only and nodev on DIR, in a mount namespace of its own.
native_ro() {
	local src=$1 dir=$2
	shift 2
	unshare -m sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro,nodev "$2" && shift 2 && exec "$@"' \
		sh "$src" "$dir" "$probe" "$@"
}

## 2. read-only binds refuse every kind of write, for every file type

ro=$scratch/ro
mnt=$scratch/mnt
mkdir "$ro" "$mnt"
"$probe" setup "$ro"
before=$(snap "$ro")
native_ro "$ro" "$mnt" rofs "$mnt" >"$work/native" 2>&1
pr --ro-bind "$ro:$mnt" -- "$probe" rofs "$mnt" >"$work/guest" 2>&1
differ ro-bind-writes "$work/native" "$work/guest"
if [ "$(snap "$ro")" = "$before" ]; then
	pass ro-bind-host-untouched
else
	fail ro-bind-host-untouched "$(diff <(echo "$before") <(snap "$ro"))"
fi

## 3. a tmpfs has a size, shared by its files, as Linux's

mkdir "$scratch/t"
unshare -m sh -c 'mount -t tmpfs -o size=1M none "$1" && "$2" tmpfs "$1"' sh "$scratch/t" "$probe" >"$work/native" 2>&1
pr --size 1M --tmpfs /mnt -- "$probe" tmpfs /mnt >"$work/guest" 2>&1
differ tmpfs-size "$work/native" "$work/guest"
# the default is half of the machine's memory: /tmp, /dev/shm, --tmpfs
unshare -m sh -c 'mount -t tmpfs none "$1" && "$2" stat -f -c %b "$1"' sh "$scratch/t" "$BB" >"$work/native" 2>&1
for d in /tmp /dev/shm /mnt; do
	pr --tmpfs /mnt -- "$BB" stat -f -c %b "$d" >"$work/guest" 2>&1
	differ "tmpfs-default-size $d" "$work/native" "$work/guest"
done
# the default world's changes live in a tmpfs too, and count against it
out=$(pr -- "$BB" sh -c "$BB stat -f -c %f /; $BB head -c 1048576 /dev/zero >$scratch/t/f; $BB stat -f -c %f /" 2>&1)
if [ "$(echo "$out" | sed -n 1p)" = $(($(echo "$out" | sed -n 2p) + 256)) ] && [ ! -e "$scratch/t/f" ]; then
	pass overlay-upper-counted
else
	fail overlay-upper-counted "free blocks before and after writing 1 MiB:" "$out"
fi
expect size-without-tmpfs 2 "" --size 1M -- "$BB" true

## 1. device nodes: host directories are nodev

# A loop device over a scratch file stands for a host disk: if the guest
# reaches it, the file changes.
back=$scratch/backing
head -c 1048576 /dev/zero | tr '\0' 'b' >"$back"
loopdev=$(losetup -f --show "$back" 2>/dev/null)
if [ -z "$loopdev" ]; then
	modprobe loop 2>/dev/null
	[ -e /dev/loop-control ] || mknod /dev/loop-control c 10 237 2>/dev/null
	for n in 0 1 2 3 4 5 6 7; do
		[ -e /dev/loop$n ] || mknod /dev/loop$n b 7 $n 2>/dev/null
	done
	loopdev=$(losetup -f --show "$back" 2>/dev/null)
fi
if [ -z "$loopdev" ]; then
	echo "note: e2e/containment-fs: no loop device here; the device cases did not run"
else
	major=$((0x$(stat -c %t "$loopdev")))
	minor=$((0x$(stat -c %T "$loopdev")))
	sum=$(md5sum <"$back")
	dev=$scratch/dev
	root=$scratch/root
	rw=$scratch/rw
	mkdir "$dev" "$root" "$rw"
	cp "$probe" "$root/probe"
	for d in "$dev" "$root"; do
		mknod "$d/loopnode" b "$major" "$minor"
		mknod "$d/nullnode" c 1 3
	done

	# opened through a read-only bind: refused as on a nodev mount
	for node in loopnode nullnode; do
		native_ro "$dev" "$mnt" dev "$mnt/$node" >"$work/native" 2>&1
		pr --ro-bind "$dev:$mnt" -- "$probe" dev "$mnt/$node" >"$work/guest" 2>&1
		differ "ro-bind-$node" "$work/native" "$work/guest"
	done
	# the same, through --root, --bind and the default world's lower layer
	for node in loopnode nullnode; do
		native_ro "$dev" "$mnt" dev "$mnt/$node" >"$work/native" 2>&1
		sed -i "s|$mnt/||" "$work/native"
		pr --root "$root" -- /probe dev "$node" >"$work/guest" 2>&1
		differ "root-$node" "$work/native" "$work/guest"
		pr --bind "$dev:$mnt" -- "$probe" dev "$mnt/$node" >"$work/guest" 2>&1
		sed -i "s|$mnt/||" "$work/guest"
		differ "bind-$node" "$work/native" "$work/guest"
		pr -- "$probe" dev "$dev/$node" >"$work/guest" 2>&1
		sed -i "s|$dev/||" "$work/guest"
		differ "lower-layer-$node" "$work/native" "$work/guest"
	done

	# no host device node is made: mknod is refused as for an
	# unprivileged user of the host
	expect mknod-root 0 "mknod-blk /newloop = -1 EPERM" --root "$root" -- /probe mknod /newloop "$major" "$minor"
	expect mknod-bind 0 "mknod-blk $mnt/newloop = -1 EPERM" --bind "$rw:$mnt" -- "$probe" mknod "$mnt/newloop" "$major" "$minor"
	if [ -e "$root/newloop" ] || [ -e "$rw/newloop" ]; then
		fail no-host-node "$(ls -l "$root/newloop" "$rw/newloop" 2>&1)"
	else
		pass no-host-node
	fi
	# a guest that did get a node tries it too
	[ -b "$root/newloop" ] && pr --root "$root" -- /probe dev /newloop >/dev/null 2>&1
	[ -b "$rw/newloop" ] && pr --bind "$rw:$mnt" -- "$probe" dev "$mnt/newloop" >/dev/null 2>&1
	sync
	if [ "$(md5sum <"$back")" = "$sum" ]; then
		pass backing-file-untouched
	else
		fail backing-file-untouched "the guest wrote the host's loop device"
	fi
fi

finish

#!/usr/bin/env bash
# Files a guest makes through hostfs (--bind, --root) get the modes Linux
# gives them: what the guest asked less the guest's own umask, never
# persona's umask on top. Made natively and under persona, in two host
# directories, and compared.
. "$(dirname "$0")/lib.sh"

# Runs in the directory $1 (/mnt in the guest).
make_files='cd "$1" &&
umask 0 && touch f666 && mkdir d777 && mkdir -m 777 m777 && mkfifo p666 &&
umask 077 && touch f600 && mkdir d700 &&
umask 027 && touch f640 && mkdir -m 775 m775 &&
ls -ln | awk "NR > 1 { print \$1, \$NF }"'

native=$work/native-dir
guest=$(mktemp -d /var/tmp/persona-e2e-XXXXXX)
mkdir "$native"
# persona's own umask is the usual one; the guest sets its own.
umask 022
want=$("$BB" sh -c "$make_files" sh "$native" 2>&1)
got=$(pr --bind "$guest:/mnt" -- "$BB" sh -c "$make_files" sh /mnt 2>&1)
host=$(cd "$guest" && ls -ln | awk 'NR > 1 { print $1, $NF }')
rm -rf "$guest"
if [ "$got" = "$want" ] && [ "$host" = "$want" ]; then
	pass bind-umask
else
	fail bind-umask "native:" "$want" "guest:" "$got" "on the host:" "$host"
fi
finish

#!/usr/bin/env bash
# A guest's root cannot change the host's firewall, though persona's host
# sockets are persona's (root's here): the iptables interface
# (setsockopt IPT_SO_SET_REPLACE, as iptables-legacy writes a table) is
# refused through a raw, a UDP and a TCP socket, and the iptables
# programs fail. Each attempt runs with persona inside a network
# namespace of its own (unshare -n), so even a failure of persona changes
# nothing real, and the namespace's tables are then read natively in the
# same namespace: they must still be empty (no table made; the filter
# table, when read, has its ACCEPT policies).
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build/tests}/e2e
mkdir -p "$build"
ipt=$build/ipt
if ! ${CC:-gcc} -static -O1 -Wall -Werror -o "$ipt" "$root/tests/e2e/netfilter/ipt.c" 2>"$work/cc.err"; then
	fail build-ipt "$(head -20 "$work/cc.err")"
	finish
fi
if ! unshare -n true 2>"$work/unshare.err"; then
	fail unshare "a network namespace is needed to try this safely:" "$(cat "$work/unshare.err")"
	finish
fi

# in_netns SCRIPT ARGS...: sh -c SCRIPT in a new network namespace, with a
# time limit; $P is persona and $IPT the probe there.
in_netns() {
	local script=$1
	shift
	P=$PERSONA IPT=$ipt timeout -k 5 $((T_TIMEOUT * 2)) unshare -n sh -c "$script" sh "$@" </dev/null
}

untouched="filter: 4 entries, INPUT ACCEPT, FORWARD ACCEPT, OUTPUT ACCEPT"

# The probe itself sees a change: natively, root's replace lands.
out=$(in_netns '"$IPT" drop udp >/dev/null; "$IPT" show' 2>&1)
if [ "$out" = "filter: 4 entries, INPUT ACCEPT, FORWARD DROP, OUTPUT ACCEPT" ]; then
	pass probe-sees-native-change
else
	fail probe-sees-native-change "the probe's view after a native replace:" "$out"
fi

# A guest root's replace through each kind of socket: refused, and the
# namespace still has no table (then the filter table, made by reading
# it, is the kernel's fresh one).
for type in raw udp tcp; do
	out=$(in_netns '"$P" run -- "$IPT" drop "$1" 2>&1; echo "tables: [$(cat /proc/net/ip_tables_names)]"
		"$IPT" show' "$type" 2>&1)
	case $type in
	raw) want_guest="socket: -1 EPERM" ;;
	*) want_guest="replace: -1 EPERM" ;;
	esac
	if grep -qxF "$want_guest" <<<"$out" && grep -qxF "tables: []" <<<"$out" &&
		grep -qxF "$untouched" <<<"$out"; then
		pass "guest-root-replace-$type"
	else
		fail "guest-root-replace-$type" "want \"$want_guest\", no table, then the fresh one; got:" "$out"
	fi
done

# The iptables programs, where the host has them: they fail in the guest
# and the namespace's rules stay empty, read natively afterwards.
for prog in iptables-legacy iptables-nft iptables; do
	command -v "$prog" >/dev/null || continue
	save=$prog-save
	[ "$prog" = iptables ] && save=iptables-save
	command -v "$save" >/dev/null || continue
	out=$(in_netns '"$P" run -- "$1" -A INPUT -j DROP >/dev/null 2>&1; echo "status $?"
		"$1" -P FORWARD DROP >/dev/null 2>&1; "$2" 2>&1 | grep -E "^-A|^:FORWARD DROP" || echo "native: no rule"
		echo "tables: [$(cat /proc/net/ip_tables_names)]"' "$prog" "$save" 2>&1)
	# the native -P FORWARD DROP shows that the native save would show a change
	if grep -qx "status [1-9][0-9]*" <<<"$out" && ! grep -q "^-A" <<<"$out" &&
		grep -q "^:FORWARD DROP" <<<"$out"; then
		pass "guest-root-$prog"
	else
		fail "guest-root-$prog" "the guest's iptables must fail and add no rule; got:" "$out"
	fi
done
if command -v nft >/dev/null; then
	out=$(in_netns '"$P" run -- nft add table ip persona_test >/dev/null 2>&1; echo "status $?"
		nft list tables' 2>&1)
	if grep -qx "status [1-9][0-9]*" <<<"$out" && ! grep -q persona_test <<<"$out"; then
		pass guest-root-nft
	else
		fail guest-root-nft "the guest's nft must fail and add no table; got:" "$out"
	fi
fi
# A host service's SO_REUSEPORT group takes only sockets of its owner: a
# guest, root or not, never joins it (its host sockets are not the
# service's uid even when persona runs as root).
rp=$(dirname "$0")/python/reuseport-bind.py
port=$((40000 + $$ % 20000))
python3 "$rp" $port hold 10 >"$work/svc.out" &
svc=$!
for _ in $(seq 50); do [ -s "$work/svc.out" ] && break; sleep 0.1; done
expect reuseport-host-service 0 "bind tcp Address already in use
bind udp Address already in use" -- python3 "$rp" $port
kill $svc 2>/dev/null
wait $svc 2>/dev/null
finish

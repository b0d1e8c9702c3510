# bench/shell.sh BUSYBOX SCALE: the shell workload of `make bench`, run by
# "BUSYBOX sh". Loops, pipelines and grep/sed/awk/sort over files it
# generates in a fresh directory; every tool is BusyBox's, so the run
# does the same work wherever it goes. Prints a checksum of its results.
set -eu
bb=$1
scale=$2
for tool in awk cat cut grep head mkdir mktemp rm sed seq sort tr uniq wc; do
	eval "$tool() { \"\$bb\" $tool \"\$@\"; }"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# six files of "id name value group" lines
lines=$((1500 * scale))
for f in 1 2 3 4 5 6; do
	awk -v n="$lines" -v f="$f" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "%d user%d %d g%d\n", i, (i * 7 + f) % 997, (i * 31 * f) % 10007, i % 13
	}' >"data$f.txt"
done

# per file: filter, rewrite, sort, sum
for f in data*.txt; do
	grep -c ' g7$' "$f" >"$f.count"
	sed -e 's/user/u-/' -e 's/ g\([0-9]*\)$/ group\1/' "$f" >"$f.sed"
	sort -k3,3n "$f.sed" | head -n 100 >"$f.top"
	awk '{ s[$4] += $3 } END { for (g in s) print g, s[g] }' "$f" | sort >"$f.sum"
done

# one pipeline over everything
cat data*.txt | cut -d' ' -f2 | tr 'a-z' 'A-Z' | sort | uniq -c | sort -rn | head -n 20 >names.txt

# the shell alone: arithmetic and string work, no programs started
i=0 acc=0
while [ "$i" -lt $((20000 * scale)) ]; do
	acc=$(((acc * 31 + i) % 65521))
	i=$((i + 1))
done

# many small programs, as configure scripts run them
for i in $(seq $((30 * scale))); do
	echo "line $i" | sed 's/line/row/' | grep -q row
done

cat ./*.count ./*.top ./*.sum names.txt | wc -c
echo "$acc"

# bench/cc.sh SCALE: the compiler workload of `make bench`, run by sh.
# Writes a small C project (7 x SCALE files and a Makefile) into a fresh
# directory and builds it from clean with "make -j2"; runs the result.
set -eu
units=$((7 * $1))
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

cat >common.h <<'END'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct item { char name[32]; long value; };
END
objs=main.o
calls=
i=1
while [ "$i" -le "$units" ]; do
	cat >"unit$i.c" <<END
#include "common.h"
static int cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}
long unit$i(void)
{
	struct item items[64];
	long sum = 0;
	for (int k = 0; k < 64; k++) {
		snprintf(items[k].name, sizeof items[k].name, "item-%d-%d", $i, k);
		items[k].value = (k * 2654435761u + $i) % 1000;
	}
	qsort(items, 64, sizeof items[0], cmp);
	for (int k = 0; k < 64; k++)
		sum += items[k].value * (long)strlen(items[k].name);
	return sum;
}
END
	echo "long unit$i(void);" >>units.h
	objs="$objs unit$i.o"
	calls="$calls + unit$i()"
	i=$((i + 1))
done
cat >main.c <<END
#include "common.h"
#include "units.h"
int main(void)
{
	printf("%ld\n", 0$calls);
	return 0;
}
END
printf 'CFLAGS = -O2 -Wall\nprog: %s\n\t$(CC) -o $@ $^\n%%.o: %%.c common.h units.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n' "$objs" >Makefile

make -s -j2
./prog

/* random: getrandom. */
#include "abi.h"
#include <sys/random.h>

int main(void)
{
	unsigned char a[64], b[64], big[4096];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	T(syscall(SYS_getrandom, a, sizeof a, 0));
	T(syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK));
	P("two calls differ", "%d", memcmp(a, b, sizeof a) != 0);
	int zeros = 0;
	for (size_t i = 0; i < sizeof a; i++)
		zeros += a[i] == 0;
	P("not all zero", "%d", zeros < 16);
	T(syscall(SYS_getrandom, big, sizeof big, 0));
	T(syscall(SYS_getrandom, a, 1, GRND_RANDOM));
	T(syscall(SYS_getrandom, a, 1, GRND_RANDOM | GRND_NONBLOCK));
	T(syscall(SYS_getrandom, a, 0, 0));
	T(syscall(SYS_getrandom, BADP, 0, 0));
	T(syscall(SYS_getrandom, a, sizeof a, 0x100));
	T(syscall(SYS_getrandom, a, sizeof a, -1));
	T(syscall(SYS_getrandom, BADP, 16, 0));
	T(syscall(SYS_getrandom, NULL, 16, 0));
	/* glibc's wrapper */
	T(getrandom(b, 8, 0));
	return 0;
}

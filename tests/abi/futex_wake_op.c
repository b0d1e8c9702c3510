/* futex_wake_op: FUTEX_WAKE_OP's encoded operation, every field at its
 * edges: each op and comparison, FUTEX_OP_OPARG_SHIFT with shifts of 0,
 * 31, and out of range (Linux takes them modulo 32), sign-extended
 * arguments, and unknown ops and comparisons (ENOSYS; an unknown
 * comparison comes after the word was already changed). Nobody waits,
 * so each call returns 0 woken; the word shows what the op did. */
#include "abi.h"
#include <linux/futex.h>
#include <stdint.h>

static uint32_t w1, w2;

static void op(const char *label, uint32_t start, uint32_t encoded)
{
	w2 = start;
	errno = 0;
	long r = syscall(SYS_futex, &w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, encoded);
	printf("%s: ", label);
	abi_show("r", r, errno);
	printf("  word 0x%08x -> 0x%08x\n", start, w2);
}

#define ENC(o, c, oa, ca) ((((uint32_t)(o) & 0xf) << 28) | (((uint32_t)(c) & 0xf) << 24) | \
			   (((uint32_t)(oa) & 0xfff) << 12) | ((uint32_t)(ca) & 0xfff))

int main(void)
{
	SECTION("ops");
	op("SET 5", 1, ENC(FUTEX_OP_SET, FUTEX_OP_CMP_EQ, 5, 1));
	op("ADD -1", 10, ENC(FUTEX_OP_ADD, FUTEX_OP_CMP_EQ, -1, 10));
	op("OR 0x7ff", 0x1000, ENC(FUTEX_OP_OR, FUTEX_OP_CMP_NE, 0x7ff, 0));
	op("ANDN 0xf", 0xff, ENC(FUTEX_OP_ANDN, FUTEX_OP_CMP_LT, 0xf, 0));
	op("XOR -2048", 0, ENC(FUTEX_OP_XOR, FUTEX_OP_CMP_GE, -2048, -2048));
	SECTION("shifted");
	op("SET 1<<0", 0, ENC(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_EQ, 0, 0));
	op("SET 1<<31", 0, ENC(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_EQ, 31, 0));
	op("OR 1<<32", 2, ENC(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_EQ, 32, 0));
	op("ADD 1<<-1", 1, ENC(FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_GT, -1, 0));
	op("ANDN 1<<2047", ~0u, ENC(FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_LE, 2047, 0));
	SECTION("comparisons");
	for (int c = 0; c < 6; c++) {
		char label[32];
		snprintf(label, sizeof(label), "cmp %d vs -1", c);
		op(label, (uint32_t)-1, ENC(FUTEX_OP_ADD, c, 0, -1));
	}
	SECTION("unknown");
	op("op 5", 3, ENC(5, FUTEX_OP_CMP_EQ, 1, 0));
	op("op 7 shifted", 3, ENC(7 | FUTEX_OP_OPARG_SHIFT, FUTEX_OP_CMP_EQ, 1, 0));
	op("cmp 6", 3, ENC(FUTEX_OP_SET, 6, 9, 0));
	op("all ones", 3, 0xffffffffu);
	op("all ones but op", 3, 0x8fffffffu);
	return 0;
}

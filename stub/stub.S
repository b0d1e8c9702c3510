/* The guest-side stub. A fresh guest process is this tiny static program;
 * the kernel never lets it run on its own: it only borrows the gadget below
 * to make host system calls inside the guest process (mmap and friends). */
#include "stub_layout.h"
	.section .text.gadget, "ax"
	.globl _start
syscall_gadget:
	syscall
	int3
_start:
	int3
	jmp _start

	.section .bss.scratch, "aw", @nobits
	.balign 4096
scratch:
	.skip 4096

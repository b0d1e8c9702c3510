/* The built stubs, embedded in persona so no file has to be found at run
 * time: the ptrace platform's and the systrap platform's. */
	.section .rodata
	.globl stub_image, stub_image_end, systrap_stub_image, systrap_stub_image_end
	.balign 16
stub_image:
	.incbin STUB_BIN
stub_image_end:
	.balign 16
systrap_stub_image:
	.incbin SYSTRAP_STUB_BIN
systrap_stub_image_end:
	.section .note.GNU-stack, "", @progbits

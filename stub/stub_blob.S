/* The built stub, embedded in persona so no file has to be found at run
 * time. */
	.section .rodata
	.globl stub_image, stub_image_end
	.balign 16
stub_image:
	.incbin STUB_BIN
stub_image_end:
	.section .note.GNU-stack, "", @progbits

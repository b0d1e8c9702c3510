# persona: `make` builds build/persona; `make check` runs every test;
# `make run` starts a shell under persona; `make bench` measures;
# `make ltp` runs the Linux Test Project's system call tests.
CC      ?= gcc
CFLAGS  ?= -O2 -g
# Kept apart from CFLAGS so `make CFLAGS=...` (as `make san` does) keeps them.
KFLAGS  := -std=gnu11 -Wall -Wextra -Werror -Isrc/include -Isrc/arch/x86_64 \
           -Isrc/kernel -Isrc/fs -Isrc/mm -Isrc/platform -Isrc/tty -Isrc
BUILD   ?= build

SRCS := $(wildcard src/*.c src/*/*.c src/arch/x86_64/*.c)
OBJS := $(SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/persona

$(BUILD)/persona: $(OBJS) $(BUILD)/stub_blob.o
	$(CC) $(KFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The guest-side stub: a few bytes of code at a fixed high address.
$(BUILD)/stub.elf: stub/stub.S stub/stub.lds stub/stub_layout.h
	@mkdir -p $(BUILD)
	$(CC) -nostdlib -static -Wl,-T,stub/stub.lds -Wl,--build-id=none -Wl,-z,noexecstack \
		-Istub -o $@ stub/stub.S

# The systrap platform's stub: freestanding C, no libc, no SSE, no TLS.
$(BUILD)/systrap_stub.elf: stub/systrap_stub.c stub/systrap.lds stub/systrap_layout.h src/arch/x86_64/sigframe.h
	@mkdir -p $(BUILD)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -nostdlib -static -ffreestanding -fno-builtin \
		-fno-stack-protector -fpie -no-pie -mgeneral-regs-only -fcf-protection=none \
		-fno-asynchronous-unwind-tables -Isrc/arch/x86_64 -Wl,-T,stub/systrap.lds \
		-Wl,--build-id=none -Wl,-z,noexecstack -o $@ stub/systrap_stub.c

$(BUILD)/stub_blob.o: stub/stub_blob.S $(BUILD)/stub.elf $(BUILD)/systrap_stub.elf
	$(CC) -c -DSTUB_BIN='"$(BUILD)/stub.elf"' -DSYSTRAP_STUB_BIN='"$(BUILD)/systrap_stub.elf"' \
		-o $@ stub/stub_blob.S

# The kernel built with AddressSanitizer and UBSan (CI runs the tests on it).
san:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined"

# Random system calls with hostile arguments against the sanitizer build
# (tests/fuzz/): `make fuzz FUZZ_CALLS=20000` is a short run.
FUZZ_CALLS ?= 1000000
FUZZ_SEED  ?= 1
fuzz: san
	tests/fuzz/run.sh build-san/persona $(FUZZ_SEED) $(FUZZ_CALLS)

run: $(BUILD)/persona
	$(BUILD)/persona run -- /bin/sh

check: $(BUILD)/persona
	tests/run-tests.sh $(BUILD)/persona

bench: $(BUILD)/persona
	bench/run.sh $(BUILD)/persona

# The Linux Test Project's system call tests, natively and under persona
# (tests/ltp/run.sh builds LTP in build/ltp from shared/suites' tarball):
# all of runtest/syscalls, or `make ltp LTP_LIST=tests/ltp/ci-list`.
LTP_LIST ?=
ltp: $(BUILD)/persona
	tests/ltp/run.sh $(BUILD)/persona $(LTP_LIST)

clean:
	rm -rf build build-san

.PHONY: all san fuzz run check bench ltp clean
-include $(OBJS:.o=.d)

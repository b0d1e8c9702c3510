/* memfd flags and seals newer than the build machine's headers (Linux
 * 6.3); the values are the kernel ABI. */
#pragma once
#include <linux/memfd.h>
#include <fcntl.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

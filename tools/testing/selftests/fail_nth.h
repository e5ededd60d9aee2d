/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection sweeps for kselftest_harness tests, as iommufd_fail_nth
 * does them: the n-th fault injection point of the calling thread (a slab
 * or page allocation, or a subsystem's own point) fails, for n = 1, 2, ...
 * until the call no longer reaches the n-th.  Every failure must unwind with
 * a clean errno and leave nothing behind; then the call succeeds.
 *
 * Needs CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC, and debugfs mounted.
 */
#ifndef __SELFTEST_FAIL_NTH_H
#define __SELFTEST_FAIL_NTH_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "kselftest_harness.h"

/* Enough for any ioctl of a few allocations and a task */
#define FAIL_NTH_MAX	1000

/*
 * Let every allocation fail, quietly, and open this thread's fail-nth.
 * Returns the fd, or -1.
 */
static inline int fail_nth_open(void)
{
	static const char *const knobs[] = {
		"/sys/kernel/debug/failslab/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
	};
	static const char *const quiet[] = {
		"/sys/kernel/debug/failslab/verbose",
		"/sys/kernel/debug/fail_page_alloc/verbose",
		"/sys/kernel/debug/fail_iommufd/verbose",
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		fd = open(knobs[i], O_WRONLY);
		if (fd < 0 || write(fd, "N", 1) != 1)
			return -1;
		close(fd);
	}
	/* Not every kernel has each of these */
	for (i = 0; i < ARRAY_SIZE(quiet); i++) {
		fd = open(quiet[i], O_WRONLY);
		if (fd >= 0 && write(fd, "0", 1) != 1)
			return -1;
		if (fd >= 0)
			close(fd);
	}
	return open("/proc/thread-self/fail-nth", O_RDWR);
}

/* Arm the n-th point, or disarm with 0 */
static inline int fail_nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

/* Disarm; whether the armed point was reached (and failed) */
static inline bool fail_nth_fired(int fd)
{
	char buf[16] = {};

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	fail_nth_arm(fd, 0);
	return atoi(buf) == 0;
}

/*
 * Sweep @call (0, or -1 with errno) over every injection point it reaches;
 * nothing but @call may run between arming and disarming, so @call makes
 * one system call.  @undo undoes a success.  Returns the number of points.
 */
static inline unsigned int
__fail_nth_sweep(struct __test_metadata *_metadata, int (*call)(void *),
		 void (*undo)(void *), void *arg)
{
	unsigned int n;
	bool fired;
	int fd, rc;

	fd = fail_nth_open();
	EXPECT_LE(0, fd);
	if (fd < 0)
		return 0;
	for (n = 1; n < FAIL_NTH_MAX; n++) {
		if (fail_nth_arm(fd, n))
			break;
		rc = call(arg);
		fired = fail_nth_fired(fd);
		if (rc) {
			/*
			 * Only an injected failure, and a clean errno: ENOENT
			 * is iommufd's own point in its object lookup, which
			 * fails as if the object had just been destroyed.
			 */
			EXPECT_TRUE(fired);
			EXPECT_TRUE(errno == ENOMEM || errno == EAGAIN ||
				    errno == EFAULT || errno == EINTR ||
				    errno == ENOENT)
				TH_LOG("point %u: %s", n, strerror(errno));
			continue;
		}
		undo(arg);
		/* A failure the call recovered from, or the end of the sweep */
		if (!fired)
			break;
	}
	close(fd);
	EXPECT_GT(FAIL_NTH_MAX, n);
	return n - 1;
}

#define fail_nth_sweep(call, undo, arg) \
	__fail_nth_sweep(_metadata, call, undo, arg)

#endif /* __SELFTEST_FAIL_NTH_H */

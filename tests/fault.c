/* SPDX-License-Identifier: MIT */
/*
 * fault.c: a fault injector for the crash and disk-full tests, loaded
 * with LD_PRELOAD.  Writes, syncs and size changes of the files whose
 * path ends in $CRM_FAULT_FILE count; from the $CRM_FAULT_AFTER-th one
 * (1 if unset), each fails with ENOSPC when $CRM_FAULT is "enospc", or
 * the process is killed with SIGKILL when it is "kill".  Nothing
 * happens to other files, or when CRM_FAULT is unset.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long seen;

/* Whether this operation on fd fails (or kills). */
static int
fault(int fd)
{
	const char *mode = getenv("CRM_FAULT"), *file = getenv("CRM_FAULT_FILE");
	const char *after = getenv("CRM_FAULT_AFTER");
	char link[64], path[4096];
	ssize_t n;
	size_t fl;

	if (!mode || !file || !*file)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	fl = strlen(file);
	if ((size_t)n < fl || strcmp(path + n - fl, file))
		return 0;
	if (++seen < (after ? atol(after) : 1))
		return 0;
	if (!strcmp(mode, "kill"))
		raise(SIGKILL);
	errno = ENOSPC;
	return 1;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t
write(int fd, const void *p, size_t n)
{
	return fault(fd) ? -1 : NEXT(write)(fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	return fault(fd) ? -1 : NEXT(pwrite)(fd, p, n, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off_t off)
{
	return fault(fd) ? -1 : NEXT(pwrite64)(fd, p, n, off);
}

ssize_t
writev(int fd, const struct iovec *v, int n)
{
	return fault(fd) ? -1 : NEXT(writev)(fd, v, n);
}

int
fsync(int fd)
{
	return fault(fd) ? -1 : NEXT(fsync)(fd);
}

int
fdatasync(int fd)
{
	return fault(fd) ? -1 : NEXT(fdatasync)(fd);
}

int
ftruncate(int fd, off_t len)
{
	return fault(fd) ? -1 : NEXT(ftruncate)(fd, len);
}

int
ftruncate64(int fd, off_t len)
{
	return fault(fd) ? -1 : NEXT(ftruncate64)(fd, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
	return fault(fd) ? ENOSPC : NEXT(posix_fallocate)(fd, off, len);
}

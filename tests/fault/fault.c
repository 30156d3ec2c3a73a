/*
 * fault.c - an LD_PRELOAD shim that injects the I/O failures the
 * fault-injection tests (tests/scripts/fault_*.sh) need and that cannot
 * be arranged with files alone: the tests run as root, so chmod cannot
 * make a file unreadable, and a full disk cannot be had without mounting.
 *
 *   FAULT_EACCES=path[:path...]   open(), openat(), fopen() of one of these
 *                                 paths fail with EACCES; an entry with a
 *                                 '*' is a fnmatch() pattern whose '*' also
 *                                 matches '/' (out/x*, *.csv.tmp.*)
 *   FAULT_ENOSPC_AFTER=N          files created for writing (open() or
 *                                 openat() with O_CREAT, fopen() "w"/"a")
 *                                 accept N bytes in all, then every write
 *                                 fails with ENOSPC, as on a full device
 *
 * Paths are compared as given to the call (no resolution).  Standard
 * input, output and error are never touched.  glibc's stdio writes
 * through an internal write() that a preloaded library cannot replace,
 * so a FILE opened on a counted descriptor (fdopen(), fopen()) is
 * replaced by an fopencookie() stream over the same descriptor, whose
 * writes are counted; fileno() on it gives the descriptor back.
 *
 * Build: make $(BUILD)/fault.so.  Use:
 *   LD_PRELOAD=build/fault.so FAULT_ENOSPC_AFTER=100 build/pcbudget ...
 * (under ASan also ASAN_OPTIONS=verify_asan_link_order=0).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 4096
#define MAX_STREAMS 256

static bool counted[MAX_FD];		/* descriptors whose writes are counted */
static long long budget = -1;		/* bytes left; -1 = no limit */
static bool budget_read;

static struct {
	FILE *fp;
	int fd;
} streams[MAX_STREAMS];

/* The next definition of a libc function (dlsym returns an object pointer). */
static void *next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		fprintf(stderr, "fault.so: no '%s' to wrap\n", name);
		abort();
	}
	return p;
}

#define NEXT(type, name) \
	static type real; \
	if (!real) { \
		void *p_ = next(name); \
		memcpy(&real, &p_, sizeof(real)); \
	}

static bool limited(void)
{
	if (!budget_read) {
		const char *s = getenv("FAULT_ENOSPC_AFTER");

		budget_read = true;
		if (s && *s)
			budget = strtoll(s, NULL, 10);
	}
	return budget >= 0;
}

static bool denied(const char *path)
{
	const char *list = getenv("FAULT_EACCES");
	size_t n = path ? strlen(path) : 0;

	if (!list || !path)
		return false;
	while (*list) {
		const char *end = strchr(list, ':');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len > 0 && memchr(list, '*', len)) {
			char pat[PATH_MAX];

			if (len < sizeof(pat)) {
				memcpy(pat, list, len);
				pat[len] = '\0';
				if (fnmatch(pat, path, 0) == 0)
					return true;
			}
		} else if (len == n && memcmp(path, list, n) == 0) {
			return true;
		}
		if (!end)
			break;
		list = end + 1;
	}
	return false;
}

static void track(int fd, int flags)
{
	if (fd > 2 && fd < MAX_FD)
		counted[fd] = limited() && (flags & O_CREAT) && (flags & O_ACCMODE) != O_RDONLY;
}

/* write(2) on a counted descriptor, within the budget. */
static ssize_t counted_write(int fd, const void *buf, size_t n)
{
	typedef ssize_t (*write_fn)(int, const void *, size_t);
	NEXT(write_fn, "write");
	size_t m = n;
	ssize_t r;

	if (fd < 0 || fd >= MAX_FD || !counted[fd] || budget < 0)
		return real(fd, buf, n);
	if (budget == 0) {
		errno = ENOSPC;
		return -1;
	}
	if ((long long)m > budget)
		m = (size_t)budget;	/* a short write, as a filling disk gives */
	r = real(fd, buf, m);
	if (r > 0)
		budget -= r;
	return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return counted_write(fd, buf, n);
}

int close(int fd)
{
	typedef int (*close_fn)(int);
	NEXT(close_fn, "close");

	if (fd >= 0 && fd < MAX_FD)
		counted[fd] = false;
	return real(fd);
}

typedef int (*open_fn)(const char *, int, ...);

/* open() and open64(): refuse denied paths, count created files. */
static int shim_open(open_fn real, const char *path, int flags, va_list ap)
{
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	int fd;

	if (denied(path)) {
		errno = EACCES;
		return -1;
	}
	fd = real(path, flags, mode);
	track(fd, flags);
	return fd;
}

int open(const char *path, int flags, ...)
{
	NEXT(open_fn, "open");
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = shim_open(real, path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	NEXT(open_fn, "open64");
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = shim_open(real, path, flags, ap);
	va_end(ap);
	return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	typedef int (*openat_fn)(int, const char *, int, ...);
	NEXT(openat_fn, "openat");
	mode_t mode = 0;
	int fd;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (denied(path)) {
		errno = EACCES;
		return -1;
	}
	fd = real(dirfd, path, flags, mode);
	track(fd, flags);
	return fd;
}

/* ------------------------------------------------------------------ */
/* stdio on counted descriptors                                          */

/*
 * A cookie stream takes a short write as an error without errno, so the
 * bytes that fit are written and the call then fails with ENOSPC, as
 * the next write(2) on a full device would.
 */
static ssize_t ck_write(void *c, const char *buf, size_t n)
{
	ssize_t r = counted_write((int)(intptr_t)c, buf, n);

	if (r >= 0 && (size_t)r < n) {
		errno = ENOSPC;
		return -1;
	}
	return r;
}

static ssize_t ck_read(void *c, char *buf, size_t n)
{
	return read((int)(intptr_t)c, buf, n);
}

static int ck_seek(void *c, off64_t *pos, int whence)
{
	off64_t r = lseek64((int)(intptr_t)c, *pos, whence);

	if (r < 0)
		return -1;
	*pos = r;
	return 0;
}

static int ck_close(void *c)
{
	int fd = (int)(intptr_t)c;

	for (size_t i = 0; i < MAX_STREAMS; i++)
		if (streams[i].fp && streams[i].fd == fd)
			streams[i].fp = NULL;
	if (fd < MAX_FD)
		counted[fd] = false;
	return close(fd);
}

static FILE *cookie(int fd, const char *mode)
{
	static const cookie_io_functions_t io = { ck_read, ck_write, ck_seek, ck_close };
	FILE *fp = fopencookie((void *)(intptr_t)fd, mode, io);

	if (!fp)
		return NULL;
	for (size_t i = 0; i < MAX_STREAMS; i++) {
		if (!streams[i].fp) {
			streams[i].fp = fp;
			streams[i].fd = fd;
			break;
		}
	}
	return fp;
}

FILE *fdopen(int fd, const char *mode)
{
	typedef FILE *(*fdopen_fn)(int, const char *);
	NEXT(fdopen_fn, "fdopen");

	if (fd > 2 && fd < MAX_FD && counted[fd])
		return cookie(fd, mode);
	return real(fd, mode);
}

/* open(2) flags for an fopen() mode */
static int mode_flags(const char *mode)
{
	int plus = strchr(mode, '+') != NULL;

	switch (mode[0]) {
	case 'w':
		return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
	case 'a':
		return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
	default:
		return plus ? O_RDWR : O_RDONLY;
	}
}

static FILE *wrap_fopen(const char *name, const char *path, const char *mode)
{
	typedef FILE *(*fopen_fn)(const char *, const char *);
	int flags = mode_flags(mode), fd;
	FILE *fp;

	if (denied(path)) {
		errno = EACCES;
		return NULL;
	}
	if (!limited() || !(flags & O_CREAT) || strncmp(path, "/dev/", 5) == 0) {
		static fopen_fn real_fopen, real_fopen64;
		fopen_fn *real = strcmp(name, "fopen") == 0 ? &real_fopen : &real_fopen64;

		if (!*real) {
			void *p = next(name);

			memcpy(real, &p, sizeof(*real));
		}
		return (*real)(path, mode);
	}
	fd = open(path, flags | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	fp = cookie(fd, mode);
	if (!fp) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return fp;
}

FILE *fopen(const char *path, const char *mode)
{
	return wrap_fopen("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	return wrap_fopen("fopen64", path, mode);
}

int fileno(FILE *fp)
{
	typedef int (*fileno_fn)(FILE *);
	NEXT(fileno_fn, "fileno");

	for (size_t i = 0; i < MAX_STREAMS; i++)
		if (fp && streams[i].fp == fp)
			return streams[i].fd;
	return real(fp);
}

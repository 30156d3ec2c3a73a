/*
 * outfile.c - every output file of the pipeline is written through here.
 *
 * The last stage of a run (the report writers) opens an outfile per
 * file.  Bytes go to a temporary sibling "<path>.tmp.<pid>"; only when
 * outfile_close() has seen every write, fflush(), ferror(), fsync() and
 * fclose() succeed is the file renamed over its final name, so a reader
 * never sees half a file.  Errors are sticky: the first failure is kept
 * with its errno, later writes do nothing, and outfile_close() reports it
 * once.  A path that names an existing device or FIFO (/dev/full,
 * /dev/stdout) is written directly, since it cannot be replaced by a
 * rename.
 */
#define _GNU_SOURCE	/* sync_file_range() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "outfile.h"
#include "xalloc.h"

static void fail(struct outfile *of, int err)
{
	if (of->st != ST_OK)
		return;
	of->st = ST_IO;
	of->saved_errno = err ? err : EIO;
}

enum status outfile_open(struct outfile *of, const char *path)
{
	struct stat sb;
	int fd;

	memset(of, 0, sizeof(*of));
	of->path = xstrdup(path);
	if (!strcmp(path, "-")) {
		of->fp = stdout;
		return ST_OK;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* a device or FIFO: write to it in place */
		of->fp = fopen(path, "w");
		if (!of->fp)
			goto fail;
		return ST_OK;
	}
	of->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(of->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		int e = errno;

		close(fd);
		unlink(of->tmp);
		errno = e;
		goto fail;
	}
	return ST_OK;
fail:
	diag_error("cannot create '%s': %s", path, strerror(errno));
	of->st = ST_NOOUTPUT;
	of->saved_errno = errno;
	/* nothing is held: callers need not close an outfile that did not open */
	free(of->tmp);
	of->tmp = NULL;
	free(of->path);
	of->path = NULL;
	return ST_NOOUTPUT;
}

void outfile_write(struct outfile *of, const void *buf, size_t len)
{
	if (of->st != ST_OK || !of->fp || len == 0)
		return;
	of->synced = false;
	errno = 0;
	if (fwrite(buf, 1, len, of->fp) != len)
		fail(of, errno);
}

void outfile_puts(struct outfile *of, const char *s)
{
	outfile_write(of, s, strlen(s));
}

void outfile_printf(struct outfile *of, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (of->st != ST_OK || !of->fp)
		return;
	of->synced = false;
	errno = 0;
	va_start(ap, fmt);
	n = vfprintf(of->fp, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail(of, errno);
}

void outfile_start_sync(struct outfile *of)
{
	if (of->st != ST_OK || !of->fp || !of->tmp)
		return;
	errno = 0;
	if (fflush(of->fp) != 0) {
		fail(of, errno);
		return;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	/* only a hint: a failure here shows again at the fsync() */
	(void)sync_file_range(fileno(of->fp), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

void outfile_sync(struct outfile *of)
{
	outfile_start_sync(of);
	if (of->st != ST_OK || !of->fp || !of->tmp)
		return;
	if (fsync(fileno(of->fp)) != 0 && errno != EINVAL)
		fail(of, errno);
	else
		of->synced = true;
}

enum status outfile_flush(struct outfile *of)
{
	if (of->st == ST_OK && of->fp) {
		errno = 0;
		if (fflush(of->fp) != 0 || ferror(of->fp))
			fail(of, errno);
	}
	return of->st;
}

static bool is_formula_trigger(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	       c == '\r';
}

void outfile_csv_field(struct outfile *of, const char *s, bool neutralise)
{
	bool quote;
	const char *p, *run;

	if (!s)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		outfile_write(of, "\"", 1);
	if (neutralise && is_formula_trigger(s[0]))
		outfile_write(of, "'", 1);
	if (!quote) {
		outfile_puts(of, s);
		return;
	}
	for (p = run = s; *p; p++) {
		if (*p == '"') {
			outfile_write(of, run, (size_t)(p - run + 1));
			run = p;	/* the quote is written again: doubled */
		}
	}
	outfile_write(of, run, (size_t)(p - run));
	outfile_write(of, "\"", 1);
}

static void release(struct outfile *of)
{
	free(of->path);
	free(of->tmp);
	of->path = NULL;
	of->tmp = NULL;
	of->fp = NULL;
}

enum status outfile_close(struct outfile *of)
{
	enum status st;

	if (!of->fp) {
		st = of->st;
		release(of);
		return st;
	}
	if (of->st == ST_OK) {
		errno = 0;
		if (fflush(of->fp) != 0 || ferror(of->fp))
			fail(of, errno);
	}
	if (of->fp != stdout) {
		if (of->st == ST_OK && of->tmp && !of->synced &&
		    fsync(fileno(of->fp)) != 0 &&
		    errno != EINVAL)
			fail(of, errno);
		errno = 0;
		if (fclose(of->fp) != 0)
			fail(of, errno);
	}
	of->fp = NULL;
	if (of->st == ST_OK && of->tmp && rename(of->tmp, of->path) != 0)
		fail(of, errno);
	st = of->st;
	if (st != ST_OK) {
		diag_error("cannot write '%s': %s", of->path,
			   strerror(of->saved_errno));
		if (of->tmp)
			unlink(of->tmp);
	}
	release(of);
	return st;
}

void outfile_abort(struct outfile *of)
{
	if (of->fp && of->fp != stdout)
		fclose(of->fp);
	if (of->tmp)
		unlink(of->tmp);
	release(of);
}

enum status outfile_close_all(struct outfile *of, char *const *paths, size_t n)
{
	bool failed = false;

	for (size_t i = 0; i < n; i++)
		if (outfile_flush(&of[i]) != ST_OK)
			failed = true;
	if (failed) {
		for (size_t i = 0; i < n; i++) {
			if (of[i].st != ST_OK)
				outfile_close(&of[i]);	/* reports its errno, removes */
			else
				outfile_abort(&of[i]);
		}
		return ST_IO;
	}
	for (size_t i = 0; i < n; i++) {
		if (outfile_close(&of[i]) != ST_OK) {
			for (size_t j = 0; j < i; j++)
				remove(paths[j]);
			for (size_t j = i + 1; j < n; j++)
				outfile_abort(&of[j]);
			return ST_IO;
		}
	}
	return ST_OK;
}

/*
 * outfile.c - the last pipeline stage's only way to create a file:
 * write to a temporary sibling, publish by rename() once every write,
 * flush and close has succeeded.
 *
 * The status is sticky (SQLite's pRc): report writers call the write
 * helpers without checking each one, and outfile_close() is the single
 * place where failure is noticed and reported.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "outfile.h"
#include "xalloc.h"

#define OUTFILE_BUFSZ (256u * 1024u)

static bool is_stdout(const struct outfile *of)
{
	return of->tmp == NULL;
}

enum status outfile_open(struct outfile *of, const char *path)
{
	memset(of, 0, sizeof(*of));
	if (strcmp(path, "-") == 0) {
		of->fp = stdout;
		of->path = xstrdup(path);
		return ST_OK;
	}
	of->path = xstrdup(path);
	of->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	of->fp = fopen(of->tmp, "wb");
	if (!of->fp) {
		int e = errno;

		diag_error("cannot create '%s': %s", path, strerror(e));
		free(of->path);
		free(of->tmp);
		memset(of, 0, sizeof(*of));
		return ST_NOOUTPUT;
	}
	/* reports run to megabytes: write them in large blocks */
	setvbuf(of->fp, NULL, _IOFBF, OUTFILE_BUFSZ);
	return ST_OK;
}

static void fail(struct outfile *of)
{
	if (of->st == ST_OK) {
		of->st = ST_IO;
		of->saved_errno = errno ? errno : EIO;
	}
}

void outfile_write(struct outfile *of, const void *buf, size_t len)
{
	if (of->st != ST_OK || !len)
		return;
	if (fwrite(buf, 1, len, of->fp) != len)
		fail(of);
}

void outfile_puts(struct outfile *of, const char *s)
{
	outfile_write(of, s, strlen(s));
}

void outfile_printf(struct outfile *of, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (of->st != ST_OK)
		return;
	va_start(ap, fmt);
	n = vfprintf(of->fp, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail(of);
}

void outfile_csv_field(struct outfile *of, const char *s, bool neutralise)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (of->st != ST_OK)
		return;
	if (quote)
		outfile_write(of, "\"", 1);
	if (neutralise && (s[0] == '=' || s[0] == '+' || s[0] == '-' ||
			   s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
		outfile_write(of, "'", 1);
	if (!quote) {
		outfile_puts(of, s);
		return;
	}
	for (const char *p = s; *p; p++) {
		const char *q = strchr(p, '"');

		if (!q) {
			outfile_puts(of, p);
			break;
		}
		outfile_write(of, p, (size_t)(q - p) + 1);
		outfile_write(of, "\"", 1);
		p = q;
	}
	outfile_write(of, "\"", 1);
}

static void release(struct outfile *of)
{
	free(of->path);
	free(of->tmp);
	memset(of, 0, sizeof(*of));
}

enum status outfile_close(struct outfile *of)
{
	enum status st;

	if (!of->fp) {
		release(of);
		return ST_OK;
	}
	errno = 0;
	if (of->st == ST_OK && (fflush(of->fp) != 0 || ferror(of->fp)))
		fail(of);
	if (is_stdout(of)) {
		st = of->st;
		if (st != ST_OK)
			diag_error("cannot write to standard output: %s",
				   strerror(of->saved_errno));
		release(of);
		return st;
	}
	errno = 0;
	if (fclose(of->fp) != 0)
		fail(of);
	of->fp = NULL;
	errno = 0;
	if (of->st == ST_OK && rename(of->tmp, of->path) != 0)
		fail(of);
	st = of->st;
	if (st != ST_OK) {
		diag_error("cannot write '%s': %s", of->path,
			   strerror(of->saved_errno));
		remove(of->tmp);
	}
	release(of);
	return st;
}

void outfile_abort(struct outfile *of)
{
	if (of->fp && !is_stdout(of)) {
		fclose(of->fp);
		remove(of->tmp);
	}
	release(of);
}

/*
 * outfile.c - output files that appear whole or not at all.
 *
 * The last stage of every command that writes reports: text goes to a
 * temporary sibling of the target, and only a close that finds every
 * write, fflush(), ferror() and fclose() successful renames it into
 * place.  The first failure is kept (sticky) and reported once, at close.
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

static void fail(struct outfile *of, int err)
{
	if (of->st == ST_OK) {
		of->st = ST_IO;
		of->saved_errno = err ? err : EIO;
	}
}

enum status outfile_open(struct outfile *of, const char *path)
{
	memset(of, 0, sizeof(*of));
	of->path = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		of->fp = stdout;
		return ST_OK;
	}
	of->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	of->fp = fopen(of->tmp, "w");
	if (!of->fp) {
		int e = errno;

		diag_error("cannot create '%s': %s", path, strerror(e));
		free(of->tmp);
		free(of->path);
		memset(of, 0, sizeof(*of));
		return ST_NOOUTPUT;
	}
	return ST_OK;
}

void outfile_write(struct outfile *of, const void *buf, size_t len)
{
	if (of->st != ST_OK || !of->fp || !len)
		return;
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
	va_start(ap, fmt);
	n = vfprintf(of->fp, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail(of, errno);
}

void outfile_csv_field(struct outfile *of, const char *s, bool neutralise)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool guard = neutralise && (s[0] == '=' || s[0] == '+' || s[0] == '-' ||
				    s[0] == '@' || s[0] == '\t' || s[0] == '\r');

	if (!quote && !guard) {
		outfile_puts(of, s);
		return;
	}
	if (quote)
		outfile_write(of, "\"", 1);
	if (guard)
		outfile_write(of, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			outfile_write(of, "\"\"", 2);
		else
			outfile_write(of, p, 1);
	}
	if (quote)
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
	if (fflush(of->fp) != 0)
		fail(of, errno);
	if (ferror(of->fp))
		fail(of, errno);
	if (of->tmp) {
		if (fclose(of->fp) != 0)
			fail(of, errno);
		if (of->st == ST_OK && rename(of->tmp, of->path) != 0)
			fail(of, errno);
		if (of->st != ST_OK)
			remove(of->tmp);
	}
	of->fp = NULL;
	st = of->st;
	if (st != ST_OK)
		diag_error("cannot write '%s': %s", of->path, strerror(of->saved_errno));
	release(of);
	return st;
}

void outfile_abort(struct outfile *of)
{
	if (of->fp && of->tmp) {
		fclose(of->fp);
		remove(of->tmp);
	} else if (of->fp) {
		fflush(of->fp);
	}
	release(of);
}

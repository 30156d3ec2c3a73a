/*
 * diag.c - located diagnostics, error counting and the error cap.
 *
 * Every message about the user's data goes through diag_at(), so the
 * format, the cap and quiet mode are decided here and nowhere else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"

static FILE *diag_stream;
static bool quiet;
static unsigned long max_errors;
static unsigned long n_errors;
static bool cap_announced;
static long long (*clock_fn)(void);

static FILE *out(void)
{
	return diag_stream ? diag_stream : stderr;
}

void diag_set_stream(FILE *f)
{
	diag_stream = f;
}

void diag_set_quiet(bool q)
{
	quiet = q;
}

bool diag_is_quiet(void)
{
	return quiet;
}

void diag_set_max_errors(unsigned long max)
{
	max_errors = max;
}

unsigned long diag_error_count(void)
{
	return n_errors;
}

bool diag_limit_reached(void)
{
	return max_errors && n_errors > max_errors;
}

void diag_reset(void)
{
	n_errors = 0;
	cap_announced = false;
}

static const char *level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_NOTE:
		return "note";
	}
	return "error";
}

__attribute__((format(printf, 3, 0)))
static int vdiag(enum diag_level level, const struct srcloc *loc,
		 const char *fmt, va_list ap)
{
	FILE *f = out();

	if (level == DIAG_ERROR) {
		n_errors++;
		if (max_errors && n_errors > max_errors) {
			if (!cap_announced) {
				fprintf(f, "pcbudget: error: too many errors (%lu), stopping\n",
					max_errors);
				cap_announced = true;
			}
			return -1;
		}
	} else if (quiet) {
		return -1;
	}

	if (loc && loc->path) {
		if (loc->line && loc->col)
			fprintf(f, "%s:%lu:%lu: ", loc->path, loc->line, loc->col);
		else if (loc->line)
			fprintf(f, "%s:%lu: ", loc->path, loc->line);
		else
			fprintf(f, "%s: ", loc->path);
	} else {
		fputs("pcbudget: ", f);
	}
	fprintf(f, "%s: ", level_name(level));
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
	return -1;
}

int diag_at(enum diag_level level, const struct srcloc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(level, loc, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_ERROR, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_WARNING, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_NOTE, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_set_clock(long long (*now)(void))
{
	clock_fn = now;
}

void diag_info(const char *fmt, ...)
{
	FILE *f = out();
	va_list ap;

	if (quiet)
		return;
	if (isatty(fileno(f))) {
		fputs("pcbudget: ", f);
	} else {
		time_t t = clock_fn ? (time_t)clock_fn() : time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "%s pcbudget: info: ", stamp);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

char *diag_quote(char *o, size_t outsz, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t j = 0;

	if (!outsz)
		return o;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = (c < 0x20 || c == 0x7f) ? 4 : 1;

		/* keep room for "..." and the NUL */
		if (j + need + 4 > outsz) {
			if (outsz >= 4) {
				while (j + 4 > outsz)
					j--;
				o[j++] = '.';
				o[j++] = '.';
				o[j++] = '.';
			}
			break;
		}
		if (need == 4) {
			o[j++] = '\\';
			o[j++] = 'x';
			o[j++] = hex[c >> 4];
			o[j++] = hex[c & 15];
		} else {
			o[j++] = (char)c;
		}
	}
	o[j] = '\0';
	return o;
}

_Noreturn void diag_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

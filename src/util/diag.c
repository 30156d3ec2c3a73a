/*
 * diag.c - located diagnostics, error counting and the error cap.
 *
 * Every message about the user's data goes through diag_at(), so the
 * format, the cap and quiet mode are decided here and nowhere else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "xalloc.h"

static FILE *diag_stream;
static bool quiet;
static unsigned long max_errors;
static unsigned long n_errors;
static bool cap_announced;
static long long (*clock_fn)(void);

/* Messages held back by a worker thread (diag_defer_begin()). */
struct diag_deferred {
	struct {
		enum diag_level level;
		char *line;	/* the whole message, '\n' included */
	} *rec;
	size_t n, alloc;
	unsigned long n_errors;
};

static _Thread_local struct diag_deferred *deferred;

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
	return deferred ? deferred->n_errors : n_errors;
}

bool diag_limit_reached(void)
{
	return max_errors && diag_error_count() > max_errors;
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

/* Counts a message, applies the cap and quiet mode, and prints it. */
static void emit(enum diag_level level, const char *line)
{
	FILE *f = out();

	if (level == DIAG_ERROR) {
		n_errors++;
		if (max_errors && n_errors > max_errors) {
			if (!cap_announced) {
				fprintf(f, "pcbudget: error: too many errors (%lu), stopping\n",
					max_errors);
				fflush(f);
				cap_announced = true;
			}
			return;
		}
	} else if (quiet) {
		return;
	}
	fputs(line, f);
	fflush(f);
}

/* Writes the "path:line:col: level: " prefix into buf (size n). */
static int format_head(char *buf, size_t n, enum diag_level level,
		       const struct srcloc *loc)
{
	if (!loc || !loc->path)
		return snprintf(buf, n, "pcbudget: %s: ", level_name(level));
	if (loc->line && loc->col)
		return snprintf(buf, n, "%s:%lu:%lu: %s: ", loc->path, loc->line,
				loc->col, level_name(level));
	if (loc->line)
		return snprintf(buf, n, "%s:%lu: %s: ", loc->path, loc->line,
				level_name(level));
	return snprintf(buf, n, "%s: %s: ", loc->path, level_name(level));
}

/* The whole message as one malloc'd line ending in '\n'. */
__attribute__((format(printf, 3, 0)))
static char *format_line(enum diag_level level, const struct srcloc *loc,
			 const char *fmt, va_list ap)
{
	int n_head = format_head(NULL, 0, level, loc), n_msg;
	char *line;
	va_list ap2;

	va_copy(ap2, ap);
	n_msg = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n_head < 0 || n_msg < 0)
		BUG("cannot format a diagnostic '%s'", fmt);
	line = xmalloc((size_t)n_head + (size_t)n_msg + 2);
	format_head(line, (size_t)n_head + 1, level, loc);
	vsnprintf(line + n_head, (size_t)n_msg + 1, fmt, ap);
	line[n_head + n_msg] = '\n';
	line[n_head + n_msg + 1] = '\0';
	return line;
}

__attribute__((format(printf, 3, 0)))
static int vdiag(enum diag_level level, const struct srcloc *loc,
		 const char *fmt, va_list ap)
{
	struct diag_deferred *d = deferred;
	char *line;

	if (!d && quiet && level != DIAG_ERROR)
		return -1;	/* emit() would drop it: not even formatted */
	line = format_line(level, loc, fmt, ap);

	if (d) {
		ALLOC_GROW(d->rec, d->n + 1, d->alloc);
		d->rec[d->n].level = level;
		d->rec[d->n++].line = line;
		if (level == DIAG_ERROR)
			d->n_errors++;
		return -1;
	}
	emit(level, line);
	free(line);
	return -1;
}

void diag_defer_begin(void)
{
	if (deferred)
		BUG("diag_defer_begin() twice on one thread");
	deferred = xcalloc(1, sizeof(*deferred));
}

struct diag_deferred *diag_defer_end(void)
{
	struct diag_deferred *d = deferred;

	deferred = NULL;
	return d;
}

void diag_discard(struct diag_deferred *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->rec[i].line);
	free(d->rec);
	free(d);
}

void diag_replay(struct diag_deferred *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		emit(d->rec[i].level, d->rec[i].line);
		free(d->rec[i].line);
	}
	free(d->rec);
	free(d);
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

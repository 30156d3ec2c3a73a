/*
 * payments_io.c - the file side of the NHS payments import: loading
 * the column table, reading yearly files, the shared command options,
 * and writing the three reports (practice_history.csv, ccg_summary.csv,
 * manifest.txt) so that either all of them appear or none does.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "money.h"
#include "outfile.h"
#include "payments_io.h"
#include "sbuf.h"
#include "workers.h"
#include "xalloc.h"

#ifndef PCBUDGET_VERSION
#define PCBUDGET_VERSION "unknown"
#endif

enum status pay_colmap_load(struct pay_colmap *m, const char *path)
{
	struct csv_table t;
	enum status st;

	csv_table_init(&t);
	if (path)
		st = csv_read_file(&t, path, NULL);
	else
		st = csv_read_mem(&t, PAY_BUILTIN_COLUMNS_NAME,
				  (const char *)pay_builtin_columns,
				  pay_builtin_columns_len, NULL);
	if (st == ST_DATA)
		st = ST_CONFIG;
	if (st == ST_OK)
		st = pay_colmap_from_table(m, &t);
	csv_table_release(&t);
	return st;
}

/* The two words of each group: [0] = out_of_scope, [1] = the other category. */
static const struct {
	const char *words[2];
	enum pay_money cats[2];
} choices[PAY_N_GROUPS] = {
	[PAY_GROUP_VI] = { { "out", "in" }, { PAY_OUT_OF_SCOPE, PAY_ENHANCED_SERVICES } },
	[PAY_GROUP_LOCAL_ES] = { { "out", "enhanced" }, { PAY_OUT_OF_SCOPE, PAY_ENHANCED_SERVICES } },
	[PAY_GROUP_PCN_PARTICIPATION] = { { "out", "enhanced" }, { PAY_OUT_OF_SCOPE, PAY_ENHANCED_SERVICES } },
	[PAY_GROUP_OTHER_PAYMENTS] = { { "out", "core" }, { PAY_OUT_OF_SCOPE, PAY_CORE_CONTRACT } },
};

int pay_options_set(struct pay_options *o, enum pay_group g, const char *opt,
		    const char *word)
{
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(word, choices[g].words[i]) == 0) {
			o->group_cat[g] = choices[g].cats[i];
			return 0;
		}
	}
	return diag_error("option '%s': '%s' is not '%s' or '%s'", opt, word,
			  choices[g].words[0], choices[g].words[1]);
}

const char *pay_options_word(const struct pay_options *o, enum pay_group g)
{
	for (size_t i = 0; i < 2; i++)
		if (o->group_cat[g] == choices[g].cats[i])
			return choices[g].words[i];
	return "?";
}

const char pay_settings_help[] =
	"      --year=YYYY/YY         the year of FILE if its name does not say (one FILE)\n"
	"      --columns=FILE         column table to use instead of the built-in one\n"
	"      --vi=out|in            vaccination and immunisation: out of scope\n"
	"                             (default) or in enhanced_services; always in memo_vi\n"
	"      --local-es=enhanced|out  local enhanced services / incentive schemes:\n"
	"                             in enhanced_services (default) or out of scope;\n"
	"                             always in memo_local_es\n"
	"      --pcn-participation=out|enhanced  PCN Participation (default out)\n"
	"      --other-payments=out|core  Other Payments: out of scope (default) or\n"
	"                             core_contract (part of it is APMS contract value)\n"
	"      --threads=N            read files on N threads (default: one per CPU)\n";

void pay_settings_init(struct pay_settings *s)
{
	pay_options_init(&s->o);
	s->columns = NULL;
	s->start = 0;
}

int pay_settings_option(struct pay_settings *s, int c, const char *arg)
{
	static const char *const group_opts[PAY_N_GROUPS] = {
		[PAY_GROUP_VI] = "--vi",
		[PAY_GROUP_LOCAL_ES] = "--local-es",
		[PAY_GROUP_PCN_PARTICIPATION] = "--pcn-participation",
		[PAY_GROUP_OTHER_PAYMENTS] = "--other-payments",
	};
	unsigned long v;
	enum pay_group g;

	switch (c) {
	case PAY_OPT_YEAR:
		s->start = pay_parse_year(arg);
		if (s->start < 0)
			return diag_error("option '--year': '%s' is not a financial "
					  "year like 2016/17", arg);
		return 0;
	case PAY_OPT_COLUMNS:
		s->columns = arg;
		return 0;
	case PAY_OPT_THREADS:
		if (cli_parse_ulong("--threads", arg, 1, 64, &v))
			return -1;
		workers_set_threads((unsigned)v);
		return 0;
	case PAY_OPT_VI:
	case PAY_OPT_LOCAL_ES:
	case PAY_OPT_PCN_PARTICIPATION:
	case PAY_OPT_OTHER_PAYMENTS:
		g = (enum pay_group)(PAY_GROUP_VI + (c - PAY_OPT_VI));
		return pay_options_set(&s->o, g, group_opts[g], arg);
	default:
		BUG("pay_settings_option(%d)", c);
	}
}

void pay_tune_malloc(void)
{
#ifdef M_MMAP_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

/* A yearly file streamed into a pay_year, row by row (csv_sink). */
struct year_sink {
	struct pay_year *y;
	struct pay_layout l;
	const struct pay_colmap *m;
	const struct pay_options *o;
	int start;
	struct pay_loader *ld;	/* once the header is laid out */
};

static enum status year_header(void *ctx, const struct csv_table *t,
			       size_t max_rows)
{
	struct year_sink *ys = ctx;
	enum status st = pay_layout_build(&ys->l, t, ys->m, ys->o);

	if (st == ST_OK)
		ys->ld = pay_load_begin(ys->y, t, &ys->l, ys->start, max_rows);
	return st;
}

static int year_row(void *ctx, const struct csv_table *t,
		    const struct csv_cell *row)
{
	struct year_sink *ys = ctx;

	(void)t;
	return !pay_load_row(ys->ld, row);
}

static int year_plain(void *ctx, const struct csv_table *t, const char *line,
		      size_t len, unsigned long lineno)
{
	struct year_sink *ys = ctx;

	(void)t;
	return pay_load_plain(ys->ld, line, len, lineno);
}

enum status pay_read_year(struct pay_year *y, const char *path, int start,
			  const struct pay_colmap *m,
			  const struct pay_options *o)
{
	struct year_sink ys = { y, { 0 }, m, o, start, NULL };
	const struct csv_sink sink = { year_header, year_row, &ys, year_plain };
	struct csv_table t;
	enum status st;

	if (start <= 0) {
		ys.start = pay_year_from_name(path);
		if (ys.start < 0) {
			diag_error("cannot tell the financial year of '%s' from its "
				   "name; name it YY-YY.csv (e.g. 16-17.csv) or pass "
				   "--year=2016/17", path);
			return ST_USAGE;
		}
	}
	csv_table_init(&t);
	pay_layout_init(&ys.l);
	/* the rows go straight into y: the file is never held as a table */
	st = csv_stream_file(&t, path, NULL, &sink);
	if (ys.ld)
		st = pay_load_end(ys.ld, st);
	pay_layout_release(&ys.l);
	csv_table_release(&t);
	return st;
}

/*
 * done() is told, on the job's thread, when the read of file i is over;
 * all_done(), on the calling thread, when every read is, before the
 * messages are printed and the years sorted.
 */
struct read_hook {
	void (*done)(void *ctx, size_t i, enum status st);
	void (*all_done)(void *ctx);
	void *ctx;
	const size_t *order;	/* the job order, or NULL: largest first */
	struct spares *spares;	/* buffers to format into, or NULL */
};

/*
 * Buffers of formatted years that the writer has written, kept for the
 * years still to be formatted: their pages are mapped already, where a
 * fresh buffer's first touch of each page faults (1.9 us a page on the
 * development VM, and 0.4 us more to unmap it at exit).
 */
#define SPARES_MAX 4
struct spares {
	pthread_mutex_t mu;
	struct spare {
		char *buf;
		size_t alloc;
	} v[SPARES_MAX];
	size_t n;
};

/* A buffer of at least need bytes (*alloc set to its size). */
static char *spare_take(struct spares *s, size_t need, size_t *alloc)
{
	char *buf = NULL;

	if (s) {
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < s->n; i++) {
			if (s->v[i].alloc >= need) {
				buf = s->v[i].buf;
				*alloc = s->v[i].alloc;
				s->v[i] = s->v[--s->n];
				break;
			}
		}
		pthread_mutex_unlock(&s->mu);
	}
	if (!buf) {
		buf = xmalloc(need);
		*alloc = need;
	}
	return buf;
}

/* Keeps buf (alloc bytes) for spare_take(), or frees it. */
static void spare_give(struct spares *s, char *buf, size_t alloc)
{
	if (s) {
		pthread_mutex_lock(&s->mu);
		if (s->n < SPARES_MAX) {
			s->v[s->n].buf = buf;
			s->v[s->n++].alloc = alloc;
			buf = NULL;
		}
		pthread_mutex_unlock(&s->mu);
	}
	free(buf);
}

struct read_jobs {
	struct pay_year *years;
	char *const *paths;
	int start;
	const struct pay_colmap *m;
	const struct pay_options *o;
	struct diag_deferred **held;
	enum status *st;
	const size_t *order;
	const struct read_hook *hook;
};

/*
 * Job order that starts the biggest jobs first, so that the last job to
 * finish is a small one (fewer idle threads at the end).  Returns a
 * permutation of 0..n-1 (free() it); ties keep index order.
 */
static size_t *largest_first(const int64_t *size, size_t n)
{
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		for (; j > 0 && size[order[j - 1]] < size[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	return order;
}

static void keep_history_csv(struct pay_year *y, struct spares *spares);

static void read_job(void *ctx, size_t k)
{
	struct read_jobs *j = ctx;
	size_t i = j->order[k];

	diag_defer_begin();
	j->st[i] = pay_read_year(&j->years[i], j->paths[i], j->start, j->m, j->o);
	j->held[i] = diag_defer_end();
	/* while the year is still in this core's cache */
	if (j->st[i] == ST_OK && j->o->format_history)
		keep_history_csv(&j->years[i], j->hook ? j->hook->spares : NULL);
	if (j->hook)
		j->hook->done(j->hook->ctx, i, j->st[i]);
}

static enum status read_years(struct pay_year *years, char *const *paths,
			      size_t n, int start_override,
			      const struct pay_colmap *m,
			      const struct pay_options *o,
			      const struct read_hook *hook)
{
	enum status st = ST_OK;

	if (start_override > 0 && n != 1) {
		diag_error("--year applies to one file, but %zu were given", n);
		return ST_USAGE;
	}
	{
		/*
		 * The files are independent: read them on all cores, holding
		 * each one's messages back, then print those in file order,
		 * as a sequential run would have.
		 */
		struct read_jobs j = {
			years, paths, start_override, m, o,
			xcalloc(n, sizeof(*j.held)), xcalloc(n, sizeof(*j.st)),
			hook ? hook->order : NULL, hook,
		};
		size_t *order = NULL;

		if (!j.order) {
			int64_t *size = xcalloc(n, sizeof(*size));
			struct stat sb;

			for (size_t i = 0; i < n; i++)
				size[i] = stat(paths[i], &sb) == 0 ? (int64_t)sb.st_size : 0;
			j.order = order = largest_first(size, n);
			free(size);
		}
		workers_run(n, read_job, &j);
		free(order);
		if (hook)
			hook->all_done(hook->ctx);
		for (size_t i = 0; i < n; i++) {
			diag_replay(j.held[i]);
			st = status_worst(st, j.st[i]);
		}
		free(j.held);
		free(j.st);
	}
	if (st == ST_OK) {
		/* insertion sort by year: at most a few dozen files */
		for (size_t i = 1; i < n; i++) {
			struct pay_year cur = years[i];
			size_t j = i;

			for (; j > 0 && years[j - 1].start > cur.start; j--)
				years[j] = years[j - 1];
			years[j] = cur;
		}
		for (size_t i = 1; i < n; i++) {
			if (years[i].start == years[i - 1].start) {
				diag_error("'%s' and '%s' are both for %s",
					   years[i - 1].path, years[i].path,
					   years[i].label);
				st = ST_USAGE;
			}
		}
	}
	if (st != ST_OK)
		for (size_t i = 0; i < n; i++)
			pay_year_release(&years[i]);
	return st;
}

enum status pay_read_years(struct pay_year *years, char *const *paths,
			   size_t n, int start_override,
			   const struct pay_colmap *m,
			   const struct pay_options *o)
{
	return read_years(years, paths, n, start_override, m, o, NULL);
}

/* "£37" or "-£3": whole pounds (the differences of a whole-pound file). */
static char *whole_pounds(int64_t pence, char buf[MONEY_BUFSZ])
{
	size_t n = strlen(money_format_gbp(pence, buf));

	if (n > 3 && strcmp(buf + n - 3, ".00") == 0)
		buf[n - 3] = '\0';
	return buf;
}

void pay_report_rounding(const struct pay_year *y, bool per_ccg)
{
	struct srcloc loc = { y->path, 0, 0 };
	size_t practices = 0;
	int64_t diff = 0;
	char buf[MONEY_BUFSZ];

	for (size_t i = 0; i < y->n_rounding; i++) {
		const struct pay_rounding *r = &y->rounding[i];

		if (per_ccg && !diag_is_quiet())	/* notes are not shown */
			diag_at(DIAG_NOTE, &loc,
				"CCG %s: components differ from published totals by "
				"%s over %zu practice%s (whole-pound rounding in the "
				"source)", y->pool + r->ccg, whole_pounds(r->diff, buf),
				r->practices, r->practices == 1 ? "" : "s");
		practices += r->practices;
		diff += r->diff;
	}
	if (y->n_rounding)
		diag_at(DIAG_NOTE, &loc,
			"%s: components differ from published totals by %s over "
			"%zu of %zu practices in %zu CCG%s (whole-pound rounding in "
			"the source; totals are kept as published)",
			y->label, whole_pounds(diff, buf), practices, y->n,
			y->n_rounding, y->n_rounding == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ */
/* Writing                                                               */

/*
 * pay_mkdirs(), noting in made (if not NULL) each directory it creates,
 * parents first.
 */
static enum status mkdirs_noted(const char *dir, struct strlist *made)
{
	char *p = xstrdup(dir);
	enum status st = ST_OK;

	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) == 0) {
			if (made)
				strlist_keep(made, xstrdup(p));
		} else if (errno != EEXIST) {
			diag_error("cannot create directory '%s': %s", p, strerror(errno));
			st = ST_NOOUTPUT;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return st;
}

enum status pay_mkdirs(const char *dir)
{
	return mkdirs_noted(dir, NULL);
}

/* Takes away the directories of made, deepest first (if still empty). */
static void rmdirs_noted(struct strlist *made)
{
	for (size_t i = made->n; i-- > 0;)
		(void)rmdir(made->v[i]);
}

/*
 * One output row, built in memory and written with one call: the
 * reports have a million cells, too many for a stdio call each.
 */
struct row {
	char *buf;
	size_t len, alloc;
};

static char *row_reserve(struct row *r, size_t n)
{
	if (r->len + n > r->alloc) {
		size_t a = r->alloc ? r->alloc : 1024;

		while (a < r->len + n)
			a *= 2;
		r->buf = xrealloc(r->buf, a);
		r->alloc = a;
	}
	return r->buf + r->len;
}

static void row_raw(struct row *r, const char *s, size_t n)
{
	memcpy(row_reserve(r, n), s, n);
	r->len += n;
}

/* Bytes that make a CSV field need quotes. */
static const unsigned char needs_quotes[256] = {
	[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1,
};

/*
 * ",text" as a CSV field: quoted (quotes doubled) if it holds a comma,
 * quote or line end; text that a spreadsheet would run as a formula
 * gets a leading apostrophe, as outfile_csv_field() does.  Names are
 * short, so a byte loop beats more library calls.
 */
static void row_text(struct row *r, const char *s)
{
	bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' ||
		       s[0] == '@' || s[0] == '\t' || s[0] == '\r';
	char *p = row_reserve(r, 2 * strlen(s) + 4), *start;
	size_t i;

	*p++ = ',';
	if (formula)
		*p++ = '\'';
	start = p;
	for (i = 0; s[i]; i++) {
		if (needs_quotes[(unsigned char)s[i]])
			break;
		*p++ = s[i];
	}
	if (!s[i]) {
		r->len = (size_t)(p - r->buf);	/* the usual case */
		return;
	}
	p = start - formula;
	*p++ = '"';
	if (formula)
		*p++ = '\'';
	for (i = 0; s[i]; i++) {
		*p++ = s[i];
		if (s[i] == '"')
			*p++ = '"';
	}
	*p++ = '"';
	r->len = (size_t)(p - r->buf);
}

/* ",word" for a word of our own (a contract type, yes or no). */
static void row_word(struct row *r, const char *word)
{
	size_t n = strlen(word);
	char *p = row_reserve(r, n + 1);

	*p = ',';
	memcpy(p + 1, word, n);
	r->len += n + 1;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * row_text() for a string of a year's pool, which has PAY_POOL_SLACK
 * readable bytes after its end: copied 16 bytes at a time while no byte
 * needs quoting (the usual case), else handed to row_text().
 */
__attribute__((always_inline))
static inline void row_pool_text(struct row *r, const char *s)
{
	const __m128i zero = _mm_setzero_si128(), comma = _mm_set1_epi8(',');
	const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	const __m128i lf = _mm_set1_epi8('\n');
	size_t base = r->len, k = 0;
	char *p;

	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r') {
		row_text(r, s);
		return;
	}
	for (;;) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
		unsigned end = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
		unsigned bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
			_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf))));

		if (end)
			bad &= (1u << __builtin_ctz(end)) - 1;
		if (bad) {
			r->len = base;	/* quotes needed: the careful way */
			row_text(r, s);
			return;
		}
		p = row_reserve(r, k + 17);
		if (k == 0)
			*p = ',';
		_mm_storeu_si128((__m128i *)(void *)(p + 1 + k), v);
		if (end) {
			r->len += 1 + k + (size_t)__builtin_ctz(end);
			return;
		}
		k += 16;
	}
}
#else
__attribute__((always_inline))
static inline void row_pool_text(struct row *r, const char *s)
{
	row_text(r, s);
}
#endif

static void put_money_header(struct outfile *of)
{
	for (size_t k = 0; k < PAY_N_MONEY; k++) {
		outfile_write(of, ",", 1);
		outfile_puts(of, pay_money_names[k]);
	}
	outfile_write(of, "\n", 1);
}

static void put_history_header(struct outfile *of)
{
	outfile_puts(of, "year,region_code,ccg_code,ccg_name,pcn_code,pcn_name,"
		     "practice_code,practice_name,contract_type,dispensing,"
		     "registered_patients,weighted_patients");
	put_money_header(of);
}

/* All of one year's practice rows, into r. */
static void format_history(struct row *r, const struct pay_year *y)
{
	for (size_t j = 0; j < y->n; j++) {
		const struct pay_practice *p = &y->p[j];

		row_raw(r, y->label, sizeof("2016/17") - 1);
		for (size_t f = 0; f < PAY_N_TEXT; f++)
			row_pool_text(r, pay_text(y, p, (enum pay_text)f));
		/* fixed words: no quotes or formula guard needed */
		row_word(r, pay_contract_name((enum pay_contract)p->contract));
		row_word(r, pay_dispensing_name((enum pay_dispensing)p->dispensing));
		{
			/* the numbers: room for all of them at once */
			char *b = row_reserve(r, (2 + PAY_N_MONEY) * (MONEY_BUFSZ + 1) + 1);
			char *q = b;

			*q++ = ',';
			q += fixed9_put_padded(q, p->registered);
			*q++ = ',';
			q += fixed9_put_padded(q, p->weighted);
			for (size_t k = 0; k < PAY_N_MONEY; k++) {
				*q++ = ',';
				if (!y->has[k])
					continue;
				if (p->m[k] == 0) {
					memcpy(q, "0.00", 4);	/* a third of all amounts */
					q += 4;
				} else {
					q += money_put_padded(q, p->m[k]);
				}
			}
			*q++ = '\n';
			r->len += (size_t)(q - b);
		}
	}
}

/*
 * Formats y's rows into y->history_csv and frees the practice records
 * (pay_options.format_history).
 */
static void keep_history_csv(struct pay_year *y, struct spares *spares)
{
	/*
	 * Room for rows of 288 bytes, more than any published year's
	 * longest (317) needs on average (242): the buffer is not copied
	 * as it grows, and the pages it does not use are never touched.
	 */
	struct row r = { NULL, 0, 0 };

	r.buf = spare_take(spares, y->n * 288 + 1024, &r.alloc);
	format_history(&r, y);
	y->history_csv = r.buf;
	y->history_csv_len = r.len;
	y->history_csv_alloc = r.alloc;
	pay_year_drop_practices(y);
}

/* practice_history.csv: the rows each year was given as it was read. */
static void write_history(struct outfile *of, const struct pay_year *years,
			  size_t n)
{
	put_history_header(of);
	for (size_t i = 0; i < n; i++) {
		if (!years[i].history_csv && years[i].n)
			BUG("write_history: %s was not formatted", years[i].label);
		outfile_write(of, years[i].history_csv, years[i].history_csv_len);
	}
}

/* ccg_summary.csv, built in memory and written at once. */
static void write_summary(struct outfile *of, const struct pay_year *years,
			  size_t n)
{
	struct row r = { NULL, 0, 0 };

	outfile_puts(of, "year,ccg_code,ccg_name,practices,registered_patients,"
		     "weighted_patients");
	put_money_header(of);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < years[i].n_ccgs; j++) {
			const struct pay_ccg *c = &years[i].ccgs[j];
			char *b, *q;

			row_raw(&r, years[i].label, strlen(years[i].label));
			/* the code and name are strings of the year's pool */
			row_pool_text(&r, c->code);
			row_pool_text(&r, c->name);
			/* the numbers: room for all of them at once */
			b = q = row_reserve(&r, (3 + PAY_N_MONEY) * (MONEY_BUFSZ + 1) + 1);
			*q++ = ',';
			q += fixed_format_n((int64_t)c->practices, 0, q);
			*q++ = ',';
			q += fixed9_put_padded(q, c->registered);
			*q++ = ',';
			q += fixed9_put_padded(q, c->weighted);
			for (size_t k = 0; k < PAY_N_MONEY; k++) {
				*q++ = ',';
				if (years[i].has[k])
					q += money_put_padded(q, c->m[k]);
			}
			*q++ = '\n';
			r.len += (size_t)(q - b);
		}
	}
	outfile_write(of, r.buf, r.len);
	free(r.buf);
}

static void write_manifest(struct outfile *of, const struct pay_year *years,
			   size_t n, const struct pay_colmap *m,
			   const struct pay_options *o, int argc, char **argv)
{
	char buf[MONEY_BUFSZ];

	outfile_puts(of, "; written by pcbudget import-payments\n[run]\n");
	outfile_puts(of, "version = " PCBUDGET_VERSION "\ncommand =");
	for (int i = 0; i < argc; i++)
		outfile_printf(of, " %s", argv[i]);
	outfile_printf(of, "\ncolumns = %s\n", m->source);
	for (size_t g = PAY_GROUP_VI; g < PAY_N_GROUPS; g++)
		outfile_printf(of, "%s = %s (%s)\n", pay_group_name((enum pay_group)g),
			       pay_options_word(o, (enum pay_group)g),
			       pay_money_names[o->group_cat[g]]);
	for (size_t i = 0; i < n; i++) {
		const struct pay_year *y = &years[i];
		int64_t diff = 0;
		size_t practices = 0;

		outfile_printf(of, "\n[%s]\nfile = %s\npractices = %zu\nccgs = %zu\n",
			       y->label, y->path, y->n, y->n_ccgs);
		for (size_t k = 0; k < PAY_N_MONEY; k++)
			if (y->has[k])
				outfile_printf(of, "%s = %s\n", pay_money_names[k],
					       money_format(y->national.m[k], buf));
		outfile_printf(of, "whole_pounds = %s\n", y->whole_pounds ? "yes" : "no");
		for (size_t r = 0; r < y->n_rounding; r++) {
			diff += y->rounding[r].diff;
			practices += y->rounding[r].practices;
		}
		outfile_printf(of, "rounding_difference = %s\nrounding_practices = %zu\n",
			       money_format(diff, buf), practices);
	}
}

static void sync_job(void *ctx, size_t i)
{
	outfile_sync((struct outfile *)ctx + i);
}

static const char *const out_names[] = {
	"practice_history.csv", "ccg_summary.csv", "manifest.txt",
};
enum { N_OUT = 3 };

/*
 * Writes practice_history.csv (from the years' history_csv), then
 * ccg_summary.csv and manifest.txt into dir (created if missing), all
 * to temporary files renamed into place only when all three are
 * complete; on error none is left behind.  With history already open
 * and holding every year's rows (the writer thread of pay_import()),
 * only the other two are written, and all three published; the
 * directory exists then.  Returns ST_OK, ST_NOOUTPUT or ST_IO.
 */
static enum status write_outputs(const char *dir, const struct pay_year *years,
				 size_t n, const struct pay_colmap *m,
				 const struct pay_options *o, int argc,
				 char **argv, struct outfile *history)
{
	struct outfile of[N_OUT];
	char *paths[N_OUT] = { NULL, NULL, NULL };
	size_t opened = 0;
	enum status st = ST_OK;

	if (!history)
		st = pay_mkdirs(dir);
	if (st != ST_OK)
		return st;
	if (history) {
		of[0] = *history;
		paths[0] = xasprintf("%s/%s", dir, out_names[0]);
		opened = 1;
	}
	for (; opened < N_OUT; opened++) {
		paths[opened] = xasprintf("%s/%s", dir, out_names[opened]);
		st = outfile_open(&of[opened], paths[opened]);
		if (st != ST_OK)
			break;
	}
	if (st != ST_OK) {
		for (size_t i = 0; i < opened; i++)
			outfile_abort(&of[i]);
		goto out;
	}
	/* each file starts to go to disk as soon as it is complete */
	if (!history) {
		write_history(&of[0], years, n);
		outfile_start_sync(&of[0]);
	}
	write_summary(&of[1], years, n);
	outfile_start_sync(&of[1]);
	write_manifest(&of[2], years, n, m, o, argc, argv);
	outfile_start_sync(&of[2]);
	/* wait for the disk on all three at once (one journal commit) */
	workers_run(N_OUT, sync_job, of);

	/* publish all or nothing: flush everything before renaming anything */
	st = outfile_close_all(of, paths, N_OUT);
out:
	for (size_t i = 0; i < N_OUT; i++)
		free(paths[i]);
	return st;
}

/* ------------------------------------------------------------------ */
/* Import: practice_history.csv written while later files are read      */

/*
 * The writer thread takes the years in year order, each as soon as its
 * read job is done, and appends its formatted rows to the history file
 * (opening it, and creating the folder, at the first year).  It stops
 * at the first year that failed: the import will fail and its output
 * will be taken away.  Its messages are held for the main thread.
 */
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool *done;			/* per path: its read job has finished */
	enum status *st;		/* per path, once done */
	struct pay_year *years;		/* per path (read_years sorts later) */
	const size_t *order;		/* paths in year order */
	size_t n;
	const char *dir;
	struct outfile history;
	bool opened;
	struct strlist made;		/* directories the writer created */
	struct diag_deferred *held;
	enum status wst;
	size_t written;			/* years appended */
	pthread_t thread;
	struct spares spares;		/* written years' buffers, for the next */
};

static void pipe_done(void *ctx, size_t i, enum status st)
{
	struct pipe *pp = ctx;

	pthread_mutex_lock(&pp->mu);
	pp->st[i] = st;
	pp->done[i] = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

static void pipe_join(void *ctx)
{
	pthread_join(((struct pipe *)ctx)->thread, NULL);
}

static void *pipe_writer(void *arg)
{
	struct pipe *pp = arg;

	diag_defer_begin();
	for (size_t k = 0; k < pp->n; k++) {
		size_t i = pp->order[k];
		struct pay_year *y = &pp->years[i];

		pthread_mutex_lock(&pp->mu);
		while (!pp->done[i])
			pthread_cond_wait(&pp->cv, &pp->mu);
		pthread_mutex_unlock(&pp->mu);
		if (pp->st[i] != ST_OK)
			break;
		if (!pp->opened) {
			char *path = xasprintf("%s/%s", pp->dir, out_names[0]);

			pp->wst = mkdirs_noted(pp->dir, &pp->made);
			if (pp->wst == ST_OK)
				pp->wst = outfile_open(&pp->history, path);
			free(path);
			if (pp->wst != ST_OK)
				break;
			pp->opened = true;
			put_history_header(&pp->history);
		}
		outfile_write(&pp->history, y->history_csv, y->history_csv_len);
		/* to disk while the rest is read; its memory to the next file */
		outfile_start_sync(&pp->history);
		spare_give(&pp->spares, y->history_csv, y->history_csv_alloc);
		y->history_csv = NULL;
		y->history_csv_len = 0;
		pp->written++;
	}
	pp->held = diag_defer_end();
	return NULL;
}

/*
 * The years' start years, from --year or the file names, and the paths
 * in year order; false if a name gives none or two files give the same
 * year (the read reports both).
 */
static bool year_order(char *const *paths, size_t n, int start_override,
		       size_t *order)
{
	int *start = xcalloc(n ? n : 1, sizeof(*start));
	bool ok = true;

	for (size_t i = 0; i < n && ok; i++) {
		start[i] = start_override > 0 ? start_override
					      : pay_year_from_name(paths[i]);
		ok = start[i] >= 0;
	}
	for (size_t i = 0; i < n && ok; i++) {
		size_t j = i;

		for (; j > 0 && start[order[j - 1]] > start[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
		ok = j == 0 || start[order[j - 1]] != start[i];
	}
	free(start);
	return ok;
}

enum status pay_import(const char *dir, struct pay_year *years,
		       char *const *paths, size_t n, int start_override,
		       const struct pay_colmap *m, struct pay_options *o,
		       int argc, char **argv)
{
	struct pipe pp;
	struct read_hook hook = { pipe_done, pipe_join, &pp, NULL, &pp.spares };
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	bool writing;
	enum status st;

	memset(&pp, 0, sizeof(pp));
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.cv, NULL);
	pthread_mutex_init(&pp.spares.mu, NULL);
	pp.done = xcalloc(n ? n : 1, sizeof(*pp.done));
	pp.st = xcalloc(n ? n : 1, sizeof(*pp.st));
	pp.years = years;
	pp.order = order;
	pp.n = n;
	pp.dir = dir;
	pp.wst = ST_OK;
	o->format_history = true;
	/*
	 * Without a year for every file, or with two for one year, the read
	 * fails (and says why): then there is nothing to write early.  Jobs
	 * go in year order, so that the writer is seldom kept waiting.
	 */
	hook.order = order;
	writing = n > 0 && (start_override <= 0 || n == 1) &&
		  year_order(paths, n, start_override, order) &&
		  pthread_create(&pp.thread, NULL, pipe_writer, &pp) == 0;
	st = read_years(years, paths, n, start_override, m, o,
			writing ? &hook : NULL);
	if (st == ST_OK)
		for (size_t i = 0; i < n; i++)
			pay_report_rounding(&years[i], true);
	if (writing && st == ST_OK) {
		diag_replay(pp.held);	/* cannot create the folder or file */
		pp.held = NULL;
		if (pp.wst != ST_OK)
			st = pp.wst;
		else if (pp.written != n)
			BUG("import: %zu of %zu years written", pp.written, n);
	}
	if (st == ST_OK) {
		st = write_outputs(dir, years, n, m, o, argc, argv,
				   writing ? &pp.history : NULL);
		pp.opened = false;	/* published, or taken away */
	}
	if (pp.opened)
		outfile_abort(&pp.history);
	if (st != ST_OK)
		rmdirs_noted(&pp.made);
	diag_discard(pp.held);	/* the read failed: its output is moot */
	strlist_release(&pp.made);
	pthread_mutex_destroy(&pp.mu);
	pthread_cond_destroy(&pp.cv);
	for (size_t i = 0; i < pp.spares.n; i++)
		free(pp.spares.v[i].buf);
	pthread_mutex_destroy(&pp.spares.mu);
	free(pp.done);
	free(pp.st);
	free(order);
	return st;
}

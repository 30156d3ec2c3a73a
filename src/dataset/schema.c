/*
 * schema.c - CSV tables read against a column schema; typed, located
 * cell readers.
 *
 * Sits between csvread (bytes -> located cells) and the dataset loader
 * (cells -> typed records and cross-table checks).  Nothing here knows
 * what a practice is: it only knows column names, types and where each
 * cell came from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "schema.h"
#include "xalloc.h"

#define QUOTE_MAX 64

void schema_table_init(struct schema_table *t)
{
	memset(t, 0, sizeof(*t));
	csv_table_init(&t->csv);
}

void schema_table_release(struct schema_table *t)
{
	csv_table_release(&t->csv);
	free(t->col);
	schema_table_init(t);
}

static enum status match_header(struct schema_table *t)
{
	const struct table_spec *spec = t->spec;
	enum status st = ST_OK;
	bool *used = xcalloc(t->csv.n_cols ? t->csv.n_cols : 1, sizeof(*used));

	t->col = xreallocarray(NULL, spec->n_cols ? spec->n_cols : 1, sizeof(*t->col));
	for (size_t c = 0; c < spec->n_cols; c++) {
		char *norm = csv_normalise_name(spec->cols[c].name, strlen(spec->cols[c].name));

		t->col[c] = csv_find_col(&t->csv, norm);
		free(norm);
		if (t->col[c] >= 0) {
			used[t->col[c]] = true;
		} else if (spec->cols[c].required) {
			struct srcloc loc = { t->csv.path, 1, 0 };

			diag_at(DIAG_ERROR, &loc, "missing column '%s'", spec->cols[c].name);
			st = ST_DATA;
		}
	}
	if (!spec->allow_extra) {
		for (size_t k = 0; k < t->csv.n_cols; k++) {
			const struct csv_cell *h = csv_header(&t->csv, k);
			struct srcloc loc;
			char q[QUOTE_MAX];

			if (used[k])
				continue;
			csv_loc(&t->csv, h, &loc);
			diag_at(DIAG_ERROR, &loc, "unknown column '%s'",
				diag_quote(q, sizeof(q), csv_text(&t->csv, h), h->len));
			st = ST_DATA;
		}
	}
	free(used);
	t->loaded = st == ST_OK;
	return st;
}

static enum status finish_load(struct schema_table *t, const struct table_spec *spec,
			       enum status st)
{
	t->spec = spec;
	if (st != ST_OK)
		return st;
	return match_header(t);
}

enum status schema_load(struct schema_table *t, const char *dir,
			const struct table_spec *spec)
{
	struct csv_opts opts = { 0, spec->allow_empty };
	size_t n = strlen(dir);
	char *path = xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
			       spec->file);
	enum status st = csv_read_file(&t->csv, path, &opts);

	free(path);
	return finish_load(t, spec, st);
}

enum status schema_load_mem(struct schema_table *t, const char *path,
			    const char *text, const struct table_spec *spec)
{
	struct csv_opts opts = { 0, spec->allow_empty };

	return finish_load(t, spec, csv_read_mem(&t->csv, path, text, strlen(text), &opts));
}

size_t schema_rows(const struct schema_table *t)
{
	return t->loaded ? t->csv.n_rows : 0;
}

bool schema_has_col(const struct schema_table *t, size_t c)
{
	return t->loaded && t->col[c] >= 0;
}

unsigned long schema_line(const struct schema_table *t, size_t r)
{
	return csv_at(&t->csv, r, 0)->line;
}

void schema_loc(const struct schema_table *t, size_t r, size_t c, struct srcloc *loc)
{
	const struct csv_cell *cell = csv_at(&t->csv, r, t->col[c] >= 0 ? (size_t)t->col[c] : 0);

	csv_loc(&t->csv, cell, loc);
}

const char *schema_raw(const struct schema_table *t, size_t r, size_t c)
{
	if (t->col[c] < 0)
		return "";
	return csv_text(&t->csv, csv_at(&t->csv, r, (size_t)t->col[c]));
}

int schema_error(const struct schema_table *t, size_t r, size_t c, const char *fmt, ...)
{
	struct srcloc loc;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	schema_loc(t, r, c, &loc);
	return diag_at(DIAG_ERROR, &loc, "%s", msg);
}

/*
 * The cell's text, or NULL when it is empty or absent.  Reports an
 * empty required cell (sets *bad).
 */
static const char *cell(const struct schema_table *t, size_t r, size_t c,
			enum col_type type, size_t *len, bool *bad)
{
	const struct col_spec *cs = &t->spec->cols[c];
	const struct csv_cell *k;

	if (cs->type != type)
		BUG("column '%s' read as the wrong type", cs->name);
	*bad = false;
	if (t->col[c] < 0)
		return NULL;
	k = csv_at(&t->csv, r, (size_t)t->col[c]);
	if (k->len == 0) {
		if (cs->required) {
			schema_error(t, r, c, "column '%s' is empty", cs->name);
			*bad = true;
		}
		return NULL;
	}
	*len = k->len;
	return csv_text(&t->csv, k);
}

static int bad_value(const struct schema_table *t, size_t r, size_t c,
		     const char *s, size_t len, const char *what,
		     const char *why)
{
	char q[QUOTE_MAX];

	schema_error(t, r, c, "column '%s': '%s' is not %s%s",
		     t->spec->cols[c].name, diag_quote(q, sizeof(q), s, len), what, why);
	return -1;
}

static int negative(const struct schema_table *t, size_t r, size_t c,
		    const char *s, size_t len)
{
	char q[QUOTE_MAX];

	schema_error(t, r, c, "column '%s': '%s' must not be negative",
		     t->spec->cols[c].name, diag_quote(q, sizeof(q), s, len));
	return -1;
}

int schema_text(const struct schema_table *t, size_t r, size_t c, const char **out)
{
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_TEXT, &len, &bad);

	if (!s)
		return bad ? -1 : 0;
	*out = s;
	return 1;
}

static bool is_code(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch == 0x7f)
			return false;
	}
	return true;
}

int schema_code(const struct schema_table *t, size_t r, size_t c, const char **out)
{
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_CODE, &len, &bad);

	if (!s)
		return bad ? -1 : 0;
	if (!is_code(s, len))
		return bad_value(t, r, c, s, len, "a code", " (no spaces or control characters)");
	*out = s;
	return 1;
}

static int read_fixed(const struct schema_table *t, size_t r, size_t c,
		      enum col_type type, unsigned decimals, const char *what,
		      int64_t *out)
{
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, type, &len, &bad);
	enum num_err e;
	int64_t v;

	if (!s)
		return bad ? -1 : 0;
	e = fixed_parse(s, len, decimals, NUM_ROUND_REJECT, &v);
	if (e != NUM_OK)
		return bad_value(t, r, c, s, len, what, num_reason(e));
	if (v < 0 && t->spec->cols[c].nonneg)
		return negative(t, r, c, s, len);
	*out = v;
	return 1;
}

int schema_money(const struct schema_table *t, size_t r, size_t c, int64_t *out)
{
	return read_fixed(t, r, c, COL_MONEY, 2, "an amount", out);
}

int schema_int(const struct schema_table *t, size_t r, size_t c, int64_t *out)
{
	return read_fixed(t, r, c, COL_INT, 0, "a whole number", out);
}

int schema_fixed(const struct schema_table *t, size_t r, size_t c, int64_t *out)
{
	return read_fixed(t, r, c, COL_FIXED, t->spec->cols[c].decimals, "a number", out);
}

static char lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* Case-insensitive comparison of s[0..len) with a word. */
static bool word_is(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(word[i]))
			return false;
	return true;
}

int schema_bool(const struct schema_table *t, size_t r, size_t c, bool *out)
{
	static const char *const yes[] = { "yes", "y", "true", "1" };
	static const char *const no[] = { "no", "n", "false", "0" };
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_BOOL, &len, &bad);

	if (!s)
		return bad ? -1 : 0;
	for (size_t i = 0; i < 4; i++) {
		if (word_is(s, len, yes[i])) {
			*out = true;
			return 1;
		}
		if (word_is(s, len, no[i])) {
			*out = false;
			return 1;
		}
	}
	return bad_value(t, r, c, s, len, "yes or no", "");
}

int schema_date(const struct schema_table *t, size_t r, size_t c, int32_t *out)
{
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_DATE, &len, &bad);

	if (!s)
		return bad ? -1 : 0;
	if (!date_parse(s, len, out))
		return bad_value(t, r, c, s, len, "a date", " (write it as YYYY-MM-DD)");
	return 1;
}

int schema_year(const struct schema_table *t, size_t r, size_t c, int *out)
{
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_YEAR, &len, &bad);

	if (!s)
		return bad ? -1 : 0;
	if (!fy_parse(s, len, out))
		return bad_value(t, r, c, s, len, "a financial year", " (write it as 2017/18)");
	return 1;
}

int schema_choice(const struct schema_table *t, size_t r, size_t c, int *out)
{
	const struct col_spec *cs = &t->spec->cols[c];
	size_t len = 0;
	bool bad;
	const char *s = cell(t, r, c, COL_CHOICE, &len, &bad);
	char list[256], q[QUOTE_MAX];
	size_t used = 0;

	if (!s)
		return bad ? -1 : 0;
	for (int i = 0; cs->choices[i]; i++) {
		if (word_is(s, len, cs->choices[i])) {
			*out = i;
			return 1;
		}
	}
	list[0] = '\0';
	for (int i = 0; cs->choices[i]; i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i == 0 ? "" : cs->choices[i + 1] ? ", " : " or ",
				 cs->choices[i]);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	schema_error(t, r, c, "column '%s': '%s' is not one of %s", cs->name,
		     diag_quote(q, sizeof(q), s, len), list);
	return -1;
}

/*
 * rtable.c - the report table model shared by every report writer.
 *
 * Sits between the pipeline's results and the writers (report_*.c): the
 * pipeline fills tables through the typed setters, the writers read
 * them and ask this module how to format a cell, so CSV, XLSX, HTML and
 * Markdown always agree on what a value says.  Pure: no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"
#include "rtable.h"
#include "xalloc.h"

__extension__ typedef __int128 i128;

static const uint64_t pow10_u64[19] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL
};

bool rtable_is_formula_trigger(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	       c == '\r';
}

static bool valid_table_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RTABLE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool valid_col_name(const char *s)
{
	if (!*s || rtable_is_formula_trigger(*s) || *s == '.' || *s == '/')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		      *s == '/'))
			return false;
	return true;
}

struct rtable *rtable_new(const char *name, const char *title)
{
	struct rtable *t;

	if (!valid_table_name(name))
		BUG("rtable_new: bad table name '%s'", name);
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->title = xstrdup(title ? title : name);
	return t;
}

static bool is_text(enum rcol_type type)
{
	return type == RCOL_TEXT || type == RCOL_CODE;
}

void rtable_free(struct rtable *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++)
			if (is_text(t->cols[c].type))
				free(t->cells[r * t->n_cols + c].v.s);
	for (size_t c = 0; c < t->n_cols; c++) {
		free(t->cols[c].name);
		free(t->cols[c].header);
	}
	free(t->cols);
	free(t->cells);
	free(t->row_flags);
	free(t->name);
	free(t->title);
	free(t->note);
	free(t);
}

void rtable_set_note(struct rtable *t, const char *note)
{
	free(t->note);
	t->note = note ? xstrdup(note) : NULL;
}

size_t rtable_add_col(struct rtable *t, const char *name, const char *header,
		      enum rcol_type type, unsigned decimals)
{
	struct rcol *col;

	if (t->n_rows)
		BUG("rtable_add_col: table '%s' already has rows", t->name);
	if (!valid_col_name(name))
		BUG("rtable_add_col: bad column name '%s'", name);
	if ((type == RCOL_FIXED && decimals > 18) ||
	    (type == RCOL_PERCENT && decimals > 6) ||
	    (type != RCOL_FIXED && type != RCOL_PERCENT && decimals))
		BUG("rtable_add_col: bad decimals %u for '%s'", decimals, name);
	if (rtable_col_index(t, name) >= 0)
		BUG("rtable_add_col: duplicate column '%s'", name);
	ALLOC_GROW(t->cols, t->n_cols + 1, t->alloc_cols);
	col = &t->cols[t->n_cols];
	col->name = xstrdup(name);
	col->header = xstrdup(header ? header : name);
	col->type = type;
	col->decimals = decimals;
	return t->n_cols++;
}

ptrdiff_t rtable_col_index(const struct rtable *t, const char *name)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (!strcmp(t->cols[c].name, name))
			return (ptrdiff_t)c;
	return -1;
}

size_t rtable_add_row(struct rtable *t)
{
	size_t old_alloc = t->alloc_rows;

	if (!t->n_cols)
		BUG("rtable_add_row: table '%s' has no columns", t->name);
	ALLOC_GROW(t->row_flags, t->n_rows + 1, t->alloc_rows);
	if (t->alloc_rows != old_alloc)
		t->cells = xreallocarray(t->cells, t->alloc_rows * t->n_cols,
					 sizeof(*t->cells));
	memset(&t->cells[t->n_rows * t->n_cols], 0,
	       t->n_cols * sizeof(*t->cells));
	t->row_flags[t->n_rows] = 0;
	return t->n_rows++;
}

void rtable_set_row_flags(struct rtable *t, size_t row, unsigned flags)
{
	if (row >= t->n_rows)
		BUG("rtable: row %zu out of range in '%s'", row, t->name);
	t->row_flags[row] = flags;
}

static struct rcell *cell_at(struct rtable *t, size_t row, size_t col,
			     enum rcol_type want)
{
	struct rcell *cell;

	if (row >= t->n_rows || col >= t->n_cols)
		BUG("rtable: cell (%zu, %zu) out of range in '%s'", row, col,
		    t->name);
	if (t->cols[col].type != want &&
	    !(is_text(want) && is_text(t->cols[col].type)))
		BUG("rtable: wrong setter for column '%s' of '%s'",
		    t->cols[col].name, t->name);
	cell = &t->cells[row * t->n_cols + col];
	if (is_text(t->cols[col].type))
		free(cell->v.s);
	memset(cell, 0, sizeof(*cell));
	return cell;
}

const struct rcell *rtable_cell(const struct rtable *t, size_t row,
				size_t col)
{
	if (row >= t->n_rows || col >= t->n_cols)
		BUG("rtable: cell (%zu, %zu) out of range in '%s'", row, col,
		    t->name);
	return &t->cells[row * t->n_cols + col];
}

void rtable_clear_cell(struct rtable *t, size_t row, size_t col)
{
	(void)cell_at(t, row, col, t->cols[col < t->n_cols ? col : 0].type);
}

void rtable_set_text(struct rtable *t, size_t row, size_t col, const char *s)
{
	struct rcell *cell = cell_at(t, row, col, RCOL_TEXT);

	if (!s)
		return;
	cell->is_set = true;
	cell->v.s = xstrdup(s);
	cell->neutralise = rtable_is_formula_trigger(s[0]);
}

static void set_i(struct rtable *t, size_t row, size_t col,
		  enum rcol_type type, int64_t v)
{
	struct rcell *cell = cell_at(t, row, col, type);

	cell->is_set = true;
	cell->v.i = v;
}

void rtable_set_int(struct rtable *t, size_t row, size_t col, int64_t v)
{
	set_i(t, row, col, RCOL_INT, v);
}

void rtable_set_money(struct rtable *t, size_t row, size_t col, int64_t pence)
{
	set_i(t, row, col, RCOL_MONEY, pence);
}

void rtable_set_fixed(struct rtable *t, size_t row, size_t col, int64_t v)
{
	set_i(t, row, col, RCOL_FIXED, v);
}

void rtable_set_date(struct rtable *t, size_t row, size_t col, int32_t days)
{
	set_i(t, row, col, RCOL_DATE, days);
}

void rtable_set_percent_ppm(struct rtable *t, size_t row, size_t col,
			    int64_t ppm)
{
	set_i(t, row, col, RCOL_PERCENT, ppm);
	t->cells[row * t->n_cols + col].is_ppm = true;
}

void rtable_set_percent(struct rtable *t, size_t row, size_t col,
			double fraction)
{
	struct rcell *cell;

	if (!isfinite(fraction))
		BUG("rtable_set_percent: non-finite value in '%s'", t->name);
	cell = cell_at(t, row, col, RCOL_PERCENT);
	cell->is_set = true;
	cell->v.d = fraction;
}

/* ---------------------------------------------------------------- */

char *rtable_date_format(int32_t days, char buf[16])
{
	/* civil_from_days (H. Hinnant), valid for the whole int32 range */
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	int n;

	y += m <= 2;
	n = snprintf(buf, 16, "%04d", (int)y);	/* |y| < 6 million */
	buf[n++] = '-';
	buf[n++] = (char)('0' + m / 10);
	buf[n++] = (char)('0' + m % 10);
	buf[n++] = '-';
	buf[n++] = (char)('0' + d / 10);
	buf[n++] = (char)('0' + d % 10);
	buf[n] = '\0';
	return buf;
}

/* Appends the digits of u to out, with a comma every three if grouped. */
static char *put_uint(char *out, uint64_t u, bool grouped)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);

	for (int i = 0; i < n; i++) {
		if (grouped && i > 0 && (n - i) % 3 == 0)
			*out++ = ',';
		*out++ = digits[i];
	}
	*out = '\0';
	return out;
}

/* v with dec implied decimals, every decimal digit shown. */
static char *format_fixed(int64_t v, unsigned dec, bool grouped, char *buf)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char *p = buf;

	if (v < 0)
		*p++ = '-';
	p = put_uint(p, u / pow10_u64[dec], grouped);
	if (dec)
		snprintf(p, RTABLE_BUFSZ - (size_t)(p - buf), ".%0*llu",
			 (int)dec, (unsigned long long)(u % pow10_u64[dec]));
	return buf;
}

/* "-0.0" and the like become "0.0": a sign on zero only confuses. */
static void drop_negative_zero(char *buf)
{
	if (buf[0] != '-')
		return;
	for (const char *p = buf + 1; *p; p++)
		if (*p != '0' && *p != '.')
			return;
	memmove(buf, buf + 1, strlen(buf));
}

static char *format_percent(const struct rcol *col, const struct rcell *cell,
			    bool display, char *buf)
{
	unsigned dec = col->decimals;

	if (cell->is_ppm) {
		/* ppm / 10^4 is the percentage; keep dec digits, half away */
		i128 v = cell->v.i;
		bool neg = v < 0;
		uint64_t u;

		if (neg)
			v = -v;
		if (dec <= 4) {
			i128 div = (i128)pow10_u64[4 - dec];

			v = (v + div / 2) / div;
		} else {
			v *= (i128)pow10_u64[dec - 4];
		}
		u = (uint64_t)v;	/* |ppm| * 100 fits */
		format_fixed(neg ? -(int64_t)u : (int64_t)u, dec, display, buf);
	} else {
		snprintf(buf, RTABLE_BUFSZ, "%.*f", (int)dec, cell->v.d * 100.0);
	}
	drop_negative_zero(buf);
	if (display) {
		size_t n = strlen(buf);

		buf[n] = '%';
		buf[n + 1] = '\0';
	}
	return buf;
}

const char *rtable_format(const struct rtable *t, size_t row, size_t col,
			  enum rfmt fmt, char buf[RTABLE_BUFSZ])
{
	const struct rcell *cell = rtable_cell(t, row, col);
	const struct rcol *c = &t->cols[col];
	bool display = fmt == RFMT_DISPLAY;

	buf[0] = '\0';
	if (!cell->is_set)
		return buf;
	switch (c->type) {
	case RCOL_TEXT:
	case RCOL_CODE:
		return cell->v.s;
	case RCOL_INT:
		return format_fixed(cell->v.i, 0, display, buf);
	case RCOL_MONEY:
		if (display)
			return money_format_gbp(cell->v.i, buf);
		return format_fixed(cell->v.i, 2, false, buf);
	case RCOL_FIXED:
		return format_fixed(cell->v.i, c->decimals, display, buf);
	case RCOL_PERCENT:
		return format_percent(c, cell, display, buf);
	case RCOL_DATE:
		return rtable_date_format((int32_t)cell->v.i, buf);
	}
	return buf;
}

double rtable_number(const struct rtable *t, size_t row, size_t col)
{
	const struct rcell *cell = rtable_cell(t, row, col);
	const struct rcol *c = &t->cols[col];

	if (!cell->is_set)
		return 0.0;
	switch (c->type) {
	case RCOL_TEXT:
	case RCOL_CODE:
		return 0.0;
	case RCOL_INT:
	case RCOL_DATE:
		return (double)cell->v.i;
	case RCOL_MONEY:
		return (double)cell->v.i / 100.0;
	case RCOL_FIXED:
		return (double)cell->v.i / (double)pow10_u64[c->decimals];
	case RCOL_PERCENT:
		return cell->is_ppm ? (double)cell->v.i / 1e6 : cell->v.d;
	}
	return 0.0;
}

int rtable_money_total(const struct rtable *t, size_t col, int64_t *pence)
{
	int64_t sum = 0;

	if (col >= t->n_cols || t->cols[col].type != RCOL_MONEY)
		BUG("rtable_money_total: column %zu of '%s' is not money", col,
		    t->name);
	for (size_t r = 0; r < t->n_rows; r++) {
		const struct rcell *cell = &t->cells[r * t->n_cols + col];

		if (cell->is_set && money_add(sum, cell->v.i, &sum))
			return -1;
	}
	*pence = sum;
	return 0;
}

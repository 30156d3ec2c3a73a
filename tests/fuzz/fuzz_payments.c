/*
 * fuzz_payments.c - libFuzzer harness for the NHS payments importer:
 * one yearly file, given as bytes, through the path pay_read_year()
 * takes (csv_read_mem() instead of csv_read_file(), then
 * pay_layout_build() and pay_year_load() with the built-in column table
 * and the default options), as "16-17.csv" for 2016/17.
 *
 * Any input must be imported or rejected with ST_DATA: never crash,
 * leak, overflow or fail a control check (ST_INTERNAL is a bug).  An
 * imported year must hold its practices sorted, every text offset
 * inside the pool, and national totals equal to the sum of the CCGs.
 * The same bytes streamed row by row (csv_stream_mem() into
 * pay_load_begin/plain/row/end, as pay_read_year() does: plain lines
 * straight from the bytes, the rest as cells) must be imported or
 * rejected alike, into the very same year; dropping its practices then
 * keeps its CCGs and rounding entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "diag.h"
#include "payments.h"
#include "payments_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_year(const struct pay_year *y)
{
	int64_t sum[PAY_N_MONEY] = { 0 };
	size_t practices = 0;

	for (size_t i = 0; i < y->n; i++) {
		for (int f = 0; f < PAY_N_TEXT; f++)
			if (y->p[i].text[f] >= y->pool_len)
				abort();
		if (i > 0) {
			const struct pay_practice *a = &y->p[i - 1], *b = &y->p[i];
			int c = strcmp(pay_text(y, a, PAY_CCG_CODE), pay_text(y, b, PAY_CCG_CODE));

			if (c > 0 || (c == 0 && strcmp(pay_text(y, a, PAY_PRACTICE_CODE),
						       pay_text(y, b, PAY_PRACTICE_CODE)) >= 0))
				abort();
		}
	}
	for (size_t c = 0; c < y->n_ccgs; c++) {
		practices += y->ccgs[c].practices;
		for (int k = 0; k < PAY_N_MONEY; k++)
			sum[k] += y->ccgs[c].m[k];
	}
	if (practices != y->n || y->national.practices != y->n)
		abort();
	for (int k = 0; k < PAY_N_MONEY; k++)
		if (sum[k] != y->national.m[k])
			abort();
}

/* The sink pay_read_year() uses, over the fuzz input. */
struct stream {
	const struct pay_colmap *m;
	const struct pay_options *o;
	struct pay_layout l;
	struct pay_year *y;
	struct pay_loader *ld;
};

static enum status on_header(void *ctx, const struct csv_table *t,
			     size_t max_rows)
{
	struct stream *s = ctx;
	enum status st = pay_layout_build(&s->l, t, s->m, s->o);

	if (st == ST_OK)
		s->ld = pay_load_begin(s->y, t, &s->l, 2016, max_rows);
	return st;
}

static int on_row(void *ctx, const struct csv_table *t,
		  const struct csv_cell *row)
{
	(void)t;
	return !pay_load_row(((struct stream *)ctx)->ld, row);
}

static int on_plain(void *ctx, const struct csv_table *t, const char *line,
		    size_t len, unsigned long lineno)
{
	(void)t;
	return pay_load_plain(((struct stream *)ctx)->ld, line, len, lineno);
}

static void same_year(const struct pay_year *a, const struct pay_year *b)
{
	if (a->n != b->n || a->n_ccgs != b->n_ccgs || a->pool_len != b->pool_len ||
	    a->whole_pounds != b->whole_pounds || a->parts_sum != b->parts_sum ||
	    a->n_rounding != b->n_rounding ||
	    memcmp(a->pool, b->pool, a->pool_len) != 0 ||
	    memcmp(&a->national.m, &b->national.m, sizeof(a->national.m)) != 0)
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(a->p[i].text, b->p[i].text, sizeof(a->p[i].text)) != 0 ||
		    memcmp(a->p[i].m, b->p[i].m, sizeof(a->p[i].m)) != 0 ||
		    a->p[i].registered != b->p[i].registered ||
		    a->p[i].weighted != b->p[i].weighted || a->p[i].line != b->p[i].line)
			abort();
	for (size_t c = 0; c < a->n_ccgs; c++)
		if (strcmp(a->ccgs[c].code, b->ccgs[c].code) != 0 ||
		    memcmp(a->ccgs[c].m, b->ccgs[c].m, sizeof(a->ccgs[c].m)) != 0)
			abort();
}

/*
 * b, the same year as a, with its practices dropped (as import-payments
 * does once they are formatted): the same CCGs and rounding entries,
 * their strings in the shrunk pool, its slack zero.
 */
static void dropped_year(const struct pay_year *a, struct pay_year *b)
{
	pay_year_drop_practices(b);
	if (b->p || b->n != a->n || b->n_ccgs != a->n_ccgs ||
	    b->n_rounding != a->n_rounding)
		abort();
	for (size_t c = 0; c < a->n_ccgs; c++)
		if (strcmp(a->ccgs[c].code, b->ccgs[c].code) != 0 ||
		    strcmp(a->ccgs[c].name, b->ccgs[c].name) != 0 ||
		    b->ccgs[c].code < b->pool || b->ccgs[c].name >= b->pool + b->pool_len)
			abort();
	for (size_t r = 0; r < a->n_rounding; r++)
		if (b->rounding[r].ccg >= b->pool_len ||
		    strcmp(a->pool + a->rounding[r].ccg, b->pool + b->rounding[r].ccg) != 0 ||
		    a->rounding[r].diff != b->rounding[r].diff)
			abort();
	for (size_t k = 0; k < PAY_POOL_SLACK; k++)
		if (b->pool[b->pool_len + k] != '\0')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static struct pay_colmap m;
	static struct pay_options o;
	struct csv_table t;
	struct pay_layout l;
	struct pay_year y;
	enum status st;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		diag_set_stream(devnull);
		diag_set_max_errors(5);
		pay_colmap_init(&m);
		if (pay_colmap_load(&m, NULL) != ST_OK)
			abort();
		pay_options_init(&o);
	}
	diag_reset();
	csv_table_init(&t);
	pay_layout_init(&l);
	pay_year_init(&y);
	st = csv_read_mem(&t, "16-17.csv", (const char *)data, size, NULL);
	if (st == ST_OK)
		st = pay_layout_build(&l, &t, &m, &o);
	if (st == ST_OK)
		st = pay_year_load(&y, &t, &l, 2016);
	if (st == ST_OK)
		check_year(&y);
	else if (st != ST_DATA)
		abort();
	{
		struct pay_year ys;
		struct stream s = { &m, &o, { 0 }, &ys, NULL };
		const struct csv_sink sink = { on_header, on_row, &s, on_plain };
		struct csv_table h;
		enum status ss;

		diag_reset();
		pay_year_init(&ys);
		pay_layout_init(&s.l);
		csv_table_init(&h);
		ss = csv_stream_mem(&h, "16-17.csv", (const char *)data, size, NULL, &sink);
		if (s.ld)
			ss = pay_load_end(s.ld, ss);
		if (ss != st)
			abort();
		if (ss == ST_OK) {
			same_year(&y, &ys);
			dropped_year(&y, &ys);
		}
		pay_year_release(&ys);
		pay_layout_release(&s.l);
		csv_table_release(&h);
	}
	pay_year_release(&y);
	pay_layout_release(&l);
	csv_table_release(&t);
	return 0;
}

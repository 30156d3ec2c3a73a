/*
 * fuzz_csvread.c - libFuzzer harness for the strict CSV reader.
 *
 * Any byte string must either parse into a table whose cells lie inside
 * the text buffer and whose header width matches every row, or be
 * rejected with ST_DATA; never crash, leak or read out of bounds.
 * Streamed (csv_stream_mem()), the same bytes must succeed or fail
 * alike and hand over exactly the table's rows, each followed by
 * CSV_STREAM_PAD zero bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The table parsed the usual way, and how far the stream has got in it. */
struct check {
	const struct csv_table *table;	/* NULL if it failed: rows before the
					 * failure may still be handed over */
	size_t rows;
};

static enum status on_header(void *ctx, const struct csv_table *t,
			     size_t max_rows)
{
	(void)ctx, (void)max_rows;
	if (!t->norm)
		abort();
	return ST_OK;
}

static int on_row(void *ctx, const struct csv_table *t,
		  const struct csv_cell *row)
{
	struct check *k = ctx;
	const struct csv_table *a = k->table;

	if (t->readable != t->text_len + CSV_STREAM_PAD)
		abort();
	for (size_t i = 0; i < CSV_STREAM_PAD; i++)
		if (t->text[t->text_len + i] != '\0')
			abort();
	for (size_t c = 0; c < t->n_cols; c++)
		if ((size_t)row[c].off + row[c].len > t->text_len ||
		    csv_text(t, &row[c])[row[c].len] != '\0')
			abort();
	if (!a) {
		k->rows++;
		return 0;
	}
	if (a->n_cols != t->n_cols || k->rows >= a->n_rows)
		abort();
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct csv_cell *x = &row[c], *y = csv_at(a, k->rows, c);

		if (x->len != y->len || x->line != y->line || x->col != y->col ||
		    memcmp(csv_text(t, x), csv_text(a, y), x->len + 1) != 0)
			abort();
	}
	k->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct csv_table t;
	struct csv_opts o = { 256, true };
	enum status st;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		diag_set_stream(devnull);
		diag_set_max_errors(5);
	}
	diag_reset();
	csv_table_init(&t);
	st = csv_read_mem(&t, "fuzz.csv", (const char *)data, size, &o);
	if (st == ST_OK) {
		size_t n = (t.n_rows + 1) * t.n_cols;

		for (size_t i = 0; i < n; i++) {
			const struct csv_cell *c = &t.cells[i];

			if ((size_t)c->off + c->len >= t.text_len + 1 || c->len > 256 ||
			    c->line == 0 || c->col == 0)
				abort();
			if (csv_text(&t, c)[c->len] != '\0')
				abort();
		}
	} else if (st != ST_DATA) {
		abort();
	}
	{
		struct check k = { st == ST_OK ? &t : NULL, 0 };
		const struct csv_sink sink = { on_header, on_row, &k, NULL };
		struct csv_table s;
		enum status ss;

		csv_table_init(&s);
		ss = csv_stream_mem(&s, "fuzz.csv", (const char *)data, size, &o, &sink);
		if (ss != st || (st == ST_OK && k.rows != t.n_rows))
			abort();
		csv_table_release(&s);
	}
	csv_table_release(&t);
	return 0;
}

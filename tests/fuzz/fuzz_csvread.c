/*
 * fuzz_csvread.c - libFuzzer harness for the strict CSV reader.
 *
 * Any byte string must either parse into a table whose cells lie inside
 * the text buffer and whose header width matches every row, or be
 * rejected with ST_DATA; never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csvread.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	csv_table_release(&t);
	return 0;
}

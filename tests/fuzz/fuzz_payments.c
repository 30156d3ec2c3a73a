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
	pay_year_release(&y);
	pay_layout_release(&l);
	csv_table_release(&t);
	return 0;
}

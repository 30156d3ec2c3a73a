/*
 * test_pbudget.c - the payments-only budget: the rules on a small
 * fixture worked out by hand, and the backtest on the published files
 * (2016/17 and 2017/18 must beat the naive "same as last year").
 *
 * Fixture tests/fixtures/payments/budget/ (2014/15, 2015/16, 2016/17):
 * CCG X (G00001 GMS, P00001 PMS) and Y (A00001 APMS) in region Q1, Z
 * (G00002 GMS) in Q2.  The 2016/17 budget uses 2015/16 and 2014/15:
 *   price  = 80.59 x (1 - 5.15%) / (76.14 x (1 - 5.39%))
 *          = 8059 x 948500 / (7614 x 946100)
 *   list   = England's registered 6530 / 6470
 *   pms    = P00001's global sum + PMS balance 157000.00 / 150000.00
 *   MPIG   = (7 - 3) / (7 - 2) = 4/5
 *   QOF    = x 16518/16015 (point value) x list x 7223/7460 (average list)
 * each step rounded to the penny, half away from zero (computed with
 * exact fractions, as in the comments below).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "payments_io.h"
#include "pbudget.h"

#define DIR "tests/fixtures/payments/budget/"

struct fix {
	struct pay_colmap m;
	struct pay_options o;
	struct pay_year y[3];
};

static int setup(void **state)
{
	static struct fix f;
	static char a[] = DIR "14-15.csv", b[] = DIR "15-16.csv";
	char *paths[2] = { a, b };

	pay_colmap_init(&f.m);
	if (pay_colmap_load(&f.m, NULL) != ST_OK)
		return -1;
	pay_options_init(&f.o);
	f.o.split = pb_split();
	for (size_t i = 0; i < 3; i++)
		pay_year_init(&f.y[i]);
	if (pay_read_years(f.y, paths, 2, 0, &f.m, &f.o) != ST_OK)
		return -1;
	if (pay_read_year(&f.y[2], DIR "16-17.csv", 0, &f.m, &f.o) != ST_OK)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	for (size_t i = 0; i < 3; i++)
		pay_year_release(&f->y[i]);
	pay_colmap_release(&f->m);
	return 0;
}

static const struct pb_ccg *find(const struct pb_result *r, const char *code)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->ccgs[i].code, code) == 0)
			return &r->ccgs[i];
	fail_msg("CCG '%s' not in the budget", code);
	return NULL;
}

static void test_pbudget_applies_the_pound_rules(void **state)
{
	struct fix *f = *state;
	struct pb_result r;
	const struct pb_ccg *x, *y, *z;

	pb_result_init(&r);
	assert_int_equal(pb_build(&r, f->y, 2, 2016, &pb_default_params), ST_OK);
	assert_int_equal(r.n, 3);
	x = find(&r, "X");
	y = find(&r, "Y");
	z = find(&r, "Z");
	/*
	 * X core: G00001 round(75000.00 x price) = 79584.75, x list =
	 * 80322.78, with MPIG round(700.00 x 4/5) = 560.00, plus P00001
	 * round(157000.00 x 157/150) = 164326.67: 245209.45 in all.
	 */
	assert_pence_eq(x->budget[PB_CORE], 24520945);
	/*
	 * X enhanced: extended hours round(1900.00 x list) = 1917.62,
	 * dementia (moved into core in 2016/17) a quarter in arrears 150.00,
	 * learning disabilities 1160.00 (no rate change until 2017/18),
	 * local ES 500.00: 3727.62.
	 */
	assert_pence_eq(x->budget[PB_ENHANCED], 372762);
	/* X QOF: 16015.00 and 32030.00, each x point value x list x average list */
	assert_pence_eq(x->budget[PB_QOF], 4842464);
	assert_pence_eq(x->budget[PB_PREMISES], 1000000);
	/*
	 * Discretionary: region Q1 paid 3000.00 + 1000.00 (seniority) in
	 * 2015/16, apportioned by weighted list X 1020 + 1980 : Y 1000
	 * -> 3000.00 and 1000.00; Q2 paid 600.00, all to Z.
	 */
	assert_pence_eq(x->budget[PB_DISCRETIONARY], 300000);
	assert_pence_eq(y->budget[PB_DISCRETIONARY], 100000);
	assert_pence_eq(z->budget[PB_DISCRETIONARY], 60000);
	assert_pence_eq(x->budget_total, 31036171);
	/* APMS: contract value as last year; Other Payments out of scope */
	assert_pence_eq(y->budget[PB_CORE], 4000000);
	assert_pence_eq(y->budget_total, 4300000);
	/* Z: round(round(228420.00 x price) x list) and QOF 48000.00 as for X */
	assert_pence_eq(z->budget[PB_CORE], 24463107);
	assert_pence_eq(z->budget[PB_QOF], 4837929);
	assert_pence_eq(z->budget_total, 29361036);

	/*
	 * Notional allocation: last year's five categories x 7652/7342;
	 * X paid 108875.00 + 190030.00 = 298905.00 -> 311525.61;
	 * contingency 0.5% 1557.63, reserve 1% 3115.26, headroom
	 * 311525.61 - 310361.71 - 1557.63 - 3115.26 = -3508.99.
	 */
	assert_pence_eq(x->last_year, 29890500);
	assert_pence_eq(x->allocation, 31152561);
	assert_true(x->allocation_notional);
	assert_pence_eq(x->contingency, 155763);
	assert_pence_eq(x->reserve, 311526);
	assert_pence_eq(x->headroom, -350899);
	assert_pence_eq(r.england.budget_total, 31036171 + 4300000 + 29361036);
	pb_result_release(&r);
}

static void test_pbudget_keeps_each_practice_and_its_risk_split(void **state)
{
	struct fix *f = *state;
	struct pb_result r;
	const struct pb_practice *g = NULL;
	int64_t sum[3] = { 0 };

	pb_result_init(&r);
	assert_int_equal(pb_build(&r, f->y, 2, 2016, &pb_default_params), ST_OK);
	assert_int_equal(r.n_practices, 4);
	for (size_t i = 0; i < r.n_practices; i++) {
		const struct pb_practice *x = &r.practices[i];
		const char *code = pay_text(r.base, &r.base->p[x->base], PAY_PRACTICE_CODE);

		if (strcmp(code, "G00001") == 0)
			g = x;
		/* the risk split is the same money */
		assert_pence_eq(x->list_linked + x->qof + x->es_activity + x->fixed, x->total);
		assert_pence_eq(x->budget[PB_DISCRETIONARY], 0);
		sum[x->ccg] += x->total;
	}
	/* practices plus the CCG's discretionary make the CCG */
	for (size_t c = 0; c < r.n; c++)
		assert_pence_eq(sum[c] + r.ccgs[c].budget[PB_DISCRETIONARY],
				r.ccgs[c].budget_total);
	assert_non_null(g);
	/*
	 * G00001 (2015/16: global sum 75000.00, MPIG 700.00, extended hours
	 * 1900.00, dementia 600.00, learning disabilities 1160.00, local ES
	 * 500.00, QOF 16015.00, premises 10000.00):
	 *   core 80322.78 + MPIG 560.00 = 80882.78
	 *   enhanced 1917.62 + 150.00 + 1160.00 + 500.00 = 3727.62
	 *   QOF 1601500 p x 16518/16015 = 1651800, x 6530/6470 = 1667118.08
	 *       -> 1667118, x 7223/7460 = 1614154.60 -> 16141.55
	 *   total 80882.78 + 3727.62 + 16141.55 + 10000.00 = 110751.95
	 * Split: list 80322.78 + 1917.62 = 82240.40; QOF 16141.55; activity
	 * 1160.00 + 500.00 = 1660.00; fixed MPIG 560.00 + dementia arrears
	 * 150.00 + premises 10000.00 = 10710.00.
	 */
	assert_pence_eq(g->budget[PB_CORE], 8088278);
	assert_pence_eq(g->mpig, 56000);
	assert_pence_eq(g->budget[PB_ENHANCED], 372762);
	assert_pence_eq(g->budget[PB_QOF], 1614155);
	assert_pence_eq(g->total, 11075195);
	assert_pence_eq(g->list_linked, 8224040);
	assert_pence_eq(g->qof, 1614155);
	assert_pence_eq(g->es_activity, 166000);
	assert_pence_eq(g->fixed, 1071000);
	pb_result_release(&r);
}

static void test_pbudget_backtest_attributes_by_the_base_year(void **state)
{
	struct fix *f = *state;
	struct pb_result r;
	struct pb_backtest b;

	pb_result_init(&r);
	assert_int_equal(pb_build(&r, f->y, 2, 2016, &pb_default_params), ST_OK);
	pb_backtest(&b, &r, &f->y[2]);
	/*
	 * Paid in 2016/17: X 113920.00 + 197900.00 + the new N00001 5000.00
	 * (by its own code) = 316820.00; A00001 moved to CCG W but counts for
	 * Y, its CCG in 2015/16: 41000.00 + 2000.00 (Other Payments out) =
	 * 43000.00; Z 289500.00.
	 */
	assert_int_equal(b.n, 3);
	for (size_t i = 0; i < b.n; i++) {
		const struct pb_check *k = &b.ccgs[i];

		if (strcmp(k->code, "X") == 0) {
			assert_pence_eq(k->actual, 31682000);
			/* |310361.71 - 316820.00| / 316820.00 = 2.03848% */
			assert_pence_eq(k->budget_err_ppm, 20385);
			/* |298905.00 - 316820.00| / 316820.00 = 5.65463% */
			assert_pence_eq(k->naive_err_ppm, 56546);
		} else if (strcmp(k->code, "Y") == 0) {
			assert_pence_eq(k->actual, 4300000);
			assert_pence_eq(k->budget_err_ppm, 0);
		} else {
			assert_pence_eq(k->actual, 28950000);
		}
	}
	assert_int_equal(b.skipped, 0);
	/* (2.0385 + 0 + 1.4198) / 3 and (5.6546 + 2.3256 + 4.3109) / 3 */
	assert_close(b.mape_budget, (20385.0 + 0 + 14198.0) / 3 / 10000, 0, 1e-9);
	assert_close(b.mape_naive, (56546.0 + 23256 + 43109) / 3 / 10000, 0, 1e-9);
	pb_backtest_release(&b);
	pb_result_release(&r);
}

static void test_pbudget_needs_parameters_and_the_year_before(void **state)
{
	struct fix *f = *state;
	struct pb_result r;

	pb_result_init(&r);
	capture_begin();
	assert_int_equal(pb_build(&r, f->y, 2, 2021, &pb_default_params), ST_CONFIG);
	assert_string_equal(capture_end(),
			    "pcbudget: error: no parameters to budget 2021/22: the rates of "
			    "methodology §3 cover the global sum, QOF and allocations for "
			    "2016/17 to 2019/20 budgets\n");
	capture_begin();
	assert_int_equal(pb_build(&r, f->y, 1, 2016, &pb_default_params), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: budgeting 2016/17 needs the payments of the "
			    "year before\n");
	/* without 2014/15 there is no growth to take: lists and PMS as they were */
	assert_int_equal(pb_build(&r, f->y + 1, 1, 2016, &pb_default_params), ST_OK);
	assert_false(r.derived.have_before);
	/* P00001: 157000.00 unchanged; G00001 round(75000.00 x price) + 560.00 */
	assert_pence_eq(find(&r, "X")->budget[PB_CORE], 15700000 + 7958475 + 56000);
	pb_result_release(&r);
}

/* The published files: every CCG gets a budget that beats the naive forecast. */
static void test_pbudget_beats_the_naive_forecast_on_the_published_files(void **state)
{
	static const int budget_years[] = { 2016, 2017 };
	static const char *const names[] = {
		"14-15.csv", "15-16.csv", "16-17.csv", "17-18.csv",
	};
	const char *data = test_data_dir();
	struct pay_colmap m;
	struct pay_options o;
	struct pay_year y[4];
	char path[4][512];
	char *paths[4];

	(void)state;
	if (!data) {
		printf("skipped: real data not found\n");
		return;
	}
	pay_colmap_init(&m);
	assert_int_equal(pay_colmap_load(&m, NULL), ST_OK);
	pay_options_init(&o);
	o.split = pb_split();
	for (size_t i = 0; i < 4; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/nhs-payments/%s", data, names[i]);
		paths[i] = path[i];
		pay_year_init(&y[i]);
	}
	assert_int_equal(pay_read_years(y, paths, 4, 0, &m, &o), ST_OK);
	for (size_t k = 0; k < 2; k++) {
		int year = budget_years[k];
		size_t before = (size_t)(year - 2014);	/* years 2014 .. year-1 */
		struct pb_result r;
		struct pb_backtest b;

		pb_result_init(&r);
		assert_int_equal(pb_build(&r, y, before, year, &pb_default_params), ST_OK);
		assert_int_equal(r.n, y[before - 1].n_ccgs);	/* every CCG */
		pb_backtest(&b, &r, &y[before]);
		printf("%d/%02d: %zu CCGs, mean absolute error %.2f%%, naive %.2f%%\n",
		       year, (year + 1) % 100, b.n - b.skipped, b.mape_budget, b.mape_naive);
		assert_int_equal(b.skipped, 0);
		assert_true(b.mape_budget < b.mape_naive);
		pb_backtest_release(&b);
		pb_result_release(&r);
	}
	for (size_t i = 0; i < 4; i++)
		pay_year_release(&y[i]);
	pay_colmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbudget_applies_the_pound_rules),
		cmocka_unit_test(test_pbudget_keeps_each_practice_and_its_risk_split),
		cmocka_unit_test(test_pbudget_backtest_attributes_by_the_base_year),
		cmocka_unit_test(test_pbudget_needs_parameters_and_the_year_before),
		cmocka_unit_test(test_pbudget_beats_the_naive_forecast_on_the_published_files),
	};

	return cmocka_run_group_tests_name("pbudget", tests, setup, teardown);
}

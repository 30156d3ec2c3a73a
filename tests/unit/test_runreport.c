/*
 * test_runreport.c - the run report's pure parts: per-head amounts,
 * Tukey's fences, months to a contract's end, the ledger figures, and
 * the tables built from a small synthetic report whose every expected
 * figure is worked by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "risk_params.h"
#include "runreport.h"
#include "helpers.h"

static void test_runreport_per_head_rounds_half_away_from_zero(void **state)
{
	(void)state;
	/* 1000p / 3 = 333.33 -> 333; 1000p / 6 = 166.67 -> 167; 500p / 200 = 2.5 -> 3 */
	assert_pence_eq(runreport_per_head(1000, 3, 0), 333);
	assert_pence_eq(runreport_per_head(1000, 6, 0), 167);
	assert_pence_eq(runreport_per_head(500, 200, 0), 3);
	assert_pence_eq(runreport_per_head(-1000, 6, 0), -167);
	assert_pence_eq(runreport_per_head(-500, 200, 0), -3);
	/* 10000p / 3.5 weighted patients (billionths) = 2857.14 -> 2857 */
	assert_pence_eq(runreport_per_head(10000, 3500000000, 9), 2857);
	/* nobody: 0, the caller leaves the cell empty */
	assert_pence_eq(runreport_per_head(10000, 0, 0), 0);
}

static void test_runreport_tukey_fences_use_type_7_quartiles(void **state)
{
	/*
	 * 100, 102, 104, 106, 200: sorted, (n-1) f = 1, 2, 3 for f = .25, .5,
	 * .75, so Q1 = 102, median = 104, Q3 = 106 (no interpolation needed);
	 * IQR 4; fences 102 - 6 = 96 and 106 + 6 = 112: 200 is high.
	 */
	const double v[] = { 104, 200, 100, 106, 102 };
	/* 1, 2, 3, 4, 5, 6: Q1 at 1.25 -> 2.25, Q3 at 3.75 -> 4.75, k = 1: 0.5 .. 7.25 */
	const double w[] = { 6, 5, 4, 3, 2, 1, -5 };
	bool lo[7], hi[7];
	double med, flo, fhi;

	(void)state;
	assert_int_equal(runreport_tukey(v, 5, 1.5, &med, &flo, &fhi, lo, hi), 1);
	assert_close(med, 104, 0, 1e-12);
	assert_close(flo, 96, 0, 1e-12);
	assert_close(fhi, 112, 0, 1e-12);
	assert_true(hi[1] && !lo[1]);
	assert_false(hi[0] || lo[0] || hi[2] || lo[2] || hi[3] || hi[4]);
	/*
	 * 6, 5, 4, 3, 2, 1, -5 sorted: -5, 1, 2, 3, 4, 5, 6; (n-1) f = 1.5, 4.5:
	 * Q1 = 1.5, Q3 = 4.5, IQR 3, k = 1: fences -1.5 and 7.5: -5 is low.
	 */
	assert_int_equal(runreport_tukey(w, 7, 1.0, &med, &flo, &fhi, lo, hi), 1);
	assert_close(med, 3, 0, 1e-12);
	assert_close(flo, -1.5, 0, 1e-12);
	assert_close(fhi, 7.5, 0, 1e-12);
	assert_true(lo[6]);
	/* fewer than 4 values: no fences */
	assert_int_equal(runreport_tukey(v, 3, 1.5, &med, &flo, &fhi, lo, hi), 0);
	assert_true(isnan(flo) && isnan(fhi) && isnan(med));
	assert_false(lo[0] || hi[0]);
}

static void test_runreport_counts_months_from_the_year_start(void **state)
{
	(void)state;
	assert_int_equal(runreport_months_to_end(2017, date_from_ymd(2017, 4, 30)), 1);
	assert_int_equal(runreport_months_to_end(2017, date_from_ymd(2018, 3, 31)), 12);
	assert_int_equal(runreport_months_to_end(2017, date_from_ymd(2018, 4, 1)), 13);
	assert_int_equal(runreport_months_to_end(2017, date_from_ymd(2019, 3, 31)), 24);
	assert_int_equal(runreport_months_to_end(2017, date_from_ymd(2017, 3, 31)), 0);
}

static void test_runreport_fixed_decimals_keep_every_digit(void **state)
{
	const int64_t a[] = { 2846593000000, 6555340000000 };	/* 2846.593, 6555.34 */
	const int64_t b[] = { 7600500000000, 5100000000000 };	/* 7600.5, 5100 */
	const int64_t c[] = { 0, -12000000000 };

	(void)state;
	assert_int_equal(runreport_fixed_decimals(a, 2, 9), 3);
	assert_int_equal(runreport_fixed_decimals(b, 2, 9), 1);
	assert_int_equal(runreport_fixed_decimals(c, 2, 9), 0);
	assert_pence_eq(runreport_rescale(2846593000000, 9, 3), 2846593);
	assert_pence_eq(runreport_rescale(51, 1, 3), 5100);
}

/* ------------------------------------------------------------------ */
/* A small report: CCG 01A with five practices, CCG 02B with one        */

#define P(pounds) ((int64_t)(pounds) * 100)

struct fix {
	struct rr_ccg ccgs[2];
	struct rr_practice pr[6];
	struct rr_history h[20];
	struct rr_contract co[3];
	struct mc_model model;
	struct runreport rr;
	struct rr_tables t;
};

/* The cell of table t in the first row whose columns k1 (and k2, k3) hold v1 (v2, v3). */
static const char *cell(const struct rtable *t, const char *col, const char *k1, const char *v1,
			const char *k2, const char *v2, const char *k3, const char *v3)
{
	static char buf[RTABLE_BUFSZ];
	ptrdiff_t c = rtable_col_index(t, col), c1 = rtable_col_index(t, k1);
	ptrdiff_t c2 = k2 ? rtable_col_index(t, k2) : -1, c3 = k3 ? rtable_col_index(t, k3) : -1;

	assert_true(c >= 0 && c1 >= 0);
	for (size_t r = 0; r < t->n_rows; r++) {
		char b1[RTABLE_BUFSZ], b2[RTABLE_BUFSZ], b3[RTABLE_BUFSZ];

		if (strcmp(rtable_format(t, r, (size_t)c1, RFMT_PLAIN, b1), v1) != 0)
			continue;
		if (k2 && strcmp(rtable_format(t, r, (size_t)c2, RFMT_PLAIN, b2), v2) != 0)
			continue;
		if (k3 && strcmp(rtable_format(t, r, (size_t)c3, RFMT_PLAIN, b3), v3) != 0)
			continue;
		return rtable_format(t, r, (size_t)c, RFMT_PLAIN, buf);
	}
	fail_msg("no row %s=%s in %s", k1, v1, t->name);
	return NULL;
}

/*
 * CCG 01A, practices A1..A5, every year 2014/15..2016/17 a list of 1000
 * weighted patients (and 1000, 1010, 1020 registered), core contract
 * £20,000 + £1,000 a year from 2014/15 (21,000 in 2015/16, 22,000 in
 * 2016/17), QOF £50,000 in the first two years; in 2016/17 QOF brings
 * each total to £100,000, £102,000, £104,000, £106,000 and £200,000.
 * Budget 2017/18: core £23,000 each (the line goes on), QOF £80,000.
 * CCG 02B: practice B1, opened in 2016/17 (history that year only).
 */
static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	static const int64_t total16[] = { 100000, 102000, 104000, 106000, 200000 };
	static char a0[] = "pcbudget", a1[] = "run";
	static char *argv[] = { a0, a1, NULL };
	size_t n = 0;

	f->ccgs[0] = (struct rr_ccg){ .code = "01A", .name = "NHS One", .n_practices = 5 };
	f->ccgs[1] = (struct rr_ccg){ .code = "02B", .name = "NHS Two", .n_practices = 1 };
	for (int i = 0; i < 5; i++) {
		static const char *const codes[] = { "A1", "A2", "A3", "A4", "A5" };
		struct rr_practice *p = &f->pr[i];

		*p = (struct rr_practice){ .code = codes[i], .name = "=HYPERLINK(\"x\")", .ccg = 0,
					   .contract_type = i == 0 ? "APMS" : "GMS", .in_budget = true,
					   .registered = 1030, .weighted = 1000000000000 };
		p->budget[CAT_CORE] = P(23000);
		p->budget[CAT_QOF] = P(80000);
		p->total = P(103000);
		for (int y = 2014; y <= 2016; y++) {
			struct rr_history *h = &f->h[n++];

			*h = (struct rr_history){ .year = y, .practice = (size_t)i,
						  .has_registered = true, .has_weighted = true,
						  .registered = 1000 + 10 * (y - 2014),
						  .weighted = 1000000000000 };
			h->paid[CAT_CORE] = P(20000 + 1000 * (y - 2014));
			h->paid[CAT_QOF] = y < 2016 ? P(50000) : P(total16[i] - 22000);
		}
		f->ccgs[0].budget[CAT_CORE] += p->budget[CAT_CORE];
		f->ccgs[0].budget[CAT_QOF] += p->budget[CAT_QOF];
	}
	/* A2 holds MPIG of £6,000 of its £103,000: 5.8%, dependent at 5% */
	f->pr[1].mpig = P(6000);
	f->pr[5] = (struct rr_practice){ .code = "B1", .name = "<script>alert(1)</script>", .ccg = 1,
					 .contract_type = "PMS", .in_budget = true, .registered = 500,
					 .weighted = 600000000000, .pms_premium = P(1000),
					 .pms_released = P(250) };
	f->pr[5].budget[CAT_CORE] = P(50000);
	f->pr[5].total = P(50000);
	f->ccgs[1].budget[CAT_CORE] = P(50000);
	f->h[n] = (struct rr_history){ .year = 2016, .practice = 5 };
	f->h[n++].paid[CAT_CORE] = P(45000);
	/* a year after the budget year is ignored */
	f->h[n] = (struct rr_history){ .year = 2018, .practice = 5 };
	f->h[n++].paid[CAT_CORE] = P(999999);
	for (int c = 0; c < 2; c++) {
		struct rr_ccg *cc = &f->ccgs[c];

		for (int k = 0; k < N_CATS; k++)
			cc->planned += cc->budget[k];
		cc->allocation = c == 0 ? P(530000) : P(49000);
		cc->contingency = cc->allocation / 200;
		cc->reserve = cc->allocation / 100;
		cc->headroom = cc->allocation - cc->planned - cc->contingency - cc->reserve;
	}
	f->co[0] = (struct rr_contract){ "C-A1", 0, "APMS", date_from_ymd(2018, 3, 31), P(103000) };
	f->co[1] = (struct rr_contract){ "C-A2", 1, "GMS", date_from_ymd(2018, 9, 30), P(23000) };
	f->co[2] = (struct rr_contract){ "C-A3", 2, "GMS", date_from_ymd(2019, 4, 1), P(23000) };

	mc_model_init(&f->model);
	for (int c = 0; c < 2; c++)
		mc_model_add_group(&f->model, f->ccgs[c].code, f->ccgs[c].allocation,
				   f->ccgs[c].contingency, f->ccgs[c].reserve, 0);
	for (int i = 0; i < 6; i++) {
		struct mc_unit u = { .group = f->pr[i].ccg, .list_linked = f->pr[i].total };

		mc_model_add_unit(&f->model, &u);
	}
	f->rr = (struct runreport){
		.mode = "dataset", .dataset = "fixture", .source = "fixture", .year = 2017,
		.out_dir = "/nonexistent/out", .argc = 2, .argv = argv, .ccgs = f->ccgs, .n_ccgs = 2,
		.practices = f->pr, .n_practices = 6, .history = f->h, .n_history = n,
		.contracts = f->co, .n_contracts = 3, .contingency_rate = 5000,
		.reserve_rate = 10000, .history_years = 3, .outlier_k = 1.5,
		.mpig_dependency_ppm = 50000, .contract_soon_months = 12,
		.contract_warning_months = 24, .model = &f->model,
		.mc = { .seed = 1, .iterations = 300, .block_size = 100, .threads = 1 } };
	for (int s = 0; s < RISK_N_SCENARIOS; s++)
		if (risk_params_resolve((enum risk_scenario)s, risk_params_default, NULL,
					&f->rr.scenarios[s]))
			return -1;
	diag_set_quiet(true);	/* no progress lines */
	if (runreport_tables_build(&f->rr, &f->t) != ST_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	runreport_tables_release(&f->t);
	mc_model_release(&f->model);
	free(f);
	return 0;
}

static void test_runreport_history_sums_practices_per_ccg_and_year(void **state)
{
	struct fix *f = *state;
	const struct rtable *h = f->t.history;

	/*
	 * 01A 2016/17 total: 100,000 + 102,000 + 104,000 + 106,000 + 200,000
	 * = £612,000; registered 5 x 1,020 = 5,100 -> £120.00 a patient;
	 * weighted 5,000 -> £122.40.  2015/16: 5 x (21,000 + 50,000) =
	 * £355,000, change £257,000.
	 */
	assert_string_equal(cell(h, "amount", "ccg_code", "01A", "year", "2016/17", "category",
				 "total"), "612000.00");
	assert_string_equal(cell(h, "registered_list", "ccg_code", "01A", "year", "2016/17",
				 "category", "total"), "5100");
	assert_string_equal(cell(h, "weighted_list", "ccg_code", "01A", "year", "2016/17",
				 "category", "total"), "5000");
	assert_string_equal(cell(h, "per_registered_patient", "ccg_code", "01A", "year",
				 "2016/17", "category", "total"), "120.00");
	assert_string_equal(cell(h, "per_weighted_patient", "ccg_code", "01A", "year",
				 "2016/17", "category", "total"), "122.40");
	assert_string_equal(cell(h, "change", "ccg_code", "01A", "year", "2016/17", "category",
				 "total"), "257000.00");
	/* the budget row: £5 x 103,000 = £515,000 against £612,000: -£97,000 */
	assert_string_equal(cell(h, "basis", "ccg_code", "01A", "year", "2017/18", "category",
				 "total"), "budget");
	assert_string_equal(cell(h, "change", "ccg_code", "01A", "year", "2017/18", "category",
				 "total"), "-97000.00");
	/* list change 2015/16 -> 2016/17: 5,050 -> 5,100 = 0.99% -> "1.0" */
	assert_string_equal(cell(h, "list_change_percent", "ccg_code", "01A", "year", "2016/17",
				 "category", "total"), "1.0");
	/* 02B has 2016/17 only; no lists in its history: per-patient empty */
	assert_string_equal(cell(h, "amount", "ccg_code", "02B", "year", "2016/17", "category",
				 "core_contract"), "45000.00");
	assert_string_equal(cell(h, "per_registered_patient", "ccg_code", "02B", "year",
				 "2016/17", "category", "core_contract"), "");
	/* two CCGs: a TOTAL block, 2016/17 = 612,000 + 45,000 */
	assert_string_equal(cell(h, "amount", "ccg_code", "TOTAL", "year", "2016/17", "category",
				 "total"), "657000.00");
	/* 2018/19 (after the budget year) is nowhere */
	for (size_t r = 0; r < h->n_rows; r++) {
		char b[RTABLE_BUFSZ];

		assert_string_not_equal(rtable_format(h, r, 1, RFMT_PLAIN, b), "2018/19");
	}
}

static void test_runreport_finds_the_practice_that_stands_out(void **state)
{
	struct fix *f = *state;

	/* £ per weighted patient 100, 102, 104, 106, 200: fences 96 and 112 */
	assert_int_equal(f->t.n_outliers, 1);
	assert_true(f->t.is_high[4]);
	assert_close(f->t.fence_lo[0], 96, 0, 1e-9);
	assert_close(f->t.fence_hi[0], 112, 0, 1e-9);
	assert_close(f->t.median[0], 104, 0, 1e-9);
	/* 02B has one practice: not assessed against fences */
	assert_true(isnan(f->t.fence_lo[1]));
	assert_int_equal(f->t.outliers->n_rows, 1);
	assert_string_equal(cell(f->t.outliers, "paid_per_weighted_patient", "practice_code",
				 "A5", NULL, NULL, NULL, NULL), "200.00");
	assert_string_equal(cell(f->t.outliers, "direction", "practice_code", "A5", NULL, NULL,
				 NULL, NULL), "above");
	assert_string_equal(cell(f->t.practices, "outlier", "practice_code", "A1", NULL, NULL,
				 NULL, NULL), "no");
	/* list growth of A1: 1,000 in 2014/15 to 1,030 in 2017/18 over 3 years:
	 * 1.03^(1/3) - 1 = 0.99016% -> "0.99" */
	assert_string_equal(cell(f->t.practices, "list_growth_percent", "practice_code", "A1",
				 NULL, NULL, NULL, NULL), "0.99");
	/* MPIG: A2 6,000 / 103,000 = 5.83% >= 5%: dependent */
	assert_int_equal(f->t.n_mpig_dependent, 1);
	assert_string_equal(cell(f->t.practices, "mpig_dependent", "practice_code", "A2", NULL,
				 NULL, NULL, NULL), "yes");
	/* PMS premium: 1,000 of which 250 released: 750 to go */
	assert_string_equal(cell(f->t.practices, "pms_premium_remaining", "practice_code", "B1",
				 NULL, NULL, NULL, NULL), "750.00");
}

static void test_runreport_lists_contracts_ending_within_24_months(void **state)
{
	struct fix *f = *state;
	const struct rtable *c = f->t.contracts;

	/* 2018-03-31: month 12 (within 12); 2018-09-30: 18 (within 24); 2019-04-01: 25, out */
	assert_int_equal(c->n_rows, 2);
	assert_int_equal(f->t.n_ending, 2);
	assert_int_equal(f->t.n_ending_soon, 1);
	assert_string_equal(cell(c, "ends_within_months", "contract_id", "C-A1", NULL, NULL,
				 NULL, NULL), "12");
	assert_string_equal(cell(c, "months_from_year_start", "contract_id", "C-A2", NULL, NULL,
				 NULL, NULL), "18");
	assert_string_equal(cell(c, "ends_within_months", "contract_id", "C-A2", NULL, NULL,
				 NULL, NULL), "24");
}

static void test_runreport_projects_a_straight_line_and_flags_short_series(void **state)
{
	struct fix *f = *state;
	const struct rtable *p = f->t.projections;

	/*
	 * 01A core: £100,000, 105,000, 110,000 paid, £115,000 budgeted: a
	 * straight line, so 2018/19 is £120,000 and 2022/23 £140,000 with no
	 * spread (the residuals are 0).
	 */
	assert_string_equal(cell(p, "projection", "ccg_code", "01A", "category", "core_contract",
				 "year", "2018/19"), "120000.00");
	assert_string_equal(cell(p, "hi95", "ccg_code", "01A", "category", "core_contract",
				 "year", "2018/19"), "120000.00");
	assert_string_equal(cell(p, "projection", "ccg_code", "01A", "category", "core_contract",
				 "year", "2022/23"), "140000.00");
	assert_string_equal(cell(p, "points", "ccg_code", "01A", "category", "core_contract",
				 "year", "2022/23"), "4");
	/* 02B: 2016/17 and the budget, 2 points: not projected, and it says so */
	assert_string_equal(cell(p, "projection", "ccg_code", "02B", "category", "core_contract",
				 "year", "2018/19"), "");
	assert_string_equal(cell(p, "flag", "ccg_code", "02B", "category", "core_contract",
				 "year", "2018/19"), "fewer than 3 years");
	assert_string_equal(cell(f->t.trend_check, "in_sample_mape", "ccg_code", "01A",
				 "category", "core_contract", NULL, NULL), "0.00");
}

static void test_runreport_summary_and_ledger_figures_copy_the_budget(void **state)
{
	struct fix *f = *state;
	size_t n;
	struct ledger_figure *lf = runreport_ledger_figures(&f->rr, &n);

	/* 01A: allocation 530,000 - planned 515,000 - 2,650 - 5,300 = 7,050 */
	assert_string_equal(cell(f->t.summary, "headroom", "ccg_code", "01A", NULL, NULL, NULL,
				 NULL), "7050.00");
	assert_string_equal(cell(f->t.summary, "headroom", "ccg_code", "TOTAL", NULL, NULL, NULL,
				 NULL), "5315.00");	/* 7,050 + (49,000 - 50,000 - 245 - 490) */
	assert_int_equal(n, 2 * RR_LEDGER_MEASURES);
	assert_string_equal(lf[0].ccg_code, "01A");
	assert_string_equal(lf[0].measure, "core_contract");
	assert_pence_eq(lf[0].pence, P(115000));
	assert_string_equal(lf[9].measure, "headroom");
	assert_pence_eq(lf[9].pence, P(7050));
	assert_string_equal(lf[15].measure, "planned_spend");
	assert_pence_eq(lf[15].pence, P(50000));
	free(lf);
	/* the risk table has exactly the documented columns, and a TOTAL row */
	{
		static const char *const want[] = {
			"ccg_code", "allocation", "p5", "p50", "p80", "p95", "mean",
			"prob_over_allocation", "prob_over_contingency",
			"prob_over_contingency_and_reserve", "expected_shortfall",
		};

		assert_int_equal(f->t.risk->n_cols, 11);
		for (size_t i = 0; i < 11; i++)
			assert_string_equal(f->t.risk->cols[i].name, want[i]);
		assert_int_equal(f->t.risk->n_rows, 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runreport_per_head_rounds_half_away_from_zero),
		cmocka_unit_test(test_runreport_tukey_fences_use_type_7_quartiles),
		cmocka_unit_test(test_runreport_counts_months_from_the_year_start),
		cmocka_unit_test(test_runreport_fixed_decimals_keep_every_digit),
		cmocka_unit_test(test_runreport_history_sums_practices_per_ccg_and_year),
		cmocka_unit_test(test_runreport_finds_the_practice_that_stands_out),
		cmocka_unit_test(test_runreport_lists_contracts_ending_within_24_months),
		cmocka_unit_test(test_runreport_projects_a_straight_line_and_flags_short_series),
		cmocka_unit_test(test_runreport_summary_and_ledger_figures_copy_the_budget),
	};

	return cmocka_run_group_tests_name("runreport", tests, setup, teardown);
}

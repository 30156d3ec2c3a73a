/*
 * test_backtest.c - CCG forecasts from earlier years, and their scores.
 *
 * Hand-worked panels check the arithmetic; a synthetic panel drawn from
 * the model the method assumes checks calibration; the real NHS Payments
 * files (when found) check the acceptance: p50 beats the naive
 * forecast and the 80% / 95% intervals cover 75-85% / 92-98% of CCG-years.
 * Normal quantiles: z(0.90) = 1.281552, z(0.975) = 1.959964.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "csvread.h"
#include "money.h"
#include "helpers.h"

static struct bt_practice practice(const char *code, const char *ccg,
				   int64_t core, int64_t qof)
{
	struct bt_practice p;

	memset(&p, 0, sizeof(p));
	p.code = code;
	p.ccg = ccg;
	p.pence[BT_CORE_CONTRACT] = core;
	p.pence[BT_QOF] = qof;
	return p;
}

/*
 * Two CCGs of one practice each, growing alike: x1.05 (2014/15 to
 * 2015/16), x1.10, x1.02.  A: 1,000,000 p in 2014/15 (600,000 core +
 * 400,000 QOF); B twice that.  Every CCG deviation is 0, so nat(t) = ln r.
 *
 * Target 2016/17: mu = ln 1.05 = 0.048790; one ratio, so s = 0.02 sqrt(1 + 1) = 0.028284;
 *   no earlier errors: the quantiles are mu + s z.
 *   A: naive 1,050,000, actual 1,155,000
 *     p50  = 1,050,000 x 1.05                          = 1,102,500
 *     lo80 = 1,102,500 x exp(-1.281552 x 0.028284)    = 1,063,252
 *     hi80 = 1,102,500 x exp(+0.036248)               = 1,143,196   (actual above: out)
 *     lo95 = 1,102,500 x exp(-1.959964 x 0.028284)    = 1,043,045
 *     hi95 = 1,102,500 x exp(+0.055436)               = 1,165,344   (actual inside)
 * Target 2017/18: mu = (ln 1.05 + ln 1.10) / 2 = 0.072050; centre = mu (deviations 0);
 *   the 2016/17 errors are ln 1.10 - ln 1.05 = 0.046520 for both CCGs, so every
 *   interval bound is centre + 0.046520 = 0.118570:
 *   A: naive 1,155,000, actual 1,178,100
 *     p50 = 1,155,000 x exp(0.072050) = 1,155,000 x 1.074709 = 1,241,289
 *     all bounds = 1,155,000 x exp(0.118570) = 1,155,000 x 1.125886 = 1,300,398
 * Scores (A and B alike):
 *   APE p50:   2016/17 52,500 / 1,155,000 = 0.045455; 2017/18 63,189 / 1,178,100 = 0.053637
 *   APE naive: 2016/17 105,000 / 1,155,000 = 0.090909; 2017/18 23,100 / 1,178,100 = 0.019608
 *   MAPE p50 = 0.049546, naive = 0.055258; cover80 0 of 4, cover95 2 of 4.
 */
static void test_backtest_matches_a_panel_worked_by_hand(void **state)
{
	struct bt_practice y0[] = { practice("A1", "A", 600000, 400000),
				    practice("B1", "B", 1200000, 800000) };
	struct bt_practice y1[] = { practice("A1", "A", 1050000, 0),
				    practice("B1", "B", 2100000, 0) };
	struct bt_practice y2[] = { practice("A1", "A", 1155000, 0),
				    practice("B1", "B", 2310000, 0) };
	struct bt_practice y3[] = { practice("A1", "A", 1178100, 0),
				    practice("B1", "B", 2356200, 0) };
	struct bt_year years[] = { { 2014, y0, 2 }, { 2015, y1, 2 },
				   { 2016, y2, 2 }, { 2017, y3, 2 } };
	struct bt_panel panel = { years, 4 };
	struct bt_options opt = bt_default_options();
	struct bt_result r;
	struct bt_summary s;
	const struct bt_row *a16, *b16, *a17;

	(void)state;
	assert_int_equal(backtest_run(&panel, 2016, 2017, &opt, &r), 0);
	assert_int_equal(r.n_rows, 4);
	a16 = &r.rows[0];
	b16 = &r.rows[1];
	a17 = &r.rows[2];
	assert_int_equal(a16->target_year, 2016);
	assert_string_equal(a16->ccg, "A");
	assert_string_equal(b16->ccg, "B");
	assert_int_equal(a17->target_year, 2017);
	assert_int_equal(a16->flags, 0);
	assert_true(a16->projected);
	assert_pence_eq(a16->actual, 1155000);
	assert_pence_eq(a16->naive, 1050000);
	assert_pence_eq(a16->p50, 1102500);
	assert_pence_eq(a16->lo80, 1063252);
	assert_pence_eq(a16->hi80, 1143196);
	assert_pence_eq(a16->lo95, 1043045);
	assert_pence_eq(a16->hi95, 1165344);
	assert_pence_eq(b16->p50, 2205000);
	assert_pence_eq(a17->naive, 1155000);
	assert_pence_eq(a17->p50, 1241289);
	assert_pence_eq(a17->lo80, 1300398);
	assert_pence_eq(a17->hi95, 1300398);

	backtest_summarise(r.rows, r.n_rows, 0, &s);
	assert_int_equal(s.n_rows, 4);
	assert_close(s.mape_p50, (0.045455 + 0.053637) / 2, 0, 2e-6);
	assert_close(s.mape_naive, (0.090909 + 0.019608) / 2, 0, 2e-6);
	assert_close(s.cover80, 0.0, 0, 0);
	assert_close(s.cover95, 0.5, 0, 0);
	assert_int_equal(s.n_budget, 0);
	assert_true(isnan(s.mape_budget));
	backtest_summarise(r.rows, r.n_rows, 2016, &s);
	assert_int_equal(s.n_rows, 2);
	assert_close(s.cover95, 1.0, 0, 0);
	bt_result_release(&r);
}

/*
 * Attribution.  P1 stays in X; P2 moves from X to Y in 2015/16; P3 closes
 * after 2014/15; P4 opens in Y in 2015/16; P5 opens in Z in 2016/17.
 *   2016/17 X: actual P1 12,000;          naive P1's 2015/16 = 11,000
 *           Y: actual P2 23,000 + P4 6,000 = 29,000; naive 22,000 + 5,000 = 27,000
 *           Z: actual P5 7,000; naive 0 -> no history, not projected
 */
static void test_backtest_attributes_practices_to_their_target_year_ccg(void **state)
{
	struct bt_practice y0[] = { practice("P1", "X", 10000, 0),
				    practice("P2", "X", 20000, 0),
				    practice("P3", "Y", 30000, 0) };
	struct bt_practice y1[] = { practice("P2", "Y", 22000, 0),
				    practice("P1", "X", 11000, 0),
				    practice("P4", "Y", 5000, 0) };
	struct bt_practice y2[] = { practice("P5", "Z", 7000, 0),
				    practice("P4", "Y", 6000, 0),
				    practice("P2", "Y", 23000, 0),
				    practice("P1", "X", 12000, 0) };
	struct bt_year years[] = { { 2014, y0, 3 }, { 2015, y1, 3 }, { 2016, y2, 4 } };
	struct bt_panel panel = { years, 3 };
	struct bt_options opt = bt_default_options();
	struct bt_result r;

	(void)state;
	assert_int_equal(backtest_run(&panel, 2016, 2016, &opt, &r), 0);
	assert_int_equal(r.n_rows, 3);
	assert_string_equal(r.rows[0].ccg, "X");
	assert_pence_eq(r.rows[0].actual, 12000);
	assert_pence_eq(r.rows[0].naive, 11000);
	assert_true(r.rows[0].projected);
	assert_string_equal(r.rows[1].ccg, "Y");
	assert_pence_eq(r.rows[1].actual, 29000);
	assert_pence_eq(r.rows[1].naive, 27000);
	assert_string_equal(r.rows[2].ccg, "Z");
	assert_pence_eq(r.rows[2].naive, 0);
	assert_int_equal(r.rows[2].flags, BT_NO_HISTORY);
	assert_false(r.rows[2].projected);
	bt_result_release(&r);
}

static void test_backtest_refuses_a_malformed_panel(void **state)
{
	struct bt_practice ok[] = { practice("P1", "X", 100, 0) };
	struct bt_practice dup[] = { practice("P1", "X", 100, 0),
				     practice("P1", "Y", 100, 0) };
	struct bt_year gap[] = { { 2014, ok, 1 }, { 2015, ok, 1 }, { 2017, ok, 1 } };
	struct bt_year twice[] = { { 2014, ok, 1 }, { 2015, dup, 2 }, { 2016, ok, 1 } };
	struct bt_year fine[] = { { 2014, ok, 1 }, { 2015, ok, 1 }, { 2016, ok, 1 } };
	struct bt_panel p_gap = { gap, 3 }, p_twice = { twice, 3 }, p_fine = { fine, 3 };
	struct bt_options opt = bt_default_options();
	struct bt_result r;

	(void)state;
	capture_begin();
	assert_int_equal(backtest_run(&p_gap, 2016, 2016, &opt, &r), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: the panel's years must be consecutive and ascending "
		"(2017 follows 2015)\n");
	capture_begin();
	assert_int_equal(backtest_run(&p_twice, 2016, 2016, &opt, &r), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: year 2015/16: practice 'P1' is listed twice\n");
	capture_begin();
	assert_int_equal(backtest_run(&p_fine, 2015, 2016, &opt, &r), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: target years 2015 to 2016: each needs two earlier "
		"years in the panel, which covers 2014 to 2016\n");
	assert_int_equal(r.n_rows, 0);
	capture_begin();
	assert_int_equal(backtest_run(&p_fine, 2016, 2016, &opt, &r), 0);
	assert_string_equal(capture_end(), "");
	assert_pence_eq(r.rows[0].p50, 100);	/* no growth: 100 x exp(0) */
	bt_result_release(&r);
}

/*
 * The mixture mu + D + s Z:
 *   one deviation 0: the normal quantile mu + s z(p): 0.5 + 0.1 x 1.959964 = 0.6959964
 *   deviations -1 and +1: F(x) = (Phi((x + 1)/s) + Phi((x - 1)/s)) / 2;
 *     F(mu - 1) = (0.5 + Phi(-2/s)) / 2 = 0.25 for small s, and by symmetry
 *     the median is mu.
 */
static void test_backtest_mixture_quantile_matches_closed_forms(void **state)
{
	static const double zero[] = { 0.0 };
	static const double pm1[] = { -1.0, 1.0 };

	(void)state;
	assert_close(backtest_mixture_quantile(zero, 1, 0.5, 0.1, 0.975), 0.6959964, 0, 1e-7);
	assert_close(backtest_mixture_quantile(zero, 1, 0.5, 0.1, 0.5), 0.5, 0, 1e-11);
	assert_close(backtest_mixture_quantile(pm1, 2, 3.0, 0.01, 0.25), 2.0, 0, 1e-9);
	assert_close(backtest_mixture_quantile(pm1, 2, 3.0, 0.5, 0.5), 3.0, 0, 1e-9);
	assert_true(isnan(backtest_mixture_quantile(pm1, 0, 0.0, 0.1, 0.5)));
	assert_true(isnan(backtest_mixture_quantile(pm1, 2, 0.0, 0.0, 0.5)));
	assert_true(isnan(backtest_mixture_quantile(pm1, 2, 0.0, 0.1, 1.0)));
}

/*
 * Scores by hand, with budgets: actual 100, 200, 400 (pence);
 *   p50 110, 190, 400 -> APE 0.10, 0.05, 0 -> MAPE 0.05
 *   naive 90, 180, 300 -> APE 0.10, 0.10, 0.25 -> MAPE 0.15
 *   budget on the first two only: 105, 220 -> APE 0.05, 0.10 -> 0.075
 *   80%: [95,105] holds 100; [195,199] misses 200; [400,400] holds 400 -> 2/3
 *   95%: all hold -> 1; a fourth row, not projected, is not scored.
 */
static void test_backtest_summary_scores_only_projected_rows(void **state)
{
	struct bt_row rows[4];

	(void)state;
	memset(rows, 0, sizeof(rows));
	rows[0] = (struct bt_row){ 2016, "A", 0, 100, 90, true, 105, true, 110, 95, 105, 90, 120 };
	rows[1] = (struct bt_row){ 2016, "B", 0, 200, 180, true, 220, true, 190, 195, 199, 150, 250 };
	rows[2] = (struct bt_row){ 2017, "A", 0, 400, 300, false, 0, true, 400, 400, 400, 400, 400 };
	rows[3] = (struct bt_row){ 2017, "C", BT_NO_HISTORY, 50, 0, false, 0, false, 0, 0, 0, 0, 0 };
	{
		struct bt_summary s;

		backtest_summarise(rows, 4, 0, &s);
		assert_int_equal(s.n_rows, 3);
		assert_close(s.mape_p50, 0.05, 0, 1e-12);
		assert_close(s.mape_naive, 0.15, 0, 1e-12);
		assert_int_equal(s.n_budget, 2);
		assert_close(s.mape_budget, 0.075, 0, 1e-12);
		assert_close(s.cover80, 2.0 / 3.0, 0, 1e-12);
		assert_close(s.cover95, 1.0, 0, 0);
		backtest_summarise(rows, 4, 2019, &s);
		assert_int_equal(s.n_rows, 0);
		assert_true(isnan(s.mape_p50) && isnan(s.cover80));
	}
}

/*
 * A panel drawn from the model the method assumes: 9 years, 80 CCGs of
 * 12 practices; log growth of practice p in CCG c in year t =
 * n_t + u_ct + e_pt with n_t ~ N(0.03, 0.015^2), u_ct ~ N(0, 0.04^2),
 * e_pt ~ N(0, 0.02^2).  Seven target years share seven national draws, so
 * coverage is itself noisy (sd about 0.05 at 80%); the test only rules
 * out gross miscalibration and checks that p50 beats naive.
 */
static void test_backtest_is_roughly_calibrated_on_its_own_model(void **state)
{
	enum { NY = 9, NC = 80, NP = 12 };
	static struct bt_practice pr[NY][NC * NP];
	static char codes[NC * NP][8], ccgs[NC][8];
	struct bt_year years[NY];
	struct bt_panel panel = { years, NY };
	struct bt_options opt = bt_default_options();
	struct bt_result r;
	struct bt_summary s;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
	double level[NC * NP];

	(void)state;
	gsl_rng_set(g, 12345);
	for (int c = 0; c < NC; c++)
		snprintf(ccgs[c], sizeof(ccgs[c]), "C%02d", c % 100);
	for (int i = 0; i < NC * NP; i++) {
		snprintf(codes[i], sizeof(codes[i]), "P%04d", i % 10000);
		level[i] = log(5e7 + 1e8 * gsl_rng_uniform(g));
	}
	for (int t = 0; t < NY; t++) {
		double n_t = 0.03 + gsl_ran_gaussian(g, 0.015);

		for (int c = 0; c < NC; c++) {
			double u = gsl_ran_gaussian(g, 0.04);

			for (int k = 0; k < NP; k++) {
				int i = c * NP + k;

				if (t > 0)
					level[i] += n_t + u + gsl_ran_gaussian(g, 0.02);
				pr[t][i] = practice(codes[i], ccgs[c], llround(exp(level[i])), 0);
			}
		}
		years[t].start_year = 2014 + t;
		years[t].practices = pr[t];
		years[t].n_practices = NC * NP;
	}
	gsl_rng_free(g);
	assert_int_equal(backtest_run(&panel, 2016, 2022, &opt, &r), 0);
	assert_int_equal(r.n_rows, 7 * NC);
	backtest_summarise(r.rows, r.n_rows, 0, &s);
	assert_int_equal(s.n_rows, 7 * NC);
	assert_true(s.mape_p50 < s.mape_naive);
	assert_in_range((long)(s.cover80 * 100), 65, 92);
	assert_in_range((long)(s.cover95 * 100), 85, 100);
	bt_result_release(&r);
}

/* ---- the real data ------------------------------------------------------
 * A minimal stand-in for the payments importer (issue 3), enough to feed
 * the backtest: columns by category from column_map.csv, amounts with
 * money_parse; any unreadable cell fails the test.
 */
#define REAL_YEARS 9
static const char *const real_years[REAL_YEARS] = {
	"14-15", "15-16", "16-17", "17-18", "18-19", "19-20", "20-21", "21-22", "22-23"
};
static const char *const real_cats[BT_N_CATEGORIES] = {
	"core_contract", "enhanced_services", "qof", "premises", "discretionary"
};

struct real_year {
	struct csv_table t;
	struct bt_practice *p;
};

/* Column of raw header h in t, or -1. */
static long real_col(const struct csv_table *t, const char *h)
{
	char *norm = csv_normalise_name(h, strlen(h));
	long c = csv_find_col(t, norm);

	free(norm);
	return c;
}

static int real_load(const char *dir, struct real_year ry[REAL_YEARS],
		     struct bt_year years[REAL_YEARS])
{
	struct csv_table map;
	char path[4096];

	snprintf(path, sizeof(path), "%s/nhs-payments/column_map.csv", dir);
	csv_table_init(&map);
	if (csv_read_file(&map, path, NULL) != ST_OK)
		return -1;
	for (int y = 0; y < REAL_YEARS; y++) {
		struct csv_table *t = &ry[y].t;
		long cols[64], col_cat[64], c_code = -1, c_ccg = -1;
		size_t n_cols = 0;

		snprintf(path, sizeof(path), "%s/nhs-payments/%s.csv", dir, real_years[y]);
		csv_table_init(t);
		if (csv_read_file(t, path, NULL) != ST_OK)
			return -1;
		for (size_t r = 0; r < map.n_rows; r++) {
			const char *yr = csv_text(&map, csv_at(&map, r, 0));
			const char *raw = csv_text(&map, csv_at(&map, r, 2));
			const char *concept = csv_text(&map, csv_at(&map, r, 3));
			const char *cat = csv_text(&map, csv_at(&map, r, 4));

			if (strcmp(yr, real_years[y]) != 0)
				continue;
			if (strcmp(concept, "Practice Code") == 0)
				c_code = real_col(t, raw);
			if (strcmp(concept, "CCG Code") == 0)
				c_ccg = real_col(t, raw);
			for (int k = 0; k < BT_N_CATEGORIES; k++)
				if (strcmp(cat, real_cats[k]) == 0 && n_cols < 64) {
					cols[n_cols] = real_col(t, raw);
					col_cat[n_cols++] = k;
					if (cols[n_cols - 1] < 0)
						return -1;
				}
		}
		if (c_code < 0 || c_ccg < 0 || n_cols == 0)
			return -1;
		ry[y].p = calloc(t->n_rows, sizeof(struct bt_practice));
		for (size_t r = 0; r < t->n_rows; r++) {
			struct bt_practice *p = &ry[y].p[r];

			p->code = csv_text(t, csv_at(t, r, (size_t)c_code));
			p->ccg = csv_text(t, csv_at(t, r, (size_t)c_ccg));
			for (size_t k = 0; k < n_cols; k++) {
				const char *s = csv_text(t, csv_at(t, r, (size_t)cols[k]));
				int64_t v;

				if (money_parse(s, strlen(s), NUM_ROUND_REJECT, &v) != NUM_OK)
					return -1;
				p->pence[col_cat[k]] += v;
			}
		}
		years[y].start_year = 2014 + y;
		years[y].practices = ry[y].p;
		years[y].n_practices = t->n_rows;
	}
	csv_table_release(&map);
	return 0;
}

static void test_backtest_on_the_real_payments_is_calibrated(void **state)
{
	const char *dir = test_data_dir();
	struct real_year ry[REAL_YEARS];
	struct bt_year years[REAL_YEARS];
	struct bt_panel panel = { years, REAL_YEARS };
	struct bt_options opt = bt_default_options();
	struct bt_result r;
	struct bt_summary s;

	(void)state;
	if (!dir) {
		printf("skipped: real data not found\n");
		return;
	}
	memset(ry, 0, sizeof(ry));
	assert_int_equal(real_load(dir, ry, years), 0);
	assert_int_equal(backtest_run(&panel, 2016, 2022, &opt, &r), 0);
	for (int y = 2016; y <= 2022; y++) {
		backtest_summarise(r.rows, r.n_rows, y, &s);
		printf("  %d/%02d: %3zu CCGs  MAPE p50 %.2f%%  naive %.2f%%  cover80 %.3f  cover95 %.3f\n",
		       y, (y + 1) % 100, s.n_rows, 100 * s.mape_p50, 100 * s.mape_naive,
		       s.cover80, s.cover95);
	}
	backtest_summarise(r.rows, r.n_rows, 0, &s);
	printf("  all:    %zu CCG-years  MAPE p50 %.2f%%  naive %.2f%%  cover80 %.3f  cover95 %.3f\n",
	       s.n_rows, 100 * s.mape_p50, 100 * s.mape_naive, s.cover80, s.cover95);
	assert_true(s.mape_p50 < s.mape_naive);
	assert_true(s.cover80 >= 0.75 && s.cover80 <= 0.85);
	assert_true(s.cover95 >= 0.92 && s.cover95 <= 0.98);
	bt_result_release(&r);
	for (int y = 0; y < REAL_YEARS; y++) {
		csv_table_release(&ry[y].t);
		free(ry[y].p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backtest_matches_a_panel_worked_by_hand),
		cmocka_unit_test(test_backtest_attributes_practices_to_their_target_year_ccg),
		cmocka_unit_test(test_backtest_refuses_a_malformed_panel),
		cmocka_unit_test(test_backtest_mixture_quantile_matches_closed_forms),
		cmocka_unit_test(test_backtest_summary_scores_only_projected_rows),
		cmocka_unit_test(test_backtest_is_roughly_calibrated_on_its_own_model),
		cmocka_unit_test(test_backtest_on_the_real_payments_is_calibrated),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("backtest", tests, NULL, NULL);
}

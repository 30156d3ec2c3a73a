/*
 * test_pay_history.c - a CCG's history: practices attributed by their
 * latest CCG code (CCGs merge), sums, changes and per-patient amounts.
 *
 * Fixture tests/fixtures/payments/history/: in 2015/16 P00001 (CCG A),
 * P00002 (B) and P00003 (A); in 2016/17 A and B have merged into C
 * (P00001, P00002), P00003 has closed and P00004 opened in D.  All
 * expected values are worked out by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "helpers.h"
#include "pay_history.h"
#include "payments_io.h"

#define DIR "tests/fixtures/payments/history/"

static struct pay_year years[2];
static struct pay_colmap map;

static int setup(void **state)
{
	static char later[] = DIR "16-17.csv", earlier[] = DIR "15-16.csv";
	char *paths[2] = { later, earlier };	/* any order */
	struct pay_options o;

	(void)state;
	pay_options_init(&o);
	pay_colmap_init(&map);
	if (pay_colmap_load(&map, NULL) != ST_OK)
		return -1;
	return pay_read_years(years, paths, 2, 0, &map, &o) == ST_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pay_year_release(&years[0]);
	pay_year_release(&years[1]);
	pay_colmap_release(&map);
	return 0;
}

static void test_pay_history_attributes_practices_by_their_latest_ccg(void **state)
{
	struct pay_history h;
	const struct pay_hist_year *a, *b;

	(void)state;
	pay_history_init(&h);
	assert_int_equal(pay_history_build(&h, years, 2, "C", 3), ST_OK);
	assert_string_equal(h.ccg_name, "CCG C (A and B merged)");
	assert_int_equal(h.attribution_year, 2016);
	assert_int_equal(h.n, 2);	/* only two years given */
	a = &h.years[0];
	b = &h.years[1];
	assert_string_equal(a->label, "2015/16");
	/* 2015/16: P00001 (then A) and P00002 (then B); not P00003 (closed, A) */
	assert_int_equal(a->ccg.practices, 2);
	assert_pence_eq(a->ccg.amount[PAY_HIST_CORE_CONTRACT], 25000000);	/* 100000 + 150000 */
	assert_pence_eq(a->ccg.amount[PAY_HIST_QOF], 5000000);
	assert_pence_eq(a->ccg.amount[PAY_HIST_BUDGET], 30000000);
	assert_pence_eq(a->ccg.registered, 3000000000000LL);
	/* 2016/17: 105000 + 150000; QOF 21000 + 33000 */
	assert_pence_eq(b->ccg.amount[PAY_HIST_CORE_CONTRACT], 25500000);
	assert_pence_eq(b->ccg.amount[PAY_HIST_QOF], 5400000);
	assert_pence_eq(b->ccg.amount[PAY_HIST_TOTAL_PUBLISHED], 30900000);
	assert_pence_eq(b->ccg.weighted, 3001000000000LL);	/* 1111 + 1890 */
	/* England: all practices; 2015/16 total 120000 + 180000 + 40000 */
	assert_int_equal(a->national.practices, 3);
	assert_pence_eq(a->national.amount[PAY_HIST_TOTAL_PUBLISHED], 34000000);
	assert_pence_eq(b->national.amount[PAY_HIST_TOTAL_PUBLISHED], 37400000);
	assert_pence_eq(b->national.registered, 3800000000000LL);
	pay_history_release(&h);
}

static void test_pay_history_keeps_the_last_n_years(void **state)
{
	struct pay_history h;

	(void)state;
	pay_history_init(&h);
	assert_int_equal(pay_history_build(&h, years, 2, "D", 1), ST_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.years[0].label, "2016/17");
	assert_int_equal(h.years[0].ccg.practices, 1);
	assert_pence_eq(h.years[0].ccg.amount[PAY_HIST_BUDGET], 6500000);
	pay_history_release(&h);
}

static void test_pay_history_rejects_a_ccg_gone_by_the_latest_year(void **state)
{
	struct pay_history h;

	(void)state;
	pay_history_init(&h);
	capture_begin();
	assert_int_equal(pay_history_build(&h, years, 2, "A", 3), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: no practice belongs to CCG 'A' in 2016/17 ('"
			    DIR "16-17.csv')\n");
	pay_history_release(&h);
}

static void test_pay_history_computes_changes_and_per_patient_amounts(void **state)
{
	int64_t v = 0;

	(void)state;
	/* core 250000.00 -> 255000.00: +2.0% */
	assert_int_equal(pay_change_permille(25000000, 25500000, &v), 0);
	assert_pence_eq(v, 20);
	/* QOF 50000 -> 54000: +8.0%; 3 -> 2: -33.33% -> -33.3 */
	assert_int_equal(pay_change_permille(5000000, 5400000, &v), 0);
	assert_pence_eq(v, 80);
	assert_int_equal(pay_change_permille(3, 2, &v), 0);
	assert_pence_eq(v, -333);
	/* 2 -> 3: +50.0%; 1 -> 0: -100.0%; 0 -> 5: none */
	assert_int_equal(pay_change_permille(2, 3, &v), 0);
	assert_pence_eq(v, 500);
	assert_int_equal(pay_change_permille(1, 0, &v), 0);
	assert_pence_eq(v, -1000);
	assert_int_equal(pay_change_permille(0, 5, &v), -1);
	/* a negative base: -200 -> -100 is +50.0% */
	assert_int_equal(pay_change_permille(-200, -100, &v), 0);
	assert_pence_eq(v, 500);
	/* 3/2000 = 0.15%, i.e. 1.5 tenths: half away from zero -> 0.2% */
	assert_int_equal(pay_change_permille(2000, 2003, &v), 0);
	assert_pence_eq(v, 2);
	assert_int_equal(pay_change_permille(2000, 1997, &v), 0);
	assert_pence_eq(v, -2);
	/* 255000.00 / 3000 patients = 85.00; / 3001 = 84.9717 -> 84.97 */
	assert_int_equal(pay_per_patient(25500000, 3000000000000LL, &v), 0);
	assert_pence_eq(v, 8500);
	assert_int_equal(pay_per_patient(25500000, 3001000000000LL, &v), 0);
	assert_pence_eq(v, 8497);
	/* England 2016/17 total 374000.00 / 3800 = 98.421 -> 98.42; -1 / 2 p -> -0.5 -> -1 */
	assert_int_equal(pay_per_patient(37400000, 3800000000000LL, &v), 0);
	assert_pence_eq(v, 9842);
	assert_int_equal(pay_per_patient(-1, 2000000000LL, &v), 0);
	assert_pence_eq(v, -1);
	assert_int_equal(pay_per_patient(100, 0, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pay_history_attributes_practices_by_their_latest_ccg),
		cmocka_unit_test(test_pay_history_keeps_the_last_n_years),
		cmocka_unit_test(test_pay_history_rejects_a_ccg_gone_by_the_latest_year),
		cmocka_unit_test(test_pay_history_computes_changes_and_per_patient_amounts),
	};

	return cmocka_run_group_tests_name("pay_history", tests, setup, teardown);
}

/*
 * test_bt_payments.c - the backtest's panel built from imported payments
 * years: the fixture files of tests/fixtures/backtest/ (README.md there
 * has every practice's amounts), gaps between years, and the check of
 * the target years.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bt_payments.h"
#include "payments_io.h"
#include "helpers.h"

#define FIX "tests/fixtures/backtest/"

struct loaded {
	struct pay_colmap m;
	struct pay_options o;
	struct pay_year years[4];
	size_t n;
};

/* Reads the fixture files named in files[0..n) (in any order). */
static void load(struct loaded *l, const char *const *files, size_t n)
{
	char *paths[4] = { NULL, NULL, NULL, NULL };

	memset(l, 0, sizeof(*l));
	pay_options_init(&l->o);
	pay_colmap_init(&l->m);
	assert_int_equal(pay_colmap_load(&l->m, NULL), ST_OK);
	for (size_t i = 0; i < n; i++)
		paths[i] = strdup(files[i]);
	assert_int_equal(pay_read_years(l->years, paths, n, 0, &l->m, &l->o), ST_OK);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	l->n = n;
}

static void unload(struct loaded *l)
{
	for (size_t i = 0; i < l->n; i++)
		pay_year_release(&l->years[i]);
	pay_colmap_release(&l->m);
}

static const struct bt_practice *find(const struct bt_year *y, const char *code)
{
	for (size_t i = 0; i < y->n_practices; i++)
		if (strcmp(y->practices[i].code, code) == 0)
			return &y->practices[i];
	return NULL;
}

/*
 * 17-18.csv, A81002 (moved to 00M): Global Sum 37,499.29, Minor Surgery
 * 2,678.52, QOF 8,035.56, Premises 4,285.63, Seniority 1,071.40.
 * A81001: its 1,000.00 of childhood immunisation is in no category:
 * 81,026.40 + 5,787.60 + 17,362.80 + 9,260.16 + 2,315.04 = 115,752.00.
 */
static void test_bt_payments_builds_the_panel_from_the_fixture_years(void **state)
{
	static const char *const files[] = {
		FIX "17-18.csv", FIX "15-16.csv", FIX "14-15.csv", FIX "16-17.csv",
	};
	struct loaded l;
	struct bt_payments bp;
	const struct bt_practice *p;
	const struct bt_year *y;
	int64_t sum = 0;

	(void)state;
	load(&l, files, 4);
	bt_payments_init(&bp);
	assert_int_equal(bt_payments_build(&bp, l.years, l.n), ST_OK);
	assert_int_equal(bp.panel.n_years, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(bp.panel.years[i].start_year, 2014 + i);
	assert_int_equal(bp.panel.years[0].n_practices, 3);
	assert_int_equal(bp.panel.years[2].n_practices, 4);
	y = &bp.panel.years[3];
	p = find(y, "A81002");
	assert_non_null(p);
	assert_string_equal(p->ccg, "00M");
	assert_pence_eq(p->pence[BT_CORE_CONTRACT], 3749929);
	assert_pence_eq(p->pence[BT_ENHANCED_SERVICES], 267852);
	assert_pence_eq(p->pence[BT_QOF], 803556);
	assert_pence_eq(p->pence[BT_PREMISES], 428563);
	assert_pence_eq(p->pence[BT_DISCRETIONARY], 107140);
	p = find(&bp.panel.years[2], "A81002");
	assert_string_equal(p->ccg, "00K");
	p = find(y, "A81001");
	for (int k = 0; k < BT_N_CATEGORIES; k++)
		sum += p->pence[k];
	assert_pence_eq(sum, 11575200);
	assert_null(find(&bp.panel.years[1], "A81005"));
	assert_int_equal(bt_payments_check_range(&bp, 2016, 2017), ST_OK);
	capture_begin();
	assert_int_equal(bt_payments_check_range(&bp, 2017, 2016), ST_DATA);
	assert_string_equal(capture_end(),
		"pcbudget: error: the first target year 2017/18 comes after the "
		"last, 2016/17\n");
	bt_payments_release(&bp);
	unload(&l);
}

static void test_bt_payments_reports_each_missing_year(void **state)
{
	static const char *const files[] = { FIX "17-18.csv", FIX "14-15.csv" };
	struct loaded l;
	struct bt_payments bp;

	(void)state;
	load(&l, files, 2);
	bt_payments_init(&bp);
	capture_begin();
	assert_int_equal(bt_payments_build(&bp, l.years, l.n), ST_DATA);
	assert_string_equal(capture_end(),
		"pcbudget: error: the payments files skip 2015/16: '" FIX "14-15.csv' "
		"is followed by '" FIX "17-18.csv'\n"
		"pcbudget: error: the payments files skip 2016/17: '" FIX "14-15.csv' "
		"is followed by '" FIX "17-18.csv'\n");
	assert_null(bp.years);
	bt_payments_release(&bp);
	unload(&l);
}

static void test_bt_payments_check_range_explains_each_limit(void **state)
{
	static const char *const files[] = {
		FIX "14-15.csv", FIX "15-16.csv", FIX "16-17.csv",
	};
	struct loaded l;
	struct bt_payments bp;

	(void)state;
	load(&l, files, 3);
	bt_payments_init(&bp);
	assert_int_equal(bt_payments_build(&bp, l.years, l.n), ST_OK);
	capture_begin();
	assert_int_equal(bt_payments_check_range(&bp, 2015, 2016), ST_DATA);
	assert_int_equal(bt_payments_check_range(&bp, 2016, 2017), ST_DATA);
	assert_int_equal(bt_payments_check_range(&bp, 2016, 2016), ST_OK);
	assert_string_equal(capture_end(),
		"pcbudget: error: target year 2015/16 needs payments for the two years "
		"before it; the files start with 2014/15, so the first target year can "
		"be 2016/17\n"
		"pcbudget: error: target year 2017/18 has no payments file; the files "
		"end with 2016/17\n");
	bp.panel.n_years = 2;	/* as if only 2014/15 and 2015/16 were given */
	capture_begin();
	assert_int_equal(bt_payments_check_range(&bp, 2016, 2016), ST_DATA);
	assert_string_equal(capture_end(),
		"pcbudget: error: the backtest needs payments for at least three "
		"consecutive years (two to learn from, one to test), but 2 years "
		"were given\n");
	bp.panel.n_years = 3;
	capture_begin();
	assert_int_equal(bt_payments_check_range(&bp, 2016, 2015), ST_DATA);
	assert_int_equal(bt_payments_check_range(&bp, 2017, 2016), ST_DATA);
	assert_string_equal(capture_end(),
		"pcbudget: error: target year 2015/16 needs payments for the two years "
		"before it; the files start with 2014/15, so the first target year can "
		"be 2016/17\n"
		"pcbudget: error: target year 2017/18 has no payments file; the files "
		"end with 2016/17\n");
	bt_payments_release(&bp);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bt_payments_builds_the_panel_from_the_fixture_years),
		cmocka_unit_test(test_bt_payments_reports_each_missing_year),
		cmocka_unit_test(test_bt_payments_check_range_explains_each_limit),
	};

	return cmocka_run_group_tests_name("bt_payments", tests, NULL, NULL);
}

/*
 * test_rtable.c - the report table model: builders, typed cells and the
 * one formatting every writer shares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "helpers.h"
#include "rtable.h"

static void test_rtable_formats_money_plain_and_for_people(void **state)
{
	struct rtable *t = rtable_new("m", "Money");
	char buf[RTABLE_BUFSZ];
	size_t c = rtable_add_col(t, "amount", "Amount (£)", RCOL_MONEY, 0);
	size_t r0 = rtable_add_row(t), r1 = rtable_add_row(t);
	size_t r2 = rtable_add_row(t);

	(void)state;
	rtable_set_money(t, r0, c, 123456789);	/* £1,234,567.89 */
	rtable_set_money(t, r1, c, -1250);	/* -£12.50 */
	/* r2 left unset: a missing value */
	assert_string_equal(rtable_format(t, r0, c, RFMT_PLAIN, buf), "1234567.89");
	assert_string_equal(rtable_format(t, r0, c, RFMT_DISPLAY, buf), "£1,234,567.89");
	assert_string_equal(rtable_format(t, r1, c, RFMT_PLAIN, buf), "-12.50");
	assert_string_equal(rtable_format(t, r1, c, RFMT_DISPLAY, buf), "-£12.50");
	assert_string_equal(rtable_format(t, r2, c, RFMT_PLAIN, buf), "");
	assert_string_equal(rtable_format(t, r2, c, RFMT_DISPLAY, buf), "");
	assert_false(rtable_cell(t, r2, c)->is_set);
	rtable_free(t);
}

static void test_rtable_formats_int_fixed_and_dates(void **state)
{
	struct rtable *t = rtable_new("n", "Numbers");
	char buf[RTABLE_BUFSZ];
	size_t ci = rtable_add_col(t, "n", NULL, RCOL_INT, 0);
	size_t cf = rtable_add_col(t, "weighted", "Weighted list", RCOL_FIXED, 6);
	size_t cd = rtable_add_col(t, "end", "Ends", RCOL_DATE, 0);
	size_t r = rtable_add_row(t), r2 = rtable_add_row(t);

	(void)state;
	rtable_set_int(t, r, ci, 1234567);
	rtable_set_fixed(t, r, cf, 5209497299);	/* 5209.497299 */
	rtable_set_date(t, r, cd, 17256);	/* date -u -d 2017-03-31 +%s / 86400 */
	rtable_set_int(t, r2, ci, -1000);
	rtable_set_fixed(t, r2, cf, -1500000);	/* -1.5 */
	rtable_set_date(t, r2, cd, -25508);	/* 1900-03-01 */
	assert_string_equal(rtable_format(t, r, ci, RFMT_PLAIN, buf), "1234567");
	assert_string_equal(rtable_format(t, r, ci, RFMT_DISPLAY, buf), "1,234,567");
	assert_string_equal(rtable_format(t, r2, ci, RFMT_DISPLAY, buf), "-1,000");
	assert_string_equal(rtable_format(t, r, cf, RFMT_PLAIN, buf), "5209.497299");
	assert_string_equal(rtable_format(t, r, cf, RFMT_DISPLAY, buf), "5,209.497299");
	assert_string_equal(rtable_format(t, r2, cf, RFMT_PLAIN, buf), "-1.500000");
	assert_string_equal(rtable_format(t, r, cd, RFMT_PLAIN, buf), "2017-03-31");
	assert_string_equal(rtable_format(t, r2, cd, RFMT_DISPLAY, buf), "1900-03-01");
	assert_close(rtable_number(t, r, cf), 5209.497299, 1e-15, 0.0);
	assert_close(rtable_number(t, r, cd), 17256.0, 0.0, 0.0);
	assert_string_equal(t->cols[ci].header, "n");	/* NULL header = name */
	rtable_free(t);
}

static void test_rtable_date_format_matches_the_calendar(void **state)
{
	/* day numbers from `date -u -d YYYY-MM-DD +%s` / 86400 */
	static const struct {
		int32_t days;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01" }, { -1, "1969-12-31" },
		{ 11016, "2000-02-29" }, { 20088, "2024-12-31" },
		{ -25508, "1900-03-01" }, { 17256, "2017-03-31" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(rtable_date_format(cases[i].days, buf),
				    cases[i].want);
}

static void test_rtable_formats_percent_from_ppm_and_fraction(void **state)
{
	struct rtable *t = rtable_new("p", "Percent");
	char buf[RTABLE_BUFSZ];
	size_t c1 = rtable_add_col(t, "one", NULL, RCOL_PERCENT, 1);
	size_t c2 = rtable_add_col(t, "two", NULL, RCOL_PERCENT, 2);
	size_t r0 = rtable_add_row(t), r1 = rtable_add_row(t);
	size_t r2 = rtable_add_row(t);

	(void)state;
	/* 51,500 ppm = 5.15%: one decimal rounds half away from zero to 5.2 */
	rtable_set_percent_ppm(t, r0, c1, 51500);
	rtable_set_percent_ppm(t, r1, c1, -51500);
	rtable_set_percent_ppm(t, r2, c1, -400);	/* -0.04% -> 0.0, no sign */
	rtable_set_percent(t, r0, c2, 0.0515);
	rtable_set_percent(t, r1, c2, 1.0);
	rtable_set_percent(t, r2, c2, -0.00001);	/* -0.001% -> 0.00 */
	assert_string_equal(rtable_format(t, r0, c1, RFMT_PLAIN, buf), "5.2");
	assert_string_equal(rtable_format(t, r0, c1, RFMT_DISPLAY, buf), "5.2%");
	assert_string_equal(rtable_format(t, r1, c1, RFMT_DISPLAY, buf), "-5.2%");
	assert_string_equal(rtable_format(t, r2, c1, RFMT_DISPLAY, buf), "0.0%");
	assert_string_equal(rtable_format(t, r0, c2, RFMT_PLAIN, buf), "5.15");
	assert_string_equal(rtable_format(t, r1, c2, RFMT_DISPLAY, buf), "100.00%");
	assert_string_equal(rtable_format(t, r2, c2, RFMT_DISPLAY, buf), "0.00%");
	assert_close(rtable_number(t, r0, c1), 0.0515, 1e-15, 0.0);
	assert_close(rtable_number(t, r0, c2), 0.0515, 1e-15, 0.0);
	rtable_free(t);
}

static void test_rtable_marks_formula_text_for_neutralising(void **state)
{
	struct rtable *t = rtable_new("x", "Text");
	size_t ct = rtable_add_col(t, "name", "Name", RCOL_TEXT, 0);
	size_t cc = rtable_add_col(t, "code", "Code", RCOL_CODE, 0);
	size_t r = rtable_add_row(t), r2 = rtable_add_row(t);

	(void)state;
	rtable_set_text(t, r, ct, "=HYPERLINK(\"x\")");
	rtable_set_text(t, r, cc, "A81001");
	rtable_set_text(t, r2, ct, "Dr Who");
	rtable_set_text(t, r2, cc, "-oops");	/* a code cannot smuggle a formula */
	assert_true(rtable_cell(t, r, ct)->neutralise);
	assert_false(rtable_cell(t, r, cc)->neutralise);
	assert_false(rtable_cell(t, r2, ct)->neutralise);
	assert_true(rtable_cell(t, r2, cc)->neutralise);
	/* replacing a value re-evaluates the flag and frees the old text */
	rtable_set_text(t, r, ct, "plain");
	assert_false(rtable_cell(t, r, ct)->neutralise);
	rtable_set_text(t, r, ct, NULL);
	assert_false(rtable_cell(t, r, ct)->is_set);
	rtable_free(t);
}

static void test_rtable_money_total_sums_exactly_and_detects_overflow(void **state)
{
	struct rtable *t = rtable_new("tot", "Totals");
	size_t c = rtable_add_col(t, "amount", NULL, RCOL_MONEY, 0);
	int64_t sum = 42;

	(void)state;
	/* 0.10 + 0.20 + -0.05 + (unset) = 0.25 exactly */
	rtable_set_money(t, rtable_add_row(t), c, 10);
	rtable_set_money(t, rtable_add_row(t), c, 20);
	rtable_set_money(t, rtable_add_row(t), c, -5);
	(void)rtable_add_row(t);
	assert_int_equal(rtable_money_total(t, c, &sum), 0);
	assert_pence_eq(sum, 25);
	rtable_set_money(t, 3, c, INT64_MAX);
	sum = 42;
	assert_int_equal(rtable_money_total(t, c, &sum), -1);
	assert_pence_eq(sum, 42);
	rtable_free(t);
}

static void test_rtable_grows_rows_and_finds_columns(void **state)
{
	struct rtable *t = rtable_new("big", "Big");
	size_t a = rtable_add_col(t, "a", NULL, RCOL_INT, 0);
	size_t b = rtable_add_col(t, "b", NULL, RCOL_CODE, 0);
	char buf[RTABLE_BUFSZ], code[16];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		size_t r = rtable_add_row(t);

		rtable_set_int(t, r, a, i);
		snprintf(code, sizeof(code), "P%04d", i);
		rtable_set_text(t, r, b, code);
	}
	rtable_set_row_flags(t, 999, RROW_TOTAL);
	assert_int_equal(t->n_rows, 1000);
	assert_string_equal(rtable_format(t, 0, a, RFMT_PLAIN, buf), "0");
	assert_string_equal(rtable_format(t, 999, b, RFMT_PLAIN, buf), "P0999");
	assert_string_equal(rtable_format(t, 512, a, RFMT_PLAIN, buf), "512");
	assert_int_equal(t->row_flags[999], RROW_TOTAL);
	assert_int_equal(t->row_flags[998], 0);
	assert_int_equal(rtable_col_index(t, "b"), 1);
	assert_true(rtable_col_index(t, "zz") < 0);
	rtable_set_note(t, "Source: test");
	assert_string_equal(t->note, "Source: test");
	rtable_free(t);
	rtable_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtable_formats_money_plain_and_for_people),
		cmocka_unit_test(test_rtable_formats_int_fixed_and_dates),
		cmocka_unit_test(test_rtable_date_format_matches_the_calendar),
		cmocka_unit_test(test_rtable_formats_percent_from_ppm_and_fraction),
		cmocka_unit_test(test_rtable_marks_formula_text_for_neutralising),
		cmocka_unit_test(test_rtable_money_total_sums_exactly_and_detects_overflow),
		cmocka_unit_test(test_rtable_grows_rows_and_finds_columns),
	};

	return cmocka_run_group_tests_name("rtable", tests, NULL, NULL);
}

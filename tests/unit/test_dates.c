/*
 * test_dates.c - day numbers and financial years.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dates.h"
#include "helpers.h"

static void test_dates_counts_days_from_1970(void **state)
{
	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	/* 30 years of 365 days + 7 leap days (1972..1996) = 10957, + 31 + 28 */
	assert_int_equal(date_from_ymd(2000, 2, 29), 11016);
	/* 47 * 365 + 12 leap days (1972..2016) = 17167, + 31 + 28 + 31 */
	assert_int_equal(date_from_ymd(2017, 4, 1), 17257);
	assert_int_equal(date_from_ymd(1969, 12, 31), -1);
}

static void test_dates_round_trips_every_day_of_four_centuries(void **state)
{
	int32_t from = date_from_ymd(1900, 1, 1), to = date_from_ymd(2300, 12, 31);

	(void)state;
	for (int32_t d = from; d <= to; d++) {
		int y, m, dd;

		date_to_ymd(d, &y, &m, &dd);
		if (!date_valid(y, m, dd) || date_from_ymd(y, m, dd) != d)
			fail_msg("day %d -> %04d-%02d-%02d", d, y, m, dd);
	}
}

static void test_dates_parses_only_real_iso_dates(void **state)
{
	int32_t d = 42;
	char buf[DATE_BUFSZ];

	(void)state;
	assert_true(date_parse("2016-02-29", 10, &d));
	assert_string_equal(date_format(d, buf), "2016-02-29");
	assert_false(date_parse("2017-02-29", 10, &d));
	assert_false(date_parse("2017-13-01", 10, &d));
	assert_false(date_parse("2017-4-01", 9, &d));
	assert_false(date_parse("01/04/2017", 10, &d));
	assert_false(date_parse(" 2017-04-01", 11, &d));
	assert_false(date_parse("0000-01-01", 10, &d));
}

static void test_dates_knows_financial_years(void **state)
{
	char buf[DATE_BUFSZ];
	int y = 0;

	(void)state;
	assert_true(fy_parse("2017/18", 7, &y));
	assert_int_equal(y, 2017);
	assert_true(fy_parse("1999/00", 7, &y));
	assert_int_equal(y, 1999);
	assert_false(fy_parse("2017/19", 7, &y));
	assert_false(fy_parse("2017-18", 7, &y));
	assert_string_equal(fy_format(2019, buf), "2019/20");
	assert_string_equal(fy_format(1999, buf), "1999/00");
	assert_string_equal(date_format(fy_start(2017), buf), "2017-04-01");
	assert_string_equal(date_format(fy_end(2017), buf), "2018-03-31");
	/* 2015/16 holds 29 February 2016 */
	assert_int_equal(fy_days(2015), 366);
	assert_int_equal(fy_days(2016), 365);
	assert_int_equal(fy_of_date(date_from_ymd(2017, 3, 31)), 2016);
	assert_int_equal(fy_of_date(date_from_ymd(2017, 4, 1)), 2017);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_counts_days_from_1970),
		cmocka_unit_test(test_dates_round_trips_every_day_of_four_centuries),
		cmocka_unit_test(test_dates_parses_only_real_iso_dates),
		cmocka_unit_test(test_dates_knows_financial_years),
	};

	return cmocka_run_group_tests_name("dates", tests, NULL, NULL);
}

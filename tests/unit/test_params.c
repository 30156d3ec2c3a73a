/*
 * test_params.c - the parameter file: typed values, defaults by year,
 * and every diagnostic compared as whole text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "params.h"
#include "helpers.h"

static const struct param_spec specs[] = {
	{ "run", "budget_year", PARAM_STRING, NULL, "", "test", "" },
	{ "run", "valuation_date", PARAM_DATE, NULL, "", "test", "" },
	{ "2016/17", "global_sum_price", PARAM_MONEY, "80.59", "£", "test", "" },
	{ "2017/18", "global_sum_price", PARAM_MONEY, "85.35", "£", "test", "" },
	{ PARAM_YEARLY, "global_sum_price", PARAM_MONEY, NULL, "£", "test", "" },
	{ "2016/17", "ooh_deduction", PARAM_RATE, "5.15%", "", "test", "" },
	{ PARAM_YEARLY, "ooh_deduction", PARAM_RATE, NULL, "", "test", "" },
	{ PARAM_YEARLY, "contingency_rate", PARAM_RATE, "0.5%", "", "test", "" },
	{ PARAM_YEARLY, "national_average_list", PARAM_DECIMAL, NULL, "", "test", "" },
	{ PARAM_YEARLY, "qof_points_available", PARAM_INT, "559", "", "test", "" },
	{ PARAM_YEARLY, "probability_weighted", PARAM_BOOL, "no", "", "test", "" },
	{ "2016/17", "es_unplanned_admissions", PARAM_MONEY, "2.87", "", "test", "" },
	{ "2017/18", "es_unplanned_admissions", PARAM_MONEY, NULL, "", "test", "" },
	{ PARAM_YEARLY, "es_unplanned_admissions", PARAM_MONEY, "9.99", "", "test", "" },
};
#define N_SPECS (sizeof(specs) / sizeof(specs[0]))

/* Loads text as "p.ini"; returns the status and leaves the messages in *err. */
static enum status load(struct params *p, const char *text, const char **err)
{
	enum status st;

	params_init(p, specs, N_SPECS);
	capture_begin();
	st = params_load_string(p, "p.ini", text);
	*err = capture_end();
	return st;
}

static void test_params_reads_a_value_of_every_type(void **state)
{
	struct params p;
	const char *err, *s;
	int64_t v;
	int32_t d;
	bool b;

	(void)state;
	assert_int_equal(load(&p,
			      "[run]\n"
			      "budget_year = 2017/18\n"
			      "valuation_date = 2017-04-01\n"
			      "[2017/18]\n"
			      "global_sum_price = 85.36\n"
			      "ooh_deduction = 0.049\n"
			      "contingency_rate = 1.25%\n"
			      "national_average_list = 7732.5\n"
			      "qof_points_available = 560\n"
			      "probability_weighted = Yes\n", &err), ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(params_string(&p, "run", "budget_year", &s), 0);
	assert_string_equal(s, "2017/18");
	/* 2017-04-01: 47 years from 1970 = 47*365 + 12 leap days = 17167 days to
	 * 2017-01-01, plus 31 + 28 + 31 = 90 -> 17257 */
	assert_int_equal(params_date(&p, "run", "valuation_date", &d), 0);
	assert_int_equal(d, 17257);
	assert_int_equal(params_money(&p, "2017/18", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8536);
	/* 0.049 = 49,000 millionths; 1.25% = 0.0125 = 12,500 millionths */
	assert_int_equal(params_rate_ppm(&p, "2017/18", "ooh_deduction", &v), 0);
	assert_pence_eq(v, 49000);
	assert_int_equal(params_rate_ppm(&p, "2017/18", "contingency_rate", &v), 0);
	assert_pence_eq(v, 12500);
	assert_int_equal(params_decimal_micro(&p, "2017/18", "national_average_list", &v), 0);
	assert_pence_eq(v, 7732500000);
	assert_int_equal(params_int(&p, "2017/18", "qof_points_available", &v), 0);
	assert_pence_eq(v, 560);
	assert_int_equal(params_bool(&p, "2017/18", "probability_weighted", &b), 0);
	assert_true(b);
	params_release(&p);
}

static void test_params_defaults_depend_on_the_year(void **state)
{
	struct params p;
	const char *err;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p, "", &err), ST_OK);
	/* year-specific defaults */
	assert_int_equal(params_money(&p, "2016/17", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8059);
	assert_int_equal(params_money(&p, "2017/18", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8535);
	/* 5.15% = 51,500 ppm */
	assert_int_equal(params_rate_ppm(&p, "2016/17", "ooh_deduction", &v), 0);
	assert_pence_eq(v, 51500);
	/* a yearly default applies to any year: 0.5% = 5,000 ppm */
	assert_int_equal(params_rate_ppm(&p, "2031/32", "contingency_rate", &v), 0);
	assert_pence_eq(v, 5000);
	/* a year's own spec wins over the yearly one, also when it has no default */
	assert_int_equal(params_money(&p, "2016/17", "es_unplanned_admissions", &v), 0);
	assert_pence_eq(v, 287);
	assert_int_equal(params_money(&p, "2018/19", "es_unplanned_admissions", &v), 0);
	assert_pence_eq(v, 999);
	capture_begin();
	assert_int_equal(params_money(&p, "2017/18", "es_unplanned_admissions", &v), -1);
	assert_string_equal(capture_end(),
			    "p.ini: error: 'es_unplanned_admissions' has no value for [2017/18] and no default\n");
	assert_false(params_has_year(&p, "2017/18"));
	assert_true(params_has_defaults(&p, "2017/18"));
	assert_false(params_has_defaults(&p, "2020/21"));
	params_release(&p);
}

static void test_params_file_value_overrides_the_default_and_is_located(void **state)
{
	struct params p;
	const struct param_value *pv;
	const char *err;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p, "; comment\n[2016/17]\n  global_sum_price =   81.00\n", &err), ST_OK);
	assert_int_equal(params_money(&p, "2016/17", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8100);
	pv = params_lookup(&p, "2016/17", "global_sum_price");
	assert_non_null(pv);
	assert_int_equal(pv->line, 3);
	assert_int_equal(pv->col, 24);
	assert_string_equal(pv->text, "81.00");
	assert_null(params_lookup(&p, "2016/17", "ooh_deduction"));
	assert_true(params_has_year(&p, "2016/17"));
	params_release(&p);
}

static void test_params_reports_a_bad_amount_where_the_value_starts(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p, "[2016/17]\nglobal_sum_price = 80.5.9\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:2:20: error: key 'global_sum_price': '80.5.9' is not an amount\n");
	assert_null(params_lookup(&p, "2016/17", "global_sum_price"));
	params_release(&p);
}

static void test_params_reports_bad_values_of_each_type_with_a_hint(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p,
			      "[2017/18]\n"
			      "ooh_deduction = five\n"
			      "contingency_rate = 0.1234567\n"
			      "national_average_list = 7,732\n"
			      "qof_points_available = 559.5\n"
			      "probability_weighted = maybe\n"
			      "global_sum_price = £85\n"
			      "[run]\n"
			      "valuation_date = 2017-02-30\n"
			      "budget_year =\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:2:17: error: key 'ooh_deduction': 'five' is not a rate (write it as 0.0515 or 5.15%)\n"
			    "p.ini:3:20: error: key 'contingency_rate': '0.1234567' is not a rate (at most 6 decimal places as a fraction, 4 as a percentage)\n"
			    "p.ini:4:25: error: key 'national_average_list': '7,732' is not a number (thousands separators are not allowed)\n"
			    "p.ini:5:24: error: key 'qof_points_available': '559.5' is not a whole number (no decimal places allowed)\n"
			    "p.ini:6:24: error: key 'probability_weighted': 'maybe' is not true or false (write true, false, yes, no, 1 or 0)\n"
			    "p.ini:7:20: error: key 'global_sum_price': '£85' is not an amount (currency symbols are not allowed)\n"
			    "p.ini:9:18: error: key 'valuation_date': '2017-02-30' is not a date (write it as YYYY-MM-DD)\n"
			    "p.ini:10:14: error: key 'budget_year' has no value\n");
	params_release(&p);
}

static void test_params_suggests_the_closest_key_for_an_unknown_one(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p,
			      "[2016/17]\n"
			      "global_sum_prise = 80\n"
			      "colour = blue\n"
			      "[run]\n"
			      "budget_yaer = 2016/17\n"
			      "global_sum_price = 80\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:2:1: error: unknown key 'global_sum_prise' in [2016/17]; did you mean 'global_sum_price'?\n"
			    "p.ini:3:1: error: unknown key 'colour' in [2016/17]\n"
			    "p.ini:5:1: error: unknown key 'budget_yaer' in [run]; did you mean 'budget_year'?\n"
			    "p.ini:6:1: error: unknown key 'global_sum_price' in [run]\n");
	params_release(&p);
}

static void test_params_reports_unknown_sections_once_not_their_keys(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p,
			      "global_sum_price = 80\n"
			      "[risk]\n"
			      "anything = 1\n"
			      "[ 2016/18 ]\n"
			      "global_sum_price = 80\n"
			      "[]\n"
			      "[2018/19]\n"
			      "global_sum_price = 90\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:1:1: error: key 'global_sum_price' is outside any section (put it under a header such as [2017/18])\n"
			    "p.ini:2:2: error: unknown section 'risk' (expected a financial year such as [2017/18] or [run])\n"
			    "p.ini:4:3: error: '2016/18' is not a financial year (did you mean '2016/17'?)\n"
			    "p.ini:6:1: error: empty section name\n");
	/* the valid section after the bad ones is read */
	assert_non_null(params_lookup(&p, "2018/19", "global_sum_price"));
	assert_int_equal(p.n_years, 1);
	assert_string_equal(p.years[0], "2018/19");
	params_release(&p);
}

static void test_params_reports_a_duplicate_key_with_the_first_line(void **state)
{
	struct params p;
	const char *err;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p,
			      "[2016/17]\n"
			      "global_sum_price = 80\n"
			      "[2017/18]\n"
			      "global_sum_price = 85\n"
			      "[2016/17]\n"
			      "  global_sum_price = 81\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:6:3: error: duplicate key 'global_sum_price' in [2016/17] (first set on line 2)\n");
	/* the first value stands; the year keeps the line of its first header */
	assert_int_equal(params_money(&p, "2016/17", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8000);
	assert_int_equal(p.n_years, 2);
	assert_int_equal(p.year_lines[0], 1);
	params_release(&p);
}

static void test_params_reports_every_syntax_error(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p,
			      "[2016/17\n"
			      "[2017/18] x\n"
			      "[2017/18]\n"
			      "global_sum_price 85\n"
			      "   = 85\n"
			      "ooh_deduction ; = 5%\n"
			      "global_sum_price = 85.40\n", &err), ST_CONFIG);
	assert_string_equal(err,
			    "p.ini:1:1: error: section header has no closing ']'\n"
			    "p.ini:2:11: error: unexpected text after ']'\n"
			    "p.ini:4:1: error: expected 'key = value' or '[section]'\n"
			    "p.ini:5:4: error: missing key before '='\n"
			    "p.ini:6:1: error: expected 'key = value' or '[section]'\n");
	assert_non_null(params_lookup(&p, "2017/18", "global_sum_price"));
	params_release(&p);
}

static void test_params_reports_an_overlong_line_instead_of_truncating(void **state)
{
	struct params p;
	const char *err;
	char text[600];
	char digits[251];

	(void)state;
	memset(digits, '1', 250);
	digits[250] = '\0';
	snprintf(text, sizeof(text),
		 "[run]\nbudget_year = %s\n[2016/17]\nglobal_sum_price = 8.00\nooh_deduction = x\n",
		 digits);
	assert_int_equal(load(&p, text, &err), ST_CONFIG);
	/* inih's buffer is 200 bytes: a line may hold 197 (room for CR, LF, NUL);
	 * the lines after it keep their true numbers */
	assert_string_equal(err,
			    "p.ini:2:198: error: line is longer than 197 bytes\n"
			    "p.ini:5:17: error: key 'ooh_deduction': 'x' is not a rate (write it as 0.0515 or 5.15%)\n");
	assert_null(params_lookup(&p, "run", "budget_year"));
	assert_non_null(params_lookup(&p, "2016/17", "global_sum_price"));
	params_release(&p);
}

static void test_params_accepts_bom_crlf_colons_and_inline_comments(void **state)
{
	struct params p;
	const char *err, *s;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p,
			      "\xef\xbb\xbf# a comment\r\n"
			      "[run]\r\n"
			      "budget_year: 2016/17 ; the year to budget\r\n"
			      "\r\n"
			      "\t[2016/17]   ; comment\r\n"
			      "\tooh_deduction=5%", &err), ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(params_string(&p, "run", "budget_year", &s), 0);
	assert_string_equal(s, "2016/17");
	assert_int_equal(params_rate_ppm(&p, "2016/17", "ooh_deduction", &v), 0);
	assert_pence_eq(v, 50000);
	params_release(&p);
}

static void test_params_missing_value_is_located_at_the_year_header(void **state)
{
	struct params p;
	const char *err;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p, "[run]\nbudget_year = 2020/21\n\n[2020/21]\nooh_deduction = 4.9%\n",
			      &err), ST_OK);
	capture_begin();
	assert_int_equal(params_money(&p, "2020/21", "global_sum_price", &v), -1);
	assert_int_equal(params_decimal_micro(&p, "2021/22", "national_average_list", &v), -1);
	assert_string_equal(capture_end(),
			    "p.ini:4:1: error: 'global_sum_price' has no value for [2020/21] and no default\n"
			    "p.ini: error: 'national_average_list' has no value for [2021/22] and no default\n");
	params_release(&p);
}

static void test_params_getter_of_the_wrong_type_is_an_internal_error(void **state)
{
	struct params p;
	const char *err;
	int64_t v;

	(void)state;
	assert_int_equal(load(&p, "", &err), ST_OK);
	capture_begin();
	assert_int_equal(params_rate_ppm(&p, "2016/17", "global_sum_price", &v), -1);
	assert_int_equal(params_money(&p, "2016/17", "no_such_key", &v), -1);
	assert_string_equal(capture_end(),
			    "pcbudget: error: internal error: parameter 'global_sum_price' is an amount, not a rate\n"
			    "pcbudget: error: internal error: no parameter 'no_such_key' in [2016/17]\n");
	params_release(&p);
}

static void test_params_missing_file_is_noinput(void **state)
{
	struct params p;
	enum status st;

	(void)state;
	params_init(&p, specs, N_SPECS);
	capture_begin();
	st = params_load(&p, "/nonexistent/params.ini");
	assert_string_equal(capture_end(),
			    "pcbudget: error: cannot open '/nonexistent/params.ini': No such file or directory\n");
	assert_int_equal(st, ST_NOINPUT);
	/* a directory opens for reading; it is refused as input, not a read error */
	capture_begin();
	st = params_load(&p, "/");
	assert_string_equal(capture_end(), "pcbudget: error: cannot open '/': Is a directory\n");
	assert_int_equal(st, ST_NOINPUT);
	params_release(&p);
}

static void test_params_loads_a_file_from_disk(void **state)
{
	struct params p;
	char path[] = "/tmp/test_params_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	int64_t v;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[2016/17]\nglobal_sum_price = 79.99\n", f);
	fclose(f);
	params_init(&p, specs, N_SPECS);
	capture_begin();
	assert_int_equal(params_load(&p, path), ST_OK);
	assert_string_equal(capture_end(), "");
	assert_int_equal(params_money(&p, "2016/17", "global_sum_price", &v), 0);
	assert_pence_eq(v, 7999);
	params_release(&p);

	/* the same saved as UTF-16 (LE, with its byte order mark) */
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("\xff\xfe[\0" "2\0", 1, 6, f);
	fclose(f);
	params_init(&p, specs, N_SPECS);
	capture_begin();
	assert_int_equal(params_load(&p, path), ST_CONFIG);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s:1:1: error: file is UTF-16 (it starts with a "
			 "UTF-16 byte order mark); save it as UTF-8\n", path);
		assert_string_equal(capture_end(), want);
	}
	params_release(&p);
	remove(path);
}

static void test_params_says_whether_a_key_is_set_without_reporting(void **state)
{
	struct params p;
	const char *err;

	(void)state;
	assert_int_equal(load(&p, "[2018/19]\nglobal_sum_price = 90\n", &err), ST_OK);
	capture_begin();
	assert_true(params_is_set(&p, "2018/19", "global_sum_price"));	/* the file */
	assert_true(params_is_set(&p, "2017/18", "global_sum_price"));	/* a default */
	assert_false(params_is_set(&p, "2019/20", "global_sum_price"));
	assert_false(params_is_set(&p, "2017/18", "es_unplanned_admissions"));
	assert_int_equal(params_key_type(&p, "2030/31", "ooh_deduction"), PARAM_RATE);
	assert_int_equal(params_key_type(&p, "run", "budget_year"), PARAM_STRING);
	assert_int_equal(params_key_type(&p, "run", "ooh_deduction"), -1);
	assert_int_equal(params_key_type(&p, "2017/18", "nope"), -1);
	assert_string_equal(capture_end(), "");
	params_release(&p);
}

static void test_params_describes_where_a_value_comes_from(void **state)
{
	struct params p;
	struct param_origin o;
	const char *err;

	(void)state;
	assert_int_equal(load(&p, "[run]\nbudget_year = 2017/18\n[2017/18]\n"
				  "contingency_rate = 1%\n", &err), ST_OK);
	capture_begin();
	/* from the file, with its line; the spec is the yearly one */
	assert_true(params_describe(&p, "2017/18", "contingency_rate", &o));
	assert_string_equal(o.text, "1%");
	assert_true(o.from_file);
	assert_int_equal(o.line, 4);
	assert_ptr_equal(o.spec, &specs[7]);
	/* a default of that very year wins over the yearly spec */
	assert_true(params_describe(&p, "2016/17", "global_sum_price", &o));
	assert_string_equal(o.text, "80.59");
	assert_false(o.from_file);
	assert_ptr_equal(o.spec, &specs[2]);
	/* the yearly default */
	assert_true(params_describe(&p, "2016/17", "qof_points_available", &o));
	assert_string_equal(o.text, "559");
	/* "none" for the year: not set, but the key is valid there */
	assert_false(params_describe(&p, "2017/18", "es_unplanned_admissions", &o));
	assert_null(o.text);
	assert_ptr_equal(o.spec, &specs[12]);
	/* a fixed section */
	assert_true(params_describe(&p, "run", "budget_year", &o));
	assert_string_equal(o.text, "2017/18");
	assert_int_equal(o.line, 2);
	assert_false(params_describe(&p, "run", "valuation_date", &o));
	assert_false(params_describe(&p, "run", "nope", &o));
	assert_null(o.spec);
	assert_string_equal(capture_end(), "");
	params_release(&p);
}

static void test_params_checks_a_file_against_several_spec_tables(void **state)
{
	static const struct param_spec more[] = {
		{ "risk", "seed", PARAM_INT, "42", "", "test", "" },
		{ PARAM_YEARLY, "extra_rate", PARAM_RATE, "1%", "", "test", "" },
	};
	struct params p;
	const char *err;
	int64_t v;

	(void)state;
	params_init(&p, specs, N_SPECS);
	params_add_specs(&p, more, 2);
	capture_begin();
	assert_int_equal(params_load_string(&p, "p.ini",
					    "[risk]\nseed = 7\n[2017/18]\nextra_rate = 2%\nglobal_sum_price = 85\n[riks]\n"),
			 ST_CONFIG);
	err = capture_end();
	assert_string_equal(err,
			    "p.ini:6:2: error: unknown section 'riks' (expected a financial year such as [2017/18] or [run] or [risk])\n");
	assert_int_equal(params_int(&p, "risk", "seed", &v), 0);
	assert_pence_eq(v, 7);
	assert_int_equal(params_rate_ppm(&p, "2017/18", "extra_rate", &v), 0);
	assert_pence_eq(v, 20000);
	assert_int_equal(params_rate_ppm(&p, "2016/17", "extra_rate", &v), 0);
	assert_pence_eq(v, 10000);
	assert_int_equal(params_money(&p, "2017/18", "global_sum_price", &v), 0);
	assert_pence_eq(v, 8500);
	params_release(&p);
	/* the tables stay registered after a release */
	assert_int_equal(p.n_tables, 2);
	params_release(&p);
}

static void test_params_knows_a_financial_year_when_it_sees_one(void **state)
{
	(void)state;
	assert_true(params_is_year("2016/17"));
	assert_true(params_is_year("1999/00"));
	assert_false(params_is_year("2016/18"));
	assert_false(params_is_year("2016-17"));
	assert_false(params_is_year("16/17"));
	assert_false(params_is_year(" 2016/17"));
	assert_false(params_is_year(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_reads_a_value_of_every_type),
		cmocka_unit_test(test_params_defaults_depend_on_the_year),
		cmocka_unit_test(test_params_file_value_overrides_the_default_and_is_located),
		cmocka_unit_test(test_params_reports_a_bad_amount_where_the_value_starts),
		cmocka_unit_test(test_params_reports_bad_values_of_each_type_with_a_hint),
		cmocka_unit_test(test_params_suggests_the_closest_key_for_an_unknown_one),
		cmocka_unit_test(test_params_reports_unknown_sections_once_not_their_keys),
		cmocka_unit_test(test_params_reports_a_duplicate_key_with_the_first_line),
		cmocka_unit_test(test_params_reports_every_syntax_error),
		cmocka_unit_test(test_params_reports_an_overlong_line_instead_of_truncating),
		cmocka_unit_test(test_params_accepts_bom_crlf_colons_and_inline_comments),
		cmocka_unit_test(test_params_missing_value_is_located_at_the_year_header),
		cmocka_unit_test(test_params_getter_of_the_wrong_type_is_an_internal_error),
		cmocka_unit_test(test_params_missing_file_is_noinput),
		cmocka_unit_test(test_params_loads_a_file_from_disk),
		cmocka_unit_test(test_params_says_whether_a_key_is_set_without_reporting),
		cmocka_unit_test(test_params_describes_where_a_value_comes_from),
		cmocka_unit_test(test_params_checks_a_file_against_several_spec_tables),
		cmocka_unit_test(test_params_knows_a_financial_year_when_it_sees_one),
	};

	return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}

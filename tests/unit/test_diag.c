/*
 * test_diag.c - the message format, the error cap and quiet mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "diag.h"
#include "helpers.h"

static void test_diag_prints_path_line_and_column_first(void **state)
{
	struct srcloc loc = { "data/q3.csv", 17, 23 };

	(void)state;
	capture_begin();
	assert_int_equal(diag_at(DIAG_ERROR, &loc, "column '%s': '%s' is not an amount",
				 "Global Sum", "12x4.50"), -1);
	assert_string_equal(capture_end(),
			    "data/q3.csv:17:23: error: column 'Global Sum': '12x4.50' is not an amount\n");
	assert_int_equal(diag_error_count(), 1);
}

static void test_diag_omits_unknown_parts_of_the_location(void **state)
{
	struct srcloc line_only = { "p.ini", 4, 0 }, file_only = { "p.ini", 0, 0 };

	(void)state;
	capture_begin();
	diag_at(DIAG_WARNING, &line_only, "w");
	diag_at(DIAG_NOTE, &file_only, "n");
	diag_error("cannot open '%s'", "x.csv");
	assert_string_equal(capture_end(), "p.ini:4: warning: w\np.ini: note: n\n"
					   "pcbudget: error: cannot open 'x.csv'\n");
}

static void test_diag_stops_printing_after_the_cap_but_keeps_counting(void **state)
{
	(void)state;
	diag_set_max_errors(2);
	capture_begin();
	diag_error("one");
	assert_false(diag_limit_reached());
	diag_error("two");
	diag_error("three");
	diag_error("four");
	assert_true(diag_limit_reached());
	assert_string_equal(capture_end(), "pcbudget: error: one\npcbudget: error: two\n"
					   "pcbudget: error: too many errors (2), stopping\n");
	assert_int_equal(diag_error_count(), 4);
	diag_set_max_errors(0);
}

static void test_diag_quiet_mode_silences_notes_and_warnings_only(void **state)
{
	(void)state;
	diag_set_quiet(true);
	capture_begin();
	diag_note("progress");
	diag_warning("odd");
	diag_error("bad");
	assert_string_equal(capture_end(), "pcbudget: error: bad\n");
	diag_set_quiet(false);
}

static void test_diag_quote_escapes_control_bytes_and_cuts_long_values(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(diag_quote(buf, sizeof(buf), "a\0b\n", 4), "a\\x00b\\x0a");
	assert_string_equal(diag_quote(buf, sizeof(buf), "abcdefghijklmnopqrstuvwxyz", 26),
			    "abcdefghijkl...");	/* 12 + 3 + NUL = 16 */
}

static long long fixed_clock(void)
{
	return 1795399200LL;	/* date -u -d @1795399200: 2026-11-23T02:00:00Z */
}

static void test_diag_info_stamps_log_lines_when_not_on_a_terminal(void **state)
{
	(void)state;
	diag_set_clock(fixed_clock);
	capture_begin();
	diag_info("read %d files", 9);
	diag_set_quiet(true);
	diag_info("hidden");
	diag_set_quiet(false);
	assert_string_equal(capture_end(), "2026-11-23T02:00:00Z pcbudget: info: read 9 files\n");
	diag_set_clock(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_prints_path_line_and_column_first),
		cmocka_unit_test(test_diag_omits_unknown_parts_of_the_location),
		cmocka_unit_test(test_diag_stops_printing_after_the_cap_but_keeps_counting),
		cmocka_unit_test(test_diag_quiet_mode_silences_notes_and_warnings_only),
		cmocka_unit_test(test_diag_info_stamps_log_lines_when_not_on_a_terminal),
		cmocka_unit_test(test_diag_quote_escapes_control_bytes_and_cuts_long_values),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}

/*
 * test_ledger.c - the run ledger records runs, reports what changed
 * since the previous run, and never fails a run when it is broken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "helpers.h"

static char dir[64];
static char db[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pcbudget-ledger-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/ledger.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(db);
	rmdir(dir);
	return 0;
}

static void test_ledger_reports_changes_since_the_previous_run(void **state)
{
	const struct ledger_figure first[] = {
		{ "99X", "core_contract", 3000000000 },
		{ "99X", "headroom", 12345 },
		{ "99X", "qof", 400000000 },
	};
	/* qof moves by £1.00, headroom disappears, premises is new */
	const struct ledger_figure second[] = {
		{ "99X", "core_contract", 3000000000 },
		{ "99X", "premises", 700 },
		{ "99X", "qof", 400000100 },
	};
	struct ledger_diff d;
	long long id;

	(void)state;
	capture_begin();
	assert_int_equal(ledger_record(db, "example", "2017/18", "2026-11-23T02:00:00Z", "",
				       first, 3, &d, &id), ST_OK);
	assert_string_equal(capture_end(), "");
	assert_int_equal(id, 1);
	assert_int_equal(d.previous_run, 0);
	assert_int_equal(d.n_changes, 0);
	ledger_diff_release(&d);

	assert_int_equal(ledger_record(db, "example", "2017/18", "2026-11-24T02:00:00Z", "",
				       second, 3, &d, &id), ST_OK);
	assert_int_equal(id, 2);
	assert_int_equal(d.previous_run, 1);
	assert_string_equal(d.previous_time, "2026-11-23T02:00:00Z");
	/* ordered by CCG then measure: headroom, premises, qof */
	assert_int_equal(d.n_changes, 3);
	assert_string_equal(d.changes[0].measure, "headroom");
	assert_true(d.changes[0].has_before && !d.changes[0].has_after);
	assert_pence_eq(d.changes[0].before, 12345);
	assert_string_equal(d.changes[1].measure, "premises");
	assert_true(!d.changes[1].has_before && d.changes[1].has_after);
	assert_string_equal(d.changes[2].measure, "qof");
	assert_pence_eq(d.changes[2].after - d.changes[2].before, 100);
	ledger_diff_release(&d);

	/* another year of the same dataset has no previous run */
	assert_int_equal(ledger_record(db, "example", "2018/19", "2026-11-24T03:00:00Z", "",
				       second, 1, &d, &id), ST_OK);
	assert_int_equal(d.previous_run, 0);
	ledger_diff_release(&d);
}

static void test_ledger_lists_runs_newest_first(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(ledger_list(db, "example", f), ST_OK);
	fclose(f);
	assert_string_equal(buf, "run,started_utc,dataset,year,figures,planned_spend,headroom\n"
				 "3,2026-11-24T03:00:00Z,example,2018/19,1,0.00,0.00\n"
				 "2,2026-11-24T02:00:00Z,example,2017/18,3,0.00,0.00\n"
				 "1,2026-11-23T02:00:00Z,example,2017/18,3,0.00,123.45\n");
	free(buf);
}

static void test_ledger_diff_latest_compares_without_recording(void **state)
{
	/* run 2 of example 2017/18 holds core 3000000000, premises 700, qof 400000100 */
	const struct ledger_figure now[] = {
		{ "99X", "core_contract", 3000000000 },
		{ "99X", "headroom", 500 },
		{ "99X", "qof", 400000100 },
		{ "01A", "qof", 1 },
	};
	struct ledger_diff d;
	struct stat before, after;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(stat(db, &before), 0);
	capture_begin();
	assert_int_equal(ledger_diff_latest(db, "example", "2017/18", now, 4, &d), ST_OK);
	assert_string_equal(capture_end(), "");
	assert_int_equal(d.previous_run, 2);
	assert_string_equal(d.previous_time, "2026-11-24T02:00:00Z");
	/* sorted by CCG then measure: 01A qof (new), 99X headroom (new), 99X premises (gone) */
	assert_int_equal(d.n_changes, 3);
	assert_string_equal(d.changes[0].ccg_code, "01A");
	assert_true(!d.changes[0].has_before && d.changes[0].has_after);
	assert_pence_eq(d.changes[0].after, 1);
	assert_string_equal(d.changes[1].measure, "headroom");
	assert_pence_eq(d.changes[1].after, 500);
	assert_string_equal(d.changes[2].measure, "premises");
	assert_true(d.changes[2].has_before && !d.changes[2].has_after);
	assert_pence_eq(d.changes[2].before, 700);
	ledger_diff_release(&d);

	/* the same figures as run 2: no change */
	{
		const struct ledger_figure same[] = {
			{ "99X", "qof", 400000100 },
			{ "99X", "core_contract", 3000000000 },
			{ "99X", "premises", 700 },
		};

		assert_int_equal(ledger_diff_latest(db, "example", "2017/18", same, 3, &d), ST_OK);
		assert_int_equal(d.previous_run, 2);
		assert_int_equal(d.n_changes, 0);
		ledger_diff_release(&d);
	}
	/* no run of that dataset, and no database at all: no previous run, no error */
	assert_int_equal(ledger_diff_latest(db, "other", "2017/18", now, 4, &d), ST_OK);
	assert_int_equal(d.previous_run, 0);
	assert_null(d.previous_time);
	ledger_diff_release(&d);
	assert_int_equal(ledger_diff_latest("/nonexistent/ledger.sqlite", "example", "2017/18",
					    now, 4, &d), ST_OK);
	assert_int_equal(d.previous_run, 0);
	ledger_diff_release(&d);

	/* nothing was written: same file, still three runs */
	assert_int_equal(stat(db, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	f = open_memstream(&buf, &len);
	assert_int_equal(ledger_list(db, NULL, f), ST_OK);
	fclose(f);
	{
		size_t lines = 0;

		for (size_t i = 0; i < len; i++)
			lines += buf[i] == '\n';
		assert_int_equal(lines, 4);	/* the header and runs 1 to 3 */
	}
	free(buf);
}

static void test_ledger_warns_about_a_corrupt_database_without_failing_hard(void **state)
{
	const struct ledger_figure one[] = { { "99X", "qof", 1 } };
	struct ledger_diff d;
	long long id = 7;
	FILE *f = fopen(db, "w");
	const char *err;

	(void)state;
	fputs("this is not a SQLite database, it is a long enough line of text\n", f);
	fclose(f);
	capture_begin();
	assert_int_equal(ledger_record(db, "example", "2017/18", "t", "", one, 1, &d, &id),
			 ST_IO);
	err = capture_end();
	assert_int_equal(id, 0);
	assert_int_equal(d.n_changes, 0);
	assert_non_null(strstr(err, "warning: ledger '"));
	assert_non_null(strstr(err, "file is not a database; the report was written but "
				    "this run is not recorded\n"));
	capture_begin();
	assert_int_equal(ledger_diff_latest(db, "example", "2017/18", one, 1, &d), ST_IO);
	err = capture_end();
	assert_int_equal(d.previous_run, 0);
	assert_int_equal(d.n_changes, 0);
	assert_non_null(strstr(err, "file is not a database; changes since the previous run "
				    "are not shown\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ledger_reports_changes_since_the_previous_run),
		cmocka_unit_test(test_ledger_lists_runs_newest_first),
		cmocka_unit_test(test_ledger_diff_latest_compares_without_recording),
		cmocka_unit_test(test_ledger_warns_about_a_corrupt_database_without_failing_hard),
	};

	return cmocka_run_group_tests_name("ledger", tests, setup, teardown);
}

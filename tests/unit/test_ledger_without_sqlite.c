/*
 * test_ledger_without_sqlite.c - SQLite is opened on first use
 * (sqlite_lib.h); when it cannot be (here PCBUDGET_SQLITE names a file
 * that does not exist, set before the first use in this process),
 * recording a run and comparing with the previous one are warnings, as
 * for a broken ledger, so the report is still written, and listing the
 * ledger is an error.  A binary of its own: a process loads the library
 * once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "ledger.h"

static void test_ledger_without_sqlite_warns_and_listing_fails(void **state)
{
	const struct ledger_figure one[] = { { "99X", "qof", 1 } };
	char db[] = "/tmp/pcbudget-nosqlite-XXXXXX";
	int fd = mkstemp(db);
	struct ledger_diff d;
	long long id = 7;
	const char *err;

	(void)state;
	assert_true(fd >= 0);	/* a file, so that listing gets as far as SQLite */
	close(fd);
	capture_begin();
	assert_int_equal(ledger_record(db, "example", "2017/18", "t", "", one, 1, &d, &id),
			 ST_IO);
	err = capture_end();
	assert_int_equal(id, 0);
	assert_int_equal(d.n_changes, 0);
	assert_non_null(strstr(err, "warning: ledger '"));
	assert_non_null(strstr(err, "': cannot load SQLite: /nonexistent/libsqlite3.so.0: "
				    "cannot open shared object file: No such file or directory; "
				    "the report was written but this run is not recorded\n"));
	capture_begin();
	assert_int_equal(ledger_diff_latest(db, "example", "2017/18", one, 1, &d), ST_IO);
	assert_int_equal(d.previous_run, 0);
	assert_non_null(strstr(capture_end(),
			       "; changes since the previous run are not shown\n"));
	capture_begin();
	assert_int_equal(ledger_list(db, NULL, stdout), ST_IO);
	assert_non_null(strstr(capture_end(), "error: cannot read ledger '"));
	unlink(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ledger_without_sqlite_warns_and_listing_fails),
	};

	setenv("PCBUDGET_SQLITE", "/nonexistent/libsqlite3.so.0", 1);
	return cmocka_run_group_tests_name("ledger_without_sqlite", tests, NULL, NULL);
}

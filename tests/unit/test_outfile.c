/*
 * test_outfile.c - files appear only when complete; failures are
 * reported once and leave nothing behind; CSV fields are quoted per
 * RFC 4180 and formula-looking text is neutralised on request.
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

#include "helpers.h"
#include "outfile.h"

static char dir[] = "/tmp/pcbudget-outfile-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_outfile_publishes_only_on_close(void **state)
{
	struct outfile of;
	char path[256], tmp[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/a.csv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_puts(&of, "x,");
	outfile_printf(&of, "%d\n", 42);
	assert_true(exists(tmp));
	assert_false(exists(path));
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_false(exists(tmp));
	assert_string_equal(slurp(path), "x,42\n");
}

static void test_outfile_abort_leaves_nothing(void **state)
{
	struct outfile of;
	char path[256], tmp[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/b.csv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_puts(&of, "partial");
	outfile_abort(&of);
	assert_false(exists(tmp));
	assert_false(exists(path));
}

static void test_outfile_reports_a_full_disk_once_and_removes_the_temp(void **state)
{
	struct outfile of;
	char path[256], tmp[300], want[400];
	const char *err;

	(void)state;
	snprintf(path, sizeof(path), "%s/c.csv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(outfile_open(&of, path), ST_OK);
	/* swap the stream for one that fails like a full disk */
	fclose(of.fp);
	of.fp = fopen("/dev/full", "w");
	assert_non_null(of.fp);
	capture_begin();
	for (int i = 0; i < 10000; i++)
		outfile_puts(&of, "0123456789");
	assert_int_equal(outfile_close(&of), ST_IO);
	err = capture_end();
	snprintf(want, sizeof(want),
		 "pcbudget: error: cannot write '%s': No space left on device\n", path);
	assert_string_equal(err, want);
	assert_false(exists(tmp));
	assert_false(exists(path));
}

static void test_outfile_reports_a_missing_directory(void **state)
{
	struct outfile of;
	char path[256], want[400];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/d.csv", dir);
	capture_begin();
	assert_int_equal(outfile_open(&of, path), ST_NOOUTPUT);
	snprintf(want, sizeof(want),
		 "pcbudget: error: cannot create '%s': No such file or directory\n", path);
	assert_string_equal(capture_end(), want);
}

static void test_outfile_quotes_csv_fields_as_rfc_4180(void **state)
{
	struct outfile of;
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/e.csv", dir);
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_csv_field(&of, "plain", false);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "a,b", false);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "say \"hi\"", false);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "=SUM(A1)", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "-1,5", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "-1", false);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "", true);
	outfile_puts(&of, "\n");
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_string_equal(slurp(path),
			    "plain,\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),\"'-1,5\",-1,\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outfile_publishes_only_on_close),
		cmocka_unit_test(test_outfile_abort_leaves_nothing),
		cmocka_unit_test(test_outfile_reports_a_full_disk_once_and_removes_the_temp),
		cmocka_unit_test(test_outfile_reports_a_missing_directory),
		cmocka_unit_test(test_outfile_quotes_csv_fields_as_rfc_4180),
	};

	return cmocka_run_group_tests_name("outfile", tests, setup, teardown);
}

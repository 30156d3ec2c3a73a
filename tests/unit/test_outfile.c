/*
 * test_outfile.c - output files appear whole or not at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "helpers.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_outfile_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	(void)state;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove(path);
	}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static size_t count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_outfile_publishes_the_file_only_at_close(void **state)
{
	struct outfile of;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/a.csv", dir);
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_puts(&of, "x,y\n");
	outfile_printf(&of, "%d,%s\n", 1, "two");
	assert_null(slurp(path));	/* not there yet */
	assert_int_equal(count_files(), 1);	/* only the temporary file */
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_string_equal(slurp(path), "x,y\n1,two\n");
	assert_int_equal(count_files(), 1);
	remove(path);
}

static void test_outfile_quotes_csv_fields_and_neutralises_formulas(void **state)
{
	struct outfile of;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/b.csv", dir);
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_csv_field(&of, "plain", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "a,b", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "say \"hi\"", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "=SUM(A1)", true);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "-12.50", false);
	outfile_puts(&of, ",");
	outfile_csv_field(&of, "+1,2", true);
	outfile_puts(&of, "\n");
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_string_equal(slurp(path),
			    "plain,\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),-12.50,\"'+1,2\"\n");
	remove(path);
}

static void test_outfile_reports_a_failed_write_once_and_leaves_nothing(void **state)
{
	struct outfile of;
	char path[128];
	const char *err;
	char want[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/c.csv", dir);
	assert_int_equal(outfile_open(&of, path), ST_OK);
	/* swap the stream for one that fails at flush */
	fclose(of.fp);
	of.fp = fopen("/dev/full", "w");
	assert_non_null(of.fp);
	outfile_puts(&of, "data\n");
	capture_begin();
	assert_int_equal(outfile_close(&of), ST_IO);
	err = capture_end();
	snprintf(want, sizeof(want), "pcbudget: error: cannot write '%s': No space left on device\n", path);
	assert_string_equal(err, want);
	assert_null(slurp(path));
	assert_int_equal(count_files(), 0);	/* the temporary file is gone too */
}

static void test_outfile_reports_a_file_it_cannot_create(void **state)
{
	struct outfile of;

	(void)state;
	capture_begin();
	assert_int_equal(outfile_open(&of, "/nonexistent/dir/x.csv"), ST_NOOUTPUT);
	assert_string_equal(capture_end(),
			    "pcbudget: error: cannot create '/nonexistent/dir/x.csv': No such file or directory\n");
}

static void test_outfile_abort_removes_the_temporary_file(void **state)
{
	struct outfile of;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/d.csv", dir);
	assert_int_equal(outfile_open(&of, path), ST_OK);
	outfile_puts(&of, "partial");
	outfile_abort(&of);
	assert_null(slurp(path));
	assert_int_equal(count_files(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outfile_publishes_the_file_only_at_close),
		cmocka_unit_test(test_outfile_quotes_csv_fields_and_neutralises_formulas),
		cmocka_unit_test(test_outfile_reports_a_failed_write_once_and_leaves_nothing),
		cmocka_unit_test(test_outfile_reports_a_file_it_cannot_create),
		cmocka_unit_test(test_outfile_abort_removes_the_temporary_file),
	};

	return cmocka_run_group_tests_name("outfile", tests, make_dir, remove_dir);
}

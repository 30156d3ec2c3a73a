/*
 * test_outfile.c - safe output files: rename on success, nothing left
 * behind on failure, errors reported once, CSV quoting and formula
 * neutralisation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "outfile.h"
#include "xalloc.h"

struct fix {
	char dir[64];
	char *path;
	char *tmp;
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/pcb-outfile-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/out.csv", f->dir);
	f->tmp = xasprintf("%s.tmp.%ld", f->path, (long)getpid());
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(f->path);
	free(f->tmp);
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_outfile_publishes_only_at_close(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *got;

	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_puts(&of, "a,b\n");
	outfile_printf(&of, "%d,%s\n", 1, "x");
	/* before close only the temporary sibling exists */
	assert_false(exists(f->path));
	assert_true(exists(f->tmp));
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_false(exists(f->tmp));
	got = slurp(f->path);
	assert_string_equal(got, "a,b\n1,x\n");
	free(got);
}

static void test_outfile_dev_full_gives_io_error_reported_once(void **state)
{
	struct outfile of;
	const char *err;

	(void)state;
	if (!exists("/dev/full"))
		skip();
	capture_begin();
	assert_int_equal(outfile_open(&of, "/dev/full"), ST_OK);
	for (int i = 0; i < 10000; i++)	/* more than one stdio buffer */
		outfile_puts(&of, "0123456789");
	assert_int_equal(outfile_close(&of), ST_IO);
	err = capture_end();
	assert_string_equal(err, "pcbudget: error: cannot write '/dev/full': "
				 "No space left on device\n");
	/* the device was written in place, not replaced by a rename */
	{
		struct stat sb;
		char *tmp = xasprintf("/dev/full.tmp.%ld", (long)getpid());

		assert_false(exists(tmp));
		assert_int_equal(stat("/dev/full", &sb), 0);
		assert_true(S_ISCHR(sb.st_mode));
		free(tmp);
	}
}

/*
 * outfile_flush() on a full device records ENOSPC without printing;
 * outfile_close() then reports that reason, not a bare I/O error.
 */
static void test_outfile_flush_keeps_the_reason_for_close(void **state)
{
	struct outfile of;

	(void)state;
	if (!exists("/dev/full"))
		skip();
	capture_begin();
	assert_int_equal(outfile_open(&of, "/dev/full"), ST_OK);
	outfile_puts(&of, "a,b\n");		/* buffered: no error yet */
	assert_int_equal(outfile_flush(&of), ST_IO);
	assert_int_equal(outfile_flush(&of), ST_IO);	/* sticky */
	assert_string_equal(capture_end(), "");
	capture_begin();
	assert_int_equal(outfile_close(&of), ST_IO);
	assert_string_equal(capture_end(), "pcbudget: error: cannot write '/dev/full': "
					   "No space left on device\n");
}

static void test_outfile_failed_write_removes_temp_and_keeps_old_file(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	struct rlimit old, lim;
	char *got;
	const char *err;
	char block[1024];

	write_file(f->path, "previous\n");
	memset(block, 'x', sizeof(block));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);	/* write() then fails with EFBIG */
	lim = old;
	lim.rlim_cur = 4096;

	capture_begin();
	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (int i = 0; i < 64; i++)
		outfile_write(&of, block, sizeof(block));
	assert_int_equal(outfile_close(&of), ST_IO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	err = capture_end();

	assert_non_null(strstr(err, "cannot write '"));
	assert_non_null(strstr(err, "File too large"));
	assert_false(exists(f->tmp));
	got = slurp(f->path);
	assert_string_equal(got, "previous\n");
	free(got);
}

/*
 * outfile_sync() flushes and syncs the temporary file early (its bytes
 * are in it before the close) but publishes nothing; a write after it
 * makes the file unsynced again, and the close still publishes all.
 */
static void test_outfile_sync_writes_early_but_publishes_only_at_close(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *got;

	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_puts(&of, "a,b\n");
	outfile_start_sync(&of);
	got = slurp(f->tmp);
	assert_string_equal(got, "a,b\n");	/* flushed by the start */
	free(got);
	assert_false(of.synced);
	outfile_printf(&of, "%d\n", 1);
	outfile_sync(&of);
	assert_true(of.synced);
	got = slurp(f->tmp);
	assert_string_equal(got, "a,b\n1\n");
	free(got);
	assert_false(exists(f->path));
	outfile_puts(&of, "2\n");
	assert_false(of.synced);	/* the close must sync again */
	assert_int_equal(outfile_close(&of), ST_OK);
	assert_false(exists(f->tmp));
	got = slurp(f->path);
	assert_string_equal(got, "a,b\n1\n2\n");
	free(got);
}

/*
 * A write error that the early flush of outfile_sync() meets is kept,
 * not reported there: outfile_close() reports it once, removes the
 * temporary file and leaves the old file alone.
 */
static void test_outfile_sync_failure_is_reported_once_by_close(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	struct rlimit old, lim;
	char block[1024], *got;
	const char *err;

	write_file(f->path, "previous\n");
	memset(block, 'x', sizeof(block));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);	/* write() then fails with EFBIG */
	lim = old;
	lim.rlim_cur = 512;

	capture_begin();
	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_write(&of, block, 1000);	/* less than a stdio buffer */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	outfile_sync(&of);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(of.st, ST_IO);
	assert_false(of.synced);
	assert_string_equal(capture_end(), "");	/* nothing said yet */
	capture_begin();
	assert_int_equal(outfile_close(&of), ST_IO);
	err = capture_end();
	assert_non_null(strstr(err, "cannot write '"));
	assert_non_null(strstr(err, "File too large"));
	assert_null(strstr(strstr(err, "File too large") + 1, "cannot write"));
	assert_false(exists(f->tmp));
	got = slurp(f->path);
	assert_string_equal(got, "previous\n");
	free(got);
}

static void test_outfile_failed_rename_removes_temp(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *inside = xasprintf("%s/keep", f->path);
	const char *err;

	capture_begin();
	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_puts(&of, "data\n");
	/* a non-empty directory appears under the final name: rename fails */
	assert_int_equal(mkdir(f->path, 0777), 0);
	write_file(inside, "x");
	assert_int_equal(outfile_close(&of), ST_IO);
	err = capture_end();
	assert_non_null(strstr(err, "error: cannot write '"));
	assert_false(exists(f->tmp));
	unlink(inside);
	rmdir(f->path);
	free(inside);
}

static void test_outfile_abort_removes_temp_and_keeps_old_file(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *got;

	write_file(f->path, "previous\n");
	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_puts(&of, "half a fi");
	outfile_abort(&of);
	assert_false(exists(f->tmp));
	got = slurp(f->path);
	assert_string_equal(got, "previous\n");
	free(got);
}

static void test_outfile_open_in_missing_dir_reports_cannot_create(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *path = xasprintf("%s/no/such/dir/x.csv", f->dir);
	char *want = xasprintf("pcbudget: error: cannot create '%s': No such "
			       "file or directory\n", path);

	capture_begin();
	assert_int_equal(outfile_open(&of, path), ST_NOOUTPUT);
	outfile_puts(&of, "ignored");	/* sticky: does nothing */
	assert_int_equal(outfile_close(&of), ST_NOOUTPUT);
	/* reported once, at open */
	assert_string_equal(capture_end(), want);
	/* a failed open holds nothing, so a caller that drops it leaks nothing */
	capture_begin();
	assert_int_equal(outfile_open(&of, path), ST_NOOUTPUT);
	capture_end();
	assert_null(of.path);
	assert_null(of.tmp);
	assert_null(of.fp);
	free(path);
	free(want);
}

static void test_outfile_open_on_directory_reports_cannot_create(void **state)
{
	struct fix *f = *state;
	struct outfile of;
	char *want = xasprintf("pcbudget: error: cannot create '%s': Is a "
			       "directory\n", f->dir);

	capture_begin();
	assert_int_equal(outfile_open(&of, f->dir), ST_NOOUTPUT);
	outfile_abort(&of);
	assert_string_equal(capture_end(), want);
	free(want);
}

/* Writes one field through an outfile and returns what landed in the file. */
static char *field(struct fix *f, const char *s, bool neutralise)
{
	struct outfile of;

	assert_int_equal(outfile_open(&of, f->path), ST_OK);
	outfile_csv_field(&of, s, neutralise);
	assert_int_equal(outfile_close(&of), ST_OK);
	return slurp(f->path);
}

static void test_outfile_csv_field_quotes_per_rfc4180(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ " spaced ", " spaced " },
		{ "£1,234.56", "\"£1,234.56\"" },
	};
	struct fix *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = field(f, cases[i].in, false);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_outfile_csv_field_neutralises_formula_triggers(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "=1+2", "'=1+2" },
		{ "+44 20", "'+44 20" },
		{ "-12.50", "'-12.50" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" },
		{ "\rx", "\"'\rx\"" },
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "=a,b", "\"'=a,b\"" },
		/* only the first character matters */
		{ "a=b", "a=b" },
		{ "12-3", "12-3" },
		{ " =x", " =x" },
		{ "", "" },
	};
	struct fix *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = field(f, cases[i].in, true);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_outfile_csv_field_leaves_numbers_alone_without_neutralise(void **state)
{
	struct fix *f = *state;
	char *got = field(f, "-12.50", false);

	assert_string_equal(got, "-12.50");
	free(got);
	got = field(f, NULL, false);
	assert_string_equal(got, "");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outfile_publishes_only_at_close, setup, teardown),
		cmocka_unit_test(test_outfile_dev_full_gives_io_error_reported_once),
		cmocka_unit_test(test_outfile_flush_keeps_the_reason_for_close),
		cmocka_unit_test_setup_teardown(test_outfile_failed_write_removes_temp_and_keeps_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_failed_rename_removes_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_abort_removes_temp_and_keeps_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_open_in_missing_dir_reports_cannot_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_open_on_directory_reports_cannot_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_sync_writes_early_but_publishes_only_at_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_sync_failure_is_reported_once_by_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_csv_field_quotes_per_rfc4180, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_csv_field_neutralises_formula_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile_csv_field_leaves_numbers_alone_without_neutralise, setup, teardown),
	};

	return cmocka_run_group_tests_name("outfile", tests, NULL, NULL);
}

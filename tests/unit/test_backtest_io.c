/*
 * test_backtest_io.c - the file side of the backtest command: which
 * files of a folder are read, the two CSV reports written from rows made
 * by hand, the summary table, and nothing left behind when the folder
 * cannot be made.
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

#include "backtest_io.h"
#include "reportdir.h"
#include "helpers.h"

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/test_backtest_io.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

/* The whole file at dir/name (free()). */
static char *slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void test_backtest_io_finds_only_yearly_files_in_name_order(void **state)
{
	char *dir = make_tmpdir(), *with_slash;
	char **paths;
	size_t n;

	(void)state;
	touch(dir, "16-17.csv");
	touch(dir, "15-16.csv");
	touch(dir, "99-00.csv");
	touch(dir, "16-18.csv");	/* not consecutive */
	touch(dir, "16-17.txt");
	touch(dir, "1617.csv");
	touch(dir, "README.md");
	touch(dir, "column_map.csv");
	assert_int_equal(backtest_io_find_files(dir, &paths, &n), ST_OK);
	assert_int_equal(n, 3);
	assert_true(strstr(paths[0], "/15-16.csv") && strncmp(paths[0], dir, strlen(dir)) == 0);
	assert_true(strstr(paths[1], "/16-17.csv") != NULL);
	assert_true(strstr(paths[2], "/99-00.csv") != NULL);
	assert_null(strstr(paths[0], "//"));
	backtest_io_free_paths(paths, n);

	with_slash = malloc(strlen(dir) + 2);
	sprintf(with_slash, "%s/", dir);
	assert_int_equal(backtest_io_find_files(with_slash, &paths, &n), ST_OK);
	assert_null(strstr(paths[0], "//"));
	backtest_io_free_paths(paths, n);
	free(with_slash);
	assert_int_equal(reportdir_remove_tree(dir), 0);
	free(dir);
}

static void test_backtest_io_reports_a_folder_without_yearly_files(void **state)
{
	char *dir = make_tmpdir();
	char **paths;
	size_t n;
	char want[256];

	(void)state;
	touch(dir, "README.md");
	capture_begin();
	assert_int_equal(backtest_io_find_files(dir, &paths, &n), ST_NOINPUT);
	snprintf(want, sizeof(want),
		 "pcbudget: error: no payments files named like 16-17.csv in '%s'\n", dir);
	assert_string_equal(capture_end(), want);
	assert_null(paths);
	assert_int_equal(n, 0);
	capture_begin();
	assert_int_equal(backtest_io_find_files("/nonexistent/pcbudget", &paths, &n),
			 ST_NOINPUT);
	assert_string_equal(capture_end(),
		"pcbudget: error: cannot open directory '/nonexistent/pcbudget': "
		"No such file or directory\n");
	assert_int_equal(reportdir_remove_tree(dir), 0);
	free(dir);
}

/*
 * Rows by hand (pence), as in test_backtest's scoring test:
 *   2016/17 A: actual 100, naive 90, budget 105, p50 110, 80% [95, 105], 95% [90, 120]
 *   2016/17 B: actual 200, naive 180, budget 220, p50 190, 80% [195, 199], 95% [150, 250]
 *   2017/18 A: actual 400, naive 300, no budget, p50 = every bound = 400
 *   2017/18 "=C": actual 50, naive 0: no history, not projected (not scored);
 *             its code starts with '=' and is written '=C, quoted-out as text
 * Scores: 2016/17 APE p50 0.10, 0.05 -> 0.075; naive 0.10, 0.10 -> 0.10;
 *   budget 0.05, 0.10 -> 0.075; 80% 1 of 2; 95% 2 of 2.
 *   2017/18 (one scored row): p50 0, naive 0.25, no budget, 1 and 1.
 *   all: p50 0.05, naive 0.15, budget 0.075 (two rows), 80% 2/3, 95% 1.
 *   budgeted (the two 2016/17 rows only): as 2016/17.
 */
/* A run of no input files, with the default settings. */
static struct backtest_io_run no_inputs(void)
{
	static char a0[] = "backtest", a1[] = "-o", a2[] = "x", src[] = "built-in";
	static char *argv[] = { a0, a1, a2, NULL };
	static struct pay_colmap m;
	static struct pay_options o;
	static struct bt_options bo;
	struct backtest_io_run run;

	m.source = src;
	pay_options_init(&o);
	bo = bt_default_options();
	run = (struct backtest_io_run){ 3, argv, NULL, 0, &m, &o, &bo, 2016, 2017 };
	return run;
}

static void hand_rows(struct bt_result *r, struct bt_row rows[4])
{
	memset(rows, 0, 4 * sizeof(*rows));
	rows[0] = (struct bt_row){ 2016, "A", 0, 100, 90, true, 105, true, 110, 95, 105, 90, 120 };
	rows[1] = (struct bt_row){ 2016, "B", 0, 200, 180, true, 220, true, 190, 195, 199, 150, 250 };
	rows[2] = (struct bt_row){ 2017, "A", 0, 400, 300, false, 0, true, 400, 400, 400, 400, 400 };
	rows[3] = (struct bt_row){ 2017, "=C", BT_NO_HISTORY, 5000, 0, false, 0, false, 0, 0, 0, 0, 0 };
	bt_result_init(r);
	r->rows = rows;
	r->n_rows = 4;
}

static void test_backtest_io_writes_both_reports_in_pounds(void **state)
{
	char *dir = make_tmpdir(), out[512];
	struct bt_result r;
	struct bt_row rows[4];
	struct backtest_io_run run = no_inputs();
	char *csv, *sum, *man;

	(void)state;
	hand_rows(&r, rows);
	snprintf(out, sizeof(out), "%s/a/b", dir);
	assert_int_equal(backtest_io_write(out, &r, &run), ST_OK);
	csv = slurp(out, "backtest.csv");
	sum = slurp(out, "backtest_summary.csv");
	man = slurp(out, "manifest.txt");
	assert_string_equal(csv,
		"target_year,ccg_code,actual,budget,naive,p50,lo80,hi80,lo95,hi95\n"
		"2016/17,A,1.00,1.05,0.90,1.10,0.95,1.05,0.90,1.20\n"
		"2016/17,B,2.00,2.20,1.80,1.90,1.95,1.99,1.50,2.50\n"
		"2017/18,A,4.00,,3.00,4.00,4.00,4.00,4.00,4.00\n"
		"2017/18,'=C,50.00,,0.00,,,,,\n");
	assert_string_equal(sum,
		"target_year,ccg_years,scored,budgeted,mape_budget,mape_p50,mape_naive,"
		"cover80,cover95\n"
		"2016/17,2,2,2,0.075000,0.075000,0.100000,0.500000,1.000000\n"
		"2017/18,2,1,0,,0.000000,0.250000,1.000000,1.000000\n"
		"all,4,3,2,0.075000,0.050000,0.150000,0.666667,1.000000\n"
		"budgeted,2,2,2,0.075000,0.075000,0.100000,0.500000,1.000000\n");
	assert_string_equal(man,
		"; written by pcbudget backtest\n[run]\n"
		"version = " PCBUDGET_VERSION "\n"
		"command = pcbudget backtest -o x\n"
		"columns = built-in\n"
		"vi = out (out_of_scope)\n"
		"local_es = enhanced (enhanced_services)\n"
		"pcn_participation = out (out_of_scope)\n"
		"other_payments = out (out_of_scope)\n"
		"prior_nat_sd = 0.02\n"
		"target_years = 2016/17 to 2017/18\n"
		"budget = payments-only budget (pbudget.h), practices of the year "
		"before under their CCG of the target year\n"
		"budget_years = 2016/17\n");
	free(csv);
	free(sum);
	free(man);
	assert_int_equal(reportdir_remove_tree(dir), 0);
	free(dir);
}

static void test_backtest_io_leaves_nothing_when_the_folder_cannot_be_made(void **state)
{
	char *dir = make_tmpdir(), out[512], want[600];
	struct bt_result r;
	struct bt_row rows[4];
	struct backtest_io_run run = no_inputs();

	(void)state;
	hand_rows(&r, rows);
	touch(dir, "file");
	snprintf(out, sizeof(out), "%s/file/out", dir);
	capture_begin();
	assert_int_equal(backtest_io_write(out, &r, &run), ST_NOOUTPUT);
	snprintf(want, sizeof(want),
		 "pcbudget: error: cannot create directory '%s': Not a directory\n", out);
	assert_string_equal(capture_end(), want);
	/* a folder that cannot be written into: no file, no temporary file */
	snprintf(out, sizeof(out), "%s/ro", dir);
	assert_int_equal(mkdir(out, 0555), 0);
	if (access(out, W_OK) == 0) {
		printf("skipped: running as root, a read-only folder is writable\n");
	} else {
		capture_begin();
		assert_int_equal(backtest_io_write(out, &r, &run), ST_NOOUTPUT);
		capture_end();
		assert_int_equal(rmdir(out), 0);	/* fails if anything is left */
	}
	assert_int_equal(reportdir_remove_tree(dir), 0);
	free(dir);
}

static void test_backtest_io_prints_every_year_and_marks_poor_coverage(void **state)
{
	struct bt_result r;
	struct bt_row rows[4];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	hand_rows(&r, rows);
	backtest_io_print_summary(f, &r);
	fclose(f);
	assert_string_equal(buf,
		"year       CCGs scored MAPE budget  MAPE p50 MAPE naive  in 80%  in 95%\n"
		"2016/17       2      2       7.50%     7.50%     10.00%   50.0%  100.0% *\n"
		"2017/18       2      1           -     0.00%     25.00%  100.0%  100.0% *\n"
		"all           4      3       7.50%     5.00%     15.00%   66.7%  100.0% *\n"
		"budgeted      2      2       7.50%     7.50%     10.00%   50.0%  100.0% *\n"
		"* coverage outside 75-85% (80% interval) or 92-98% (95% interval)\n"
		"budgeted: the CCG-years with a budget, every column over the same rows\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backtest_io_finds_only_yearly_files_in_name_order),
		cmocka_unit_test(test_backtest_io_reports_a_folder_without_yearly_files),
		cmocka_unit_test(test_backtest_io_writes_both_reports_in_pounds),
		cmocka_unit_test(test_backtest_io_leaves_nothing_when_the_folder_cannot_be_made),
		cmocka_unit_test(test_backtest_io_prints_every_year_and_marks_poor_coverage),
	};

	return cmocka_run_group_tests_name("backtest_io", tests, NULL, NULL);
}

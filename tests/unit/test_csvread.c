/*
 * test_csvread.c - the strict CSV reader: what it accepts, where it
 * says each field starts, and the exact message for each defect.
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

#include "csvread.h"
#include "helpers.h"

static enum status load(struct csv_table *t, const char *text,
			const char **err)
{
	enum status st;

	csv_table_init(t);
	capture_begin();
	st = csv_read_mem(t, "in.csv", text, strlen(text), NULL);
	*err = capture_end();
	return st;
}

static void expect_cell(const struct csv_table *t, size_t r, size_t c,
			const char *text, unsigned line, unsigned col)
{
	const struct csv_cell *cell = csv_at(t, r, c);

	assert_string_equal(csv_text(t, cell), text);
	assert_int_equal(cell->len, strlen(text));
	assert_int_equal(cell->line, line);
	assert_int_equal(cell->col, col);
}

static void test_csvread_accepts_bom_crlf_and_no_final_newline(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "\xef\xbb\xbf" "Code,Amount\r\nA1,12.50\r\nB2,3", &err), ST_OK);
	assert_string_equal(err, "");
	assert_true(t.had_bom);
	assert_true(t.had_crlf);
	assert_false(t.final_newline);
	assert_int_equal(t.n_cols, 2);
	assert_int_equal(t.n_rows, 2);
	/*
	 * The BOM is not part of the first name, and columns count from
	 * after it: editors do not show it, so "Code" is at column 1.
	 */
	assert_string_equal(csv_text(&t, csv_header(&t, 0)), "Code");
	assert_int_equal(csv_header(&t, 0)->col, 1);
	expect_cell(&t, 0, 1, "12.50", 2, 4);
	expect_cell(&t, 1, 0, "B2", 3, 1);
	expect_cell(&t, 1, 1, "3", 3, 4);
	csv_table_release(&t);
}

static void test_csvread_keeps_quoted_commas_newlines_and_doubled_quotes(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "name,note,n\n\"Smith, J\",\"he said \"\"hi\"\"\",1\n"
				  "\"two\nlines\",x,2\n", &err), ST_OK);
	expect_cell(&t, 0, 0, "Smith, J", 2, 1);
	expect_cell(&t, 0, 1, "he said \"hi\"", 2, 12);
	/* "Smith, J" is cols 1-10, the second field 12-27 (16 bytes), "1" at 29 */
	expect_cell(&t, 0, 2, "1", 2, 29);
	/* a quoted newline: the next field is on the following physical line */
	expect_cell(&t, 1, 0, "two\nlines", 3, 1);
	expect_cell(&t, 1, 1, "x", 4, 8);
	csv_table_release(&t);
}

static void test_csvread_locates_empty_fields_including_the_last(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "a,b,c\n,,\n1,\"\",\n", &err), ST_OK);
	expect_cell(&t, 0, 0, "", 2, 1);
	expect_cell(&t, 0, 1, "", 2, 2);
	expect_cell(&t, 0, 2, "", 2, 3);
	expect_cell(&t, 1, 1, "", 3, 3);
	expect_cell(&t, 1, 2, "", 3, 6);
	csv_table_release(&t);
}

static void test_csvread_keeps_spaces_around_unquoted_values(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "a,b\n 12.50 ,x\n", &err), ST_OK);
	expect_cell(&t, 0, 0, " 12.50 ", 2, 1);
	csv_table_release(&t);
}

struct defect {
	const char *name;
	const char *input;
	const char *message;
};

static const struct defect defects[] = {
	{ "empty file", "", "in.csv:1:1: error: file is empty\n" },
	{ "only a BOM", "\xef\xbb\xbf", "in.csv:1:1: error: file is empty\n" },
	{ "header only", "a,b\n", "in.csv:2:1: error: no data rows after the header\n" },
	{ "blank line", "a,b\n1,2\n\n3,4\n", "in.csv:3:1: error: blank line\n" },
	{ "blank CRLF line", "a,b\r\n1,2\r\n\r\n", "in.csv:3:1: error: blank line\n" },
	{ "short row", "a,b,c\n1,2\n", "in.csv:2:4: error: row has 2 fields, the header has 3\n" },
	{ "long row", "a,b\n1,2,3\n", "in.csv:2:5: error: row has 3 fields, the header has 2\n" },
	{ "unterminated quote", "a,b\n1,\"open\n2,3\n4,5\n",
	  "in.csv:2:3: error: unterminated quoted field\n" },
	{ "quote inside a field", "a,b\n1,x\"y\n", "in.csv:2:4: error: quote inside an unquoted field\n" },
	{ "text after closing quote", "a,b\n1,\"x\"y\n",
	  "in.csv:2:6: error: unexpected character after a closing quote\n" },
	{ "NUL byte", "a,b\n1,2\0003\n", "in.csv:2:4: error: NUL byte in the data\n" },
	{ "invalid UTF-8", "a,b\n1,caf\xe9\n", "in.csv:2:6: error: invalid UTF-8 byte sequence\n" },
	/* Excel's "Unicode Text": the byte order mark names the encoding */
	{ "UTF-16 LE", "\xff\xfe" "a",
	  "in.csv:1:1: error: file is UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8\n" },
	{ "UTF-16 BE", "\xfe\xff",
	  "in.csv:1:1: error: file is UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8\n" },
	{ "duplicate header", "Code,Amount,code\nA,1,B\n",
	  "in.csv:1:13: error: duplicate column 'code' (also column 1)\n" },
	{ "header duplicate after normalising", "Global.Sum,Global  Sum\n1,2\n",
	  "in.csv:1:12: error: duplicate column 'Global  Sum' (also column 1)\n" },
	{ "empty header name", "a,,c\n1,2,3\n", "in.csv:1:3: error: column 2 has an empty name\n" },
};

static void test_csvread_reports_each_defect_once_where_it_is(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
		struct csv_table t;
		const char *err;
		enum status st;

		csv_table_init(&t);
		capture_begin();
		/* the NUL case carries 3 bytes from its embedded NUL on */
		st = csv_read_mem(&t, "in.csv", defects[i].input,
				  strlen(defects[i].input) +
					  (strcmp(defects[i].name, "NUL byte") == 0 ? 3 : 0),
				  NULL);
		err = capture_end();
		if (st != ST_DATA || strcmp(err, defects[i].message) != 0)
			fail_msg("%s: status %d, message '%s', want '%s'", defects[i].name,
				 st, err, defects[i].message);
		assert_null(t.cells);	/* released on error */
	}
}

static void test_csvread_reports_every_ragged_row(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "a,b\n1\n2,3\n4,5,6\n", &err), ST_DATA);
	assert_string_equal(err,
			    "in.csv:2:2: error: row has 1 field, the header has 2\n"
			    "in.csv:4:5: error: row has 3 fields, the header has 2\n");
}

static void test_csvread_caps_field_size(void **state)
{
	struct csv_table t;
	struct csv_opts o = { 100, false };
	char *big = malloc(10000 + 16);
	const char *err;

	(void)state;
	memcpy(big, "a,b\n1,", 6);
	memset(big + 6, 'x', 10000);
	strcpy(big + 10006, "\n");
	csv_table_init(&t);
	capture_begin();
	assert_int_equal(csv_read_mem(&t, "in.csv", big, strlen(big), &o), ST_DATA);
	err = capture_end();
	assert_string_equal(err, "in.csv:2:3: error: field is longer than 100 bytes\n");
	/* the default cap is 4096 bytes */
	csv_table_init(&t);
	capture_begin();
	assert_int_equal(csv_read_mem(&t, "in.csv", big, strlen(big), NULL), ST_DATA);
	err = capture_end();
	assert_string_equal(err, "in.csv:2:3: error: field is longer than 4096 bytes\n");
	free(big);
}

static void test_csvread_normalises_header_names(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "Doctors.Retainer.Scheme.Payments", "doctors retainer scheme payments" },
		{ "Appraisal Costs ", "appraisal costs" },
		{ "LocalEnhancedServices_NHAIS_", "localenhancedservices nhais" },
		{ "  winter   Access Fund", "winter access fund" },
		{ "Pr\xc3\xa1" "ctice", "pr\xc3\xa1" "ctice" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = csv_normalise_name(cases[i].in, strlen(cases[i].in));

		assert_string_equal(n, cases[i].want);
		free(n);
	}
}

static void test_csvread_finds_columns_by_normalised_name(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	assert_int_equal(load(&t, "Practice Code,Global.Sum\nA1,1\n", &err), ST_OK);
	assert_int_equal(csv_find_col(&t, "global sum"), 1);
	assert_int_equal(csv_find_col(&t, "practice code"), 0);
	assert_int_equal(csv_find_col(&t, "qof"), -1);
	csv_table_release(&t);
}

static void test_csvread_accepts_a_header_only_file_when_allowed(void **state)
{
	struct csv_table t;
	struct csv_opts o = { 0, true };
	const char *err;

	(void)state;
	csv_table_init(&t);
	capture_begin();
	assert_int_equal(csv_read_mem(&t, "in.csv", "a,b\n", 4, &o), ST_OK);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(t.n_rows, 0);
	assert_int_equal(t.n_cols, 2);
	csv_table_release(&t);
}

static void test_csvread_reports_a_missing_file(void **state)
{
	struct csv_table t;
	const char *err;

	(void)state;
	csv_table_init(&t);
	capture_begin();
	assert_int_equal(csv_read_file(&t, "/nonexistent/x.csv", NULL), ST_NOINPUT);
	err = capture_end();
	assert_string_equal(err, "pcbudget: error: cannot open '/nonexistent/x.csv': "
				 "No such file or directory\n");
	/* a directory opens for reading; it is refused as input, not a read error */
	capture_begin();
	assert_int_equal(csv_read_file(&t, "/", NULL), ST_NOINPUT);
	assert_string_equal(capture_end(), "pcbudget: error: cannot open '/': Is a directory\n");
}

static const char *shrink_path;

/* A sink whose header callback cuts the file down to its header. */
static enum status shrink_on_header(void *ctx, const struct csv_table *t,
				    size_t max_rows)
{
	(void)ctx, (void)t, (void)max_rows;
	assert_int_equal(truncate(shrink_path, 6), 0);
	return ST_OK;
}

static int count_row(void *ctx, const struct csv_table *t,
		     const struct csv_cell *row)
{
	(void)t, (void)row;
	++*(size_t *)ctx;
	return 0;
}

/*
 * Files are read through a mapping: one cut short by another program
 * while it is read (here: down to its header, as soon as the header has
 * been read) must give a located I/O error, not kill the process with
 * SIGBUS, and the same file read whole must give all its rows.
 */
static void test_csvread_reports_a_file_that_shrinks_while_it_is_read(void **state)
{
	char path[] = "/tmp/pcbudget-shrink-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	size_t rows = 0;
	const struct csv_sink sink = { shrink_on_header, count_row, &rows, NULL };
	struct csv_table t;
	char want[256];

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("a,b,c\n", f);
	for (int i = 0; i < 20000; i++)		/* about 300 KiB: many pages */
		fprintf(f, "%d,x%d,%d.50\n", i, i, i);
	assert_int_equal(fclose(f), 0);

	csv_table_init(&t);
	assert_int_equal(csv_read_file(&t, path, NULL), ST_OK);
	assert_int_equal(t.n_rows, 20000);
	csv_table_release(&t);

	shrink_path = path;
	capture_begin();
	assert_int_equal(csv_stream_file(&t, path, NULL, &sink), ST_IO);
	snprintf(want, sizeof(want), "pcbudget: error: cannot read '%s': it shrank "
		 "while being read (changed by another program?)\n", path);
	assert_string_equal(capture_end(), want);
	assert_true(rows < 20000);
	assert_null(t.cells);	/* released */
	unlink(path);
}

/* What the plain-line test saw: lines offered, lines taken, rows split. */
struct plain_seen {
	char log[512];
	size_t len;
};

static void seen_add(struct plain_seen *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->len += (size_t)vsnprintf(s->log + s->len, sizeof(s->log) - s->len, fmt, ap);
	va_end(ap);
}

static enum status plain_header(void *ctx, const struct csv_table *t,
				size_t max_rows)
{
	(void)ctx, (void)t, (void)max_rows;
	return ST_OK;
}

/* Takes the offered lines without a quote whose first byte is not '6'. */
static int plain_take(void *ctx, const struct csv_table *t, const char *line,
		      size_t len, unsigned long lineno)
{
	bool take = !memchr(line, '"', len) && line[0] != '6';

	(void)t;
	seen_add(ctx, "%s %lu [%.*s]\n", take ? "took" : "offered", lineno,
		 (int)len, line);
	return take;
}

static int plain_row(void *ctx, const struct csv_table *t,
		     const struct csv_cell *row)
{
	seen_add(ctx, "row %u [%s|%s]\n", row[0].line, csv_text(t, &row[0]),
		 csv_text(t, &row[1]));
	return 0;
}

/*
 * A sink's plain() is offered each line that starts a record and has
 * CSV_STREAM_PAD bytes after it, without its line end (CRLF too); what
 * it takes goes nowhere else but counts as a row; what it declines is
 * split as usual.  The last two lines have fewer than 32 bytes after
 * them (the long line 7 has "a,b", 3 bytes), so they are never offered.
 */
static void test_csvread_offers_plain_lines_before_splitting_them(void **state)
{
	static const char data[] =
		"h1,h2\n"
		"1,2\n"
		"\"q,r\",3\n"
		"4,5\r\n"
		"6,7\n"
		"8,9\n"
		"0123456789012345678901234567890123456789,z\n"
		"a,b";
	struct plain_seen seen = { { 0 }, 0 };
	const struct csv_sink sink = { plain_header, plain_row, &seen, plain_take };
	struct csv_table t;

	(void)state;
	csv_table_init(&t);
	assert_int_equal(csv_stream_mem(&t, "p.csv", data, sizeof(data) - 1, NULL, &sink),
			 ST_OK);
	assert_string_equal(seen.log,
			    "took 2 [1,2]\n"
			    "offered 3 [\"q,r\",3]\n"
			    "row 3 [q,r|3]\n"
			    "took 4 [4,5]\n"
			    "offered 5 [6,7]\n"
			    "row 5 [6|7]\n"
			    "took 6 [8,9]\n"
			    "row 7 [0123456789012345678901234567890123456789|z]\n"
			    "row 8 [a|b]\n");
	assert_int_equal(t.n_rows, 7);
	assert_true(t.had_crlf);
	csv_table_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvread_accepts_bom_crlf_and_no_final_newline),
		cmocka_unit_test(test_csvread_keeps_quoted_commas_newlines_and_doubled_quotes),
		cmocka_unit_test(test_csvread_locates_empty_fields_including_the_last),
		cmocka_unit_test(test_csvread_keeps_spaces_around_unquoted_values),
		cmocka_unit_test(test_csvread_reports_each_defect_once_where_it_is),
		cmocka_unit_test(test_csvread_reports_every_ragged_row),
		cmocka_unit_test(test_csvread_caps_field_size),
		cmocka_unit_test(test_csvread_normalises_header_names),
		cmocka_unit_test(test_csvread_finds_columns_by_normalised_name),
		cmocka_unit_test(test_csvread_accepts_a_header_only_file_when_allowed),
		cmocka_unit_test(test_csvread_reports_a_missing_file),
		cmocka_unit_test(test_csvread_reports_a_file_that_shrinks_while_it_is_read),
		cmocka_unit_test(test_csvread_offers_plain_lines_before_splitting_them),
	};

	return cmocka_run_group_tests_name("csvread", tests, NULL, NULL);
}

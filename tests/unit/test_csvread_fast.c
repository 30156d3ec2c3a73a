/*
 * test_csvread_fast.c - the CSV reader's fast path (records split at
 * commas without libcsv) must give exactly what the libcsv path gives:
 * the same status, cells, positions, flags and error messages.
 *
 * Every input is parsed twice, with csv_set_fast_path(true) and
 * (false), and the two results compared field by field.  The inputs are
 * hand-picked edge cases plus a few thousand random strings over an
 * alphabet rich in commas, quotes and line ends (fixed seed).
 *
 * The same inputs check the streaming reader (csv_stream_mem()) against
 * the table: the rows it hands over, one at a time, must be the table's
 * rows, with the same messages, except that a stream checks the header
 * before any row (a table checks it last, and only if nothing else was
 * wrong), so a bad header stops a stream at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "csvread.h"
#include "diag.h"

struct parsed {
	enum status st;
	char *diag;
	struct csv_table t;
};

static void parse_with(struct parsed *p, const char *buf, size_t len,
		       const struct csv_opts *opts, bool fast)
{
	csv_set_fast_path(fast);
	csv_table_init(&p->t);
	capture_begin();
	p->st = csv_read_mem(&p->t, "in.csv", buf, len, opts);
	p->diag = strdup(capture_end());
	csv_set_fast_path(true);
}

static void parsed_release(struct parsed *p)
{
	csv_table_release(&p->t);
	free(p->diag);
}

/* What a stream handed over: every row's cells, copied. */
struct streamed {
	enum status st;
	char *diag;
	struct csv_table t;	/* the header */
	struct csv_cell *cells;	/* rows * n_cols; off indexes text */
	char *text;
	size_t n_cells, text_len;
	size_t rows, headers, max_rows;
};

static enum status on_header(void *ctx, const struct csv_table *t,
			     size_t max_rows)
{
	struct streamed *s = ctx;

	s->headers++;
	s->max_rows = max_rows;
	assert_non_null(t->norm);	/* names are normalised before rows */
	return ST_OK;
}

static int on_row(void *ctx, const struct csv_table *t,
		  const struct csv_cell *row)
{
	struct streamed *s = ctx;

	assert_ptr_equal(row, t->cells + t->n_cols);
	for (size_t c = 0; c < t->n_cols; c++) {
		const char *text = csv_text(t, &row[c]);

		assert_int_equal(strlen(text), row[c].len);
		s->cells = realloc(s->cells, (s->n_cells + 1) * sizeof(*s->cells));
		s->text = realloc(s->text, s->text_len + row[c].len + 1);
		assert_non_null(s->cells);
		assert_non_null(s->text);
		s->cells[s->n_cells] = row[c];
		s->cells[s->n_cells++].off = (uint32_t)s->text_len;
		memcpy(s->text + s->text_len, text, row[c].len + 1);
		s->text_len += row[c].len + 1;
	}
	s->rows++;
	return 0;
}

static void stream(struct streamed *s, const char *buf, size_t len,
		   const struct csv_opts *opts)
{
	const struct csv_sink sink = { on_header, on_row, s, NULL };

	memset(s, 0, sizeof(*s));
	csv_table_init(&s->t);
	capture_begin();
	s->st = csv_stream_mem(&s->t, "in.csv", buf, len, opts, &sink);
	s->diag = strdup(capture_end());
}

static void streamed_release(struct streamed *s)
{
	csv_table_release(&s->t);
	free(s->diag);
	free(s->cells);
	free(s->text);
}

static bool is_header_error(const char *diag)
{
	/* the header ends on line 1 unless a quoted name holds a line end */
	return strstr(diag, ": error: duplicate column '") ||
	       strstr(diag, " has an empty name\n");
}

/* The stream of buf gives the rows of the table a (parsed from buf). */
static void stream_matches_table(const struct parsed *a, const char *buf,
				 size_t len, const struct csv_opts *opts,
				 const char *shown)
{
	struct streamed s;

	stream(&s, buf, len, opts);
	if (is_header_error(s.diag)) {
		/* the table reports it too, unless it failed earlier */
		if (s.st != ST_DATA || a->st != ST_DATA ||
		    (strcmp(s.diag, a->diag) != 0 && is_header_error(a->diag)))
			fail_msg("input '%s': stream %d '%s', table %d '%s'", shown,
				 (int)s.st, s.diag, (int)a->st, a->diag);
		streamed_release(&s);
		return;
	}
	if (s.st != a->st || strcmp(s.diag, a->diag) != 0)
		fail_msg("input '%s': stream %d '%s', table %d '%s'", shown,
			 (int)s.st, s.diag, (int)a->st, a->diag);
	if (a->st == ST_OK) {
		if (s.headers != 1 || s.rows != a->t.n_rows ||
		    s.t.n_rows != a->t.n_rows || s.t.n_cols != a->t.n_cols ||
		    s.t.had_bom != a->t.had_bom || s.t.had_crlf != a->t.had_crlf ||
		    s.t.final_newline != a->t.final_newline)
			fail_msg("input '%s': stream shape differs", shown);
		/* LF line ends bound the rows (no lone CR in these inputs) */
		if (!memchr(buf, '\r', len) && s.rows > s.max_rows)
			fail_msg("input '%s': %zu rows, max_rows %zu", shown,
				 s.rows, s.max_rows);
		for (size_t c = 0; c < a->t.n_cols; c++)
			if (strcmp(csv_text(&s.t, csv_header(&s.t, c)),
				   csv_text(&a->t, csv_header(&a->t, c))) != 0)
				fail_msg("input '%s': header %zu differs", shown, c);
		for (size_t i = 0; i < s.n_cells; i++) {
			const struct csv_cell *x = &s.cells[i];
			const struct csv_cell *y = &a->t.cells[a->t.n_cols + i];

			if (x->len != y->len || x->line != y->line ||
			    x->col != y->col ||
			    memcmp(s.text + x->off, csv_text(&a->t, y), x->len + 1))
				fail_msg("input '%s': streamed cell %zu differs: "
					 "%u:%u '%s', table %u:%u '%s'",
					 shown, i, x->line, x->col, s.text + x->off,
					 y->line, y->col, csv_text(&a->t, y));
		}
	}
	streamed_release(&s);
}

/* Parses buf both ways and fails with the input shown if they differ. */
static void same_both_ways(const char *buf, size_t len, size_t max_field)
{
	struct csv_opts opts = { max_field, false };
	struct parsed a, b;
	char shown[256];

	parse_with(&a, buf, len, &opts, true);
	parse_with(&b, buf, len, &opts, false);
	diag_quote(shown, sizeof(shown), buf, len);
	stream_matches_table(&a, buf, len, &opts, shown);
	if (a.st != b.st || strcmp(a.diag, b.diag) != 0)
		fail_msg("input '%s': fast %d '%s', libcsv %d '%s'", shown,
			 (int)a.st, a.diag, (int)b.st, b.diag);
	if (a.st == ST_OK) {
		if (a.t.n_rows != b.t.n_rows || a.t.n_cols != b.t.n_cols ||
		    a.t.had_bom != b.t.had_bom || a.t.had_crlf != b.t.had_crlf ||
		    a.t.final_newline != b.t.final_newline)
			fail_msg("input '%s': shapes differ", shown);
		for (size_t i = 0; i < (a.t.n_rows + 1) * a.t.n_cols; i++) {
			const struct csv_cell *x = &a.t.cells[i], *y = &b.t.cells[i];

			if (x->len != y->len || x->line != y->line ||
			    x->col != y->col ||
			    memcmp(csv_text(&a.t, x), csv_text(&b.t, y), x->len + 1))
				fail_msg("input '%s': cell %zu differs: fast "
					 "%u:%u '%s', libcsv %u:%u '%s'",
					 shown, i, x->line, x->col,
					 csv_text(&a.t, x), y->line, y->col,
					 csv_text(&b.t, y));
		}
	}
	parsed_release(&a);
	parsed_release(&b);
}

static void test_csvread_fast_path_libcsv_and_stream_agree_on_edge_cases(void **state)
{
	static const char *const cases[] = {
		"a,b\n1,2\n",
		"a,b\r\n1,2\r\n",
		"a,b\r\n1,2",			/* no final newline */
		("\xef\xbb\xbf" "a,b\r\n1,2"),	/* BOM */
		"a,b\n1,2,3\n",			/* long row */
		"a,b\n1\n",			/* short row */
		"a,b\n1\r\n2,3",		/* short row, CRLF */
		"a,b\n1",			/* short row at EOF */
		"a,b\n,\n",			/* empty fields */
		"a,b\n1,\n",
		"a,b\n\"x,y\",2\n",		/* quoted comma */
		"a,b\n\"\",2\n",			/* empty quoted */
		"a,b\n1,\"x\"\n",			/* quoted last field */
		"a,b\n1,\"x\"",			/* ... at EOF */
		"a,b\n\"x\"\"y\",2\n",		/* doubled quote */
		"a,b\n\"x\ny\",2\n",		/* quoted newline */
		"a,b\n\"x\"y,2\n",			/* junk after closing quote */
		"a,b\nx\"y,2\n",			/* quote in unquoted field */
		"a,b\n\"x,2\n",			/* unterminated quote */
		"a,b\n\"x,2",
		"a,b\n\n1,2\n",			/* blank line */
		"a,b\n\r\n1,2\n",
		"a,b\n1,2\n\n",
		"a,b\n1,2\r",			/* lone CR at the end */
		"a,b\n1\r2,3\n",			/* lone CR inside */
		"a,b\n1, 2\n",			/* spaces kept */
		"a,b\n\xc3\xa9,2\n",		/* UTF-8 */
		"a,b\n\xff,2\n",			/* invalid UTF-8 */
		"a,b\n1,2\n\"3\",4\n",
		"a,a\n1,2\n",			/* duplicate header */
		"a,\n1,2\n",			/* empty header name */
		"a,b\n",				/* header only */
		"a",
		",\n,\n",
		"\"a\",\"b\"\r\n\"1\",\"2\"\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		same_both_ways(cases[i], strlen(cases[i]), 0);
		same_both_ways(cases[i], strlen(cases[i]), 1);
	}
	same_both_ways("a,b\n1\0,2\n", 9, 0);	/* NUL byte */
}

static void test_csvread_fast_path_libcsv_and_stream_agree_on_random_input(void **state)
{
	static const char *const atoms[] = {
		"a", "b", "12", ",", ",", ",", "\"", "\"", "\n", "\n",
		"\r\n", "\r", " ", "\xc3\xa9", "x,y", "\"q\"",
	};
	const size_t n_atoms = sizeof(atoms) / sizeof(atoms[0]);
	unsigned long seed = 12345;
	char buf[128];

	(void)state;
	for (int it = 0; it < 20000; it++) {
		size_t len = 0, n;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		n = 1 + (seed >> 33) % 24;
		/* most inputs start with a clean two-column header */
		if ((seed >> 20) % 4) {
			memcpy(buf, "h,i\n", 4);
			len = 4;
		}
		for (size_t k = 0; k < n; k++) {
			const char *a;

			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			a = atoms[(seed >> 33) % n_atoms];
			memcpy(buf + len, a, strlen(a));
			len += strlen(a);
		}
		same_both_ways(buf, len, (seed >> 40) % 3 == 0 ? 2 : 0);
	}
}

/*
 * Long lines, mostly plain (the 16-byte split), with a special byte now
 * and then at any position, so that every chunk boundary is crossed.
 */
static void test_csvread_fast_path_libcsv_and_stream_agree_on_long_lines(void **state)
{
	static const char specials[] = { '"', '\r', '\0', (char)0xc3, (char)0xff, '\n', ',' };
	unsigned long seed = 777;
	char buf[512];

	(void)state;
	for (int it = 0; it < 5000; it++) {
		size_t len = 0;
		int rows;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		rows = 1 + (int)((seed >> 33) % 4);
		memcpy(buf, "h,i,j\r\n", 7);
		len = 7;
		for (int r = 0; r < rows; r++) {
			size_t n;

			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			n = 1 + (seed >> 33) % 70;
			for (size_t k = 0; k < n && len < sizeof(buf) - 4; k++) {
				seed = seed * 6364136223846793005UL + 1442695040888963407UL;
				if ((seed >> 40) % 40 == 0)
					buf[len++] = specials[(seed >> 20) % sizeof(specials)];
				else if ((seed >> 40) % 5 == 0)
					buf[len++] = ',';
				else
					buf[len++] = (char)('a' + (seed >> 50) % 26);
			}
			if ((seed >> 10) & 1)
				buf[len++] = '\r';
			buf[len++] = '\n';
		}
		same_both_ways(buf, len - ((seed >> 12) & 1), (seed >> 14) % 4 == 0 ? 9 : 0);
	}
}

/*
 * Lines of well-formed fields, quoted ones among them (holding commas,
 * now and then a doubled quote), of 0 to 40 bytes each, so that quoted
 * fields open and close at every offset of the 16-byte chunks.
 */
static void test_csvread_fast_path_libcsv_and_stream_agree_on_quoted_fields(void **state)
{
	unsigned long seed = 4242;
	char buf[1024];

	(void)state;
	for (int it = 0; it < 5000; it++) {
		size_t len;
		int rows, fields;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		fields = 1 + (int)((seed >> 33) % 12);
		rows = 1 + (int)((seed >> 45) % 3);
		len = 0;
		for (int f = 0; f < fields; f++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%sh%d",
						f ? "," : "", f);
		buf[len++] = '\n';
		for (int r = 0; r < rows; r++) {
			for (int f = 0; f < fields; f++) {
				size_t n;
				bool quoted;

				seed = seed * 6364136223846793005UL + 1442695040888963407UL;
				n = (seed >> 33) % 41;
				quoted = (seed >> 20) % 3 == 0;
				if (f)
					buf[len++] = ',';
				if (quoted)
					buf[len++] = '"';
				for (size_t k = 0; k < n; k++) {
					seed = seed * 6364136223846793005UL + 1442695040888963407UL;
					if (quoted && (seed >> 40) % 7 == 0)
						buf[len++] = ',';
					else if (quoted && (seed >> 40) % 97 == 1) {
						buf[len++] = '"';
						buf[len++] = '"';
					} else
						buf[len++] = (char)('a' + (seed >> 50) % 26);
				}
				if (quoted)
					buf[len++] = '"';
			}
			if ((seed >> 10) & 1)
				buf[len++] = '\r';
			buf[len++] = '\n';
		}
		same_both_ways(buf, len, (seed >> 14) % 5 == 0 ? 20 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvread_fast_path_libcsv_and_stream_agree_on_edge_cases),
		cmocka_unit_test(test_csvread_fast_path_libcsv_and_stream_agree_on_random_input),
		cmocka_unit_test(test_csvread_fast_path_libcsv_and_stream_agree_on_long_lines),
		cmocka_unit_test(test_csvread_fast_path_libcsv_and_stream_agree_on_quoted_fields),
	};

	return cmocka_run_group_tests_name("csvread_fast", tests, NULL, NULL);
}

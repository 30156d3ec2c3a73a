/*
 * backtest_io.c - the file side of "pcbudget backtest" (see
 * backtest_io.h): the folder scan, the two CSV reports and the
 * manifest, the summary table on the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backtest_io.h"
#include "diag.h"
#include "money.h"
#include "outfile.h"
#include "payments_io.h"
#include "report.h"
#include "xalloc.h"

#ifndef PCBUDGET_VERSION
#define PCBUDGET_VERSION "unknown"
#endif

/* ---- finding the files ------------------------------------------------ */

/* True for "YY-YY.csv" with the second year following the first. */
static bool is_year_file(const char *name)
{
	int a, b;

	if (strlen(name) != 9 || strcmp(name + 5, ".csv") != 0 || name[2] != '-')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (name[i] < '0' || name[i] > '9'))
			return false;
	a = (name[0] - '0') * 10 + (name[1] - '0');
	b = (name[3] - '0') * 10 + (name[4] - '0');
	return b == (a + 1) % 100;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum status backtest_io_find_files(const char *dir, char ***paths, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t nv = 0, alloc = 0, len = strlen(dir);
	const char *sep = len && dir[len - 1] == '/' ? "" : "/";

	*paths = NULL;
	*n = 0;
	if (!d) {
		diag_error("cannot open directory '%s': %s", dir, strerror(errno));
		return ST_NOINPUT;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!is_year_file(e->d_name))
			continue;
		ALLOC_GROW(v, nv + 1, alloc);
		v[nv++] = xasprintf("%s%s%s", dir, sep, e->d_name);
	}
	if (errno != 0) {
		int err = errno;

		closedir(d);
		backtest_io_free_paths(v, nv);
		diag_error("cannot read directory '%s': %s", dir, strerror(err));
		return ST_NOINPUT;
	}
	closedir(d);
	if (nv == 0) {
		diag_error("no payments files named like 16-17.csv in '%s'", dir);
		return ST_NOINPUT;
	}
	qsort(v, nv, sizeof(*v), cmp_str);
	*paths = v;
	*n = nv;
	return ST_OK;
}

void backtest_io_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* ---- the reports ------------------------------------------------------- */

static void put_year(struct outfile *of, int start)
{
	char b[8];

	pay_year_label(start, b);
	outfile_puts(of, b);
}

static void put_money(struct outfile *of, bool has, int64_t pence)
{
	char b[MONEY_BUFSZ];

	outfile_write(of, ",", 1);
	if (has)
		outfile_write(of, b, money_format_n(pence, b));
}

static void put_share(struct outfile *of, double x)
{
	if (isnan(x))
		outfile_write(of, ",", 1);
	else
		outfile_printf(of, ",%.6f", x);
}

static void write_rows(struct outfile *of, const struct bt_result *r)
{
	outfile_puts(of, "target_year,ccg_code,actual,budget,naive,p50,lo80,hi80,"
		     "lo95,hi95\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct bt_row *row = &r->rows[i];

		put_year(of, row->target_year);
		outfile_write(of, ",", 1);
		outfile_csv_field(of, row->ccg, true);
		put_money(of, true, row->actual);
		put_money(of, row->has_budget, row->budget);
		put_money(of, true, row->naive);
		put_money(of, row->projected, row->p50);
		put_money(of, row->projected, row->lo80);
		put_money(of, row->projected, row->hi80);
		put_money(of, row->projected, row->lo95);
		put_money(of, row->projected, row->hi95);
		outfile_write(of, "\n", 1);
	}
}

/* Which rows a summary line covers: a target year, all, or the budgeted. */
enum { SEL_ALL = 0, SEL_BUDGETED = -1 };

/*
 * Scores the rows of selection sel into *s; *n_rows is how many rows it
 * covers (scored or not) and *n_budgeted how many of the scored have a
 * budget.  SEL_BUDGETED keeps only the rows with a budget, so that
 * budget, p50 and naive are scored on the same CCG-years.
 */
static void summarise(const struct bt_result *r, int sel, struct bt_summary *s,
		      size_t *n_rows)
{
	*n_rows = 0;
	if (sel != SEL_BUDGETED) {
		for (size_t i = 0; i < r->n_rows; i++)
			*n_rows += sel == SEL_ALL || r->rows[i].target_year == sel;
		backtest_summarise(r->rows, r->n_rows, sel, s);
		return;
	}
	{
		struct bt_row *v = xcalloc(r->n_rows ? r->n_rows : 1, sizeof(*v));

		for (size_t i = 0; i < r->n_rows; i++)
			if (r->rows[i].has_budget)
				v[(*n_rows)++] = r->rows[i];
		backtest_summarise(v, *n_rows, 0, s);
		free(v);
	}
}

static const char *sel_label(int sel, char buf[16])
{
	if (sel == SEL_ALL)
		snprintf(buf, 16, "all");
	else if (sel == SEL_BUDGETED)
		snprintf(buf, 16, "budgeted");
	else
		pay_year_label(sel, buf);
	return buf;
}

static void write_summary_line(struct outfile *of, const struct bt_result *r,
			       int sel)
{
	struct bt_summary s;
	size_t n;
	char b[16];

	summarise(r, sel, &s, &n);
	outfile_printf(of, "%s,%zu,%zu,%zu", sel_label(sel, b), n, s.n_rows,
		       s.n_budget);
	put_share(of, s.mape_budget);
	put_share(of, s.mape_p50);
	put_share(of, s.mape_naive);
	put_share(of, s.cover80);
	put_share(of, s.cover95);
	outfile_write(of, "\n", 1);
}

static void write_summary(struct outfile *of, const struct bt_result *r)
{
	outfile_puts(of, "target_year,ccg_years,scored,budgeted,mape_budget,"
		     "mape_p50,mape_naive,cover80,cover95\n");
	for (size_t i = 0; i < r->n_rows; i++)
		if (i == 0 || r->rows[i].target_year != r->rows[i - 1].target_year)
			write_summary_line(of, r, r->rows[i].target_year);
	write_summary_line(of, r, SEL_ALL);
	write_summary_line(of, r, SEL_BUDGETED);
}

/* Hashes of the inputs, computed before anything is written. */
struct input_hash {
	char hex[65];
	uint64_t bytes;
};

static void write_manifest(struct outfile *of, const struct backtest_io_run *run,
			   const struct bt_result *r, const struct input_hash *h)
{
	char a[8], b[8];
	int last_budget = 0;

	outfile_puts(of, "; written by pcbudget backtest\n[run]\n");
	outfile_puts(of, "version = " PCBUDGET_VERSION "\ncommand = pcbudget");
	for (int i = 0; i < run->argc; i++)
		outfile_printf(of, " %s", run->argv[i]);
	outfile_printf(of, "\ncolumns = %s\n", run->columns->source);
	for (size_t g = PAY_GROUP_VI; g < PAY_N_GROUPS; g++)
		outfile_printf(of, "%s = %s (%s)\n", pay_group_name((enum pay_group)g),
			       pay_options_word(run->options, (enum pay_group)g),
			       pay_money_names[run->options->group_cat[g]]);
	pay_year_label(run->first, a);
	pay_year_label(run->last, b);
	outfile_printf(of, "prior_nat_sd = %g\ntarget_years = %s to %s\n",
		       run->model->prior_nat_sd, a, b);
	outfile_puts(of, "budget = payments-only budget (pbudget.h), practices of "
		     "the year before under their CCG of the target year\n"
		     "budget_years =");
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].has_budget && r->rows[i].target_year != last_budget) {
			last_budget = r->rows[i].target_year;
			pay_year_label(last_budget, a);
			outfile_printf(of, " %s", a);
		}
	outfile_puts(of, last_budget ? "\n" : " none\n");
	for (size_t i = 0; i < run->n_years; i++) {
		const struct pay_year *y = &run->years[i];

		outfile_printf(of, "\n[%s]\nfile = %s\nsha256 = %s\nbytes = %llu\n"
			       "practices = %zu\nccgs = %zu\n", y->label, y->path,
			       h[i].hex, (unsigned long long)h[i].bytes, y->n,
			       y->n_ccgs);
	}
}

enum status backtest_io_write(const char *dir, const struct bt_result *r,
			      const struct backtest_io_run *run)
{
	static const char *const names[] = {
		"backtest.csv", "backtest_summary.csv", "manifest.txt",
	};
	enum { N_OUT = 3 };
	struct outfile of[N_OUT];
	char *paths[N_OUT] = { NULL, NULL, NULL };
	struct input_hash *h = xcalloc(run->n_years ? run->n_years : 1, sizeof(*h));
	size_t opened = 0;
	enum status st = ST_OK;

	for (size_t i = 0; i < run->n_years && st == ST_OK; i++)
		st = report_sha256_file(run->years[i].path, h[i].hex, &h[i].bytes);
	if (st == ST_OK)
		st = pay_mkdirs(dir);
	if (st != ST_OK) {
		free(h);
		return st;
	}
	for (; opened < N_OUT; opened++) {
		paths[opened] = xasprintf("%s/%s", dir, names[opened]);
		st = outfile_open(&of[opened], paths[opened]);
		if (st != ST_OK)
			break;
	}
	if (st != ST_OK) {
		for (size_t i = 0; i < opened; i++)
			outfile_abort(&of[i]);
		goto out;
	}
	write_rows(&of[0], r);
	write_summary(&of[1], r);
	write_manifest(&of[2], run, r, h);

	/* publish all or none: flush everything before renaming anything */
	st = outfile_close_all(of, paths, N_OUT);
out:
	for (size_t i = 0; i < N_OUT; i++)
		free(paths[i]);
	free(h);
	return st;
}

/* ---- the table ---------------------------------------------------------- */

/* "  4.62%" into buf, or "      -" for NaN. */
static const char *pct(double x, char buf[16])
{
	if (isnan(x))
		snprintf(buf, 16, "-");
	else
		snprintf(buf, 16, "%.2f%%", 100.0 * x);
	return buf;
}

static const char *cover(double x, char buf[16])
{
	if (isnan(x))
		snprintf(buf, 16, "-");
	else
		snprintf(buf, 16, "%.1f%%", 100.0 * x);
	return buf;
}

static bool off_target(const struct bt_summary *s)
{
	return !(s->cover80 >= 0.75 && s->cover80 <= 0.85 &&
		 s->cover95 >= 0.92 && s->cover95 <= 0.98);
}

/* One line of the table; returns true if it was marked. */
static bool print_line(FILE *f, const struct bt_result *r, int sel)
{
	struct bt_summary s;
	char name[16], b[16], p[16], nv[16], c80[16], c95[16];
	size_t n;
	bool mark;

	summarise(r, sel, &s, &n);
	mark = s.n_rows > 0 && off_target(&s);
	fprintf(f, "%-8s %6zu %6zu %11s %9s %10s %7s %7s%s\n",
		sel_label(sel, name), n, s.n_rows, pct(s.mape_budget, b),
		pct(s.mape_p50, p), pct(s.mape_naive, nv), cover(s.cover80, c80),
		cover(s.cover95, c95), mark ? " *" : "");
	return mark;
}

void backtest_io_print_summary(FILE *f, const struct bt_result *r)
{
	bool marked = false, any_budget = false;

	fprintf(f, "%-8s %6s %6s %11s %9s %10s %7s %7s\n", "year", "CCGs",
		"scored", "MAPE budget", "MAPE p50", "MAPE naive", "in 80%",
		"in 95%");
	for (size_t i = 0; i < r->n_rows; i++) {
		if (i == 0 || r->rows[i].target_year != r->rows[i - 1].target_year)
			marked |= print_line(f, r, r->rows[i].target_year);
		any_budget |= r->rows[i].has_budget;
	}
	marked |= print_line(f, r, SEL_ALL);
	if (any_budget)
		marked |= print_line(f, r, SEL_BUDGETED);
	if (marked)
		fputs("* coverage outside 75-85% (80% interval) or 92-98% "
		      "(95% interval)\n", f);
	if (any_budget)
		fputs("budgeted: the CCG-years with a budget, every column over "
		      "the same rows\n", f);
}

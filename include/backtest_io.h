/*
 * backtest_io.h - the file side of "pcbudget backtest": finding the
 * yearly payments files in a folder, writing backtest.csv,
 * backtest_summary.csv and manifest.txt, and printing the summary table.
 *
 * Where it sits: the command (src/cli/cmd_backtest.c) reads the files
 * with the payments importer (payments_io.h), builds the panel
 * (bt_payments.h), runs the core (backtest.h) and hands the rows here.
 * The reports are written through outfile (temporary files renamed into
 * place only when all are complete: on error none is left behind).
 *
 * Money is written in pounds with two decimals ("1234.56"); shares
 * (MAPE, coverage) as fractions with six decimals; a value that does not
 * exist (no budget, a CCG with no history to project from) as an empty
 * cell.
 */
#ifndef PCBUDGET_BACKTEST_IO_H
#define PCBUDGET_BACKTEST_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "backtest.h"
#include "payments.h"
#include "status.h"

/*
 * Lists the yearly payments files in dir: names of the form YY-YY.csv
 * whose second year follows the first ("16-17.csv"; other files are
 * ignored).  *paths (free with backtest_io_free_paths()) holds "dir/name"
 * for each, sorted by name; *n their number.  Returns ST_OK, or
 * ST_NOINPUT after reporting that dir cannot be opened or holds no such
 * file.
 */
enum status backtest_io_find_files(const char *dir, char ***paths, size_t *n);

/* Frees paths[0..n) and the array. */
void backtest_io_free_paths(char **paths, size_t n);

/* What manifest.txt records about a run (all borrowed). */
struct backtest_io_run {
	int argc;
	char **argv;			/* the command line, argv[0] = "backtest" */
	const struct pay_year *years;	/* the files read, by year */
	size_t n_years;
	const struct pay_colmap *columns;
	const struct pay_options *options;
	const struct bt_options *model;
	int first, last;		/* target years (start years) */
};

/*
 * Writes r's rows to dir/backtest.csv:
 *   target_year,ccg_code,actual,budget,naive,p50,lo80,hi80,lo95,hi95
 * (target year written 2016/17; rows in r's order, by year then CCG),
 * the scores to dir/backtest_summary.csv:
 *   target_year,ccg_years,scored,mape_budget,mape_p50,mape_naive,cover80,cover95
 * one line per target year and a last line "all" (backtest_summarise()),
 * and dir/manifest.txt (INI): version, command line, column table and
 * choices, the model's prior, the target years, the years with a budget,
 * and per input file its path, SHA-256, size and practices.  dir is created if missing.
 * Returns ST_OK, ST_NOINPUT (an input cannot be hashed), ST_NOOUTPUT or
 * ST_IO after reporting; on error none of the files is left behind.
 */
enum status backtest_io_write(const char *dir, const struct bt_result *r,
			      const struct backtest_io_run *run);

/*
 * Prints the summary table to f: one line per target year and one for
 * all years, with MAPE of the budget (or "-" when no row has one), of
 * p50 and of the naive forecast in percent, and the coverage of the 80%
 * and 95% intervals.  A year or total whose coverage is outside 75-85%
 * (80%) or 92-98% (95%) is marked '*' and a footnote says so.
 */
void backtest_io_print_summary(FILE *f, const struct bt_result *r);

#endif

/*
 * cmd_import_payments.c - "pcbudget import-payments": read published
 * NHS Payments to General Practice files, check them, and write the
 * practice history and CCG summary (payments.h does the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "money.h"
#include "payments_io.h"
#include "xalloc.h"

static const char import_help[] =
	"Usage: pcbudget import-payments [options] FILE...\n"
	"       pcbudget import-payments --print-columns\n"
	"\n"
	"Read NHS Digital's yearly 'NHS Payments to General Practice' files as\n"
	"published (one CSV per financial year, named like 16-17.csv), map every\n"
	"column by its normalised header to a budget category, check each\n"
	"practice's payments against the published total, and write one row per\n"
	"practice and year (practice_history.csv) and per CCG and year\n"
	"(ccg_summary.csv), in pounds and pence, plus manifest.txt recording the\n"
	"settings.  From 2015/16 the parts must add up to the total to the\n"
	"penny; in a file where every amount is in whole pounds (2014/15) the\n"
	"rounding difference is reported per CCG as a note.\n"
	"\n"
	"Options:\n"
	"  -o, --out=DIR              write the reports here (default reports/payments)\n"
	"      --print-columns        print the built-in column table and exit\n"
	"%s"
	"  -h, --help                 show this help\n"
	"\n"
	"Column table: CSV 'header,concept,category,requires'; header is matched\n"
	"after normalising (lower case, '.' and '_' to spaces, spaces collapsed);\n"
	"a row with 'requires' applies only when that header is also present\n"
	"(how the 2022/23 file's shifted CCG/PCN labels are told apart).\n"
	"\n"
	"Examples:\n"
	"  pcbudget import-payments ../shared/data/nhs-payments/*-*.csv\n"
	"  pcbudget import-payments --vi=in -o out/payments 21-22.csv 22-23.csv\n"
	"\n"
	"Exit status: 0 done; 64 bad option; 65 bad data (nothing written);\n"
	"66 a file cannot be opened; 73/74 a report cannot be written;\n"
	"78 bad column table.\n";

enum status cmd_import_payments(int argc, char **argv)
{
	enum { OPT_PRINT_COLUMNS = 256 };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ "print-columns", no_argument, NULL, OPT_PRINT_COLUMNS },
		PAY_SETTINGS_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "reports/payments";
	struct pay_settings set;
	struct pay_colmap m;
	struct pay_year *years = NULL;
	size_t n = 0;
	int c;
	enum status st;

	pay_settings_init(&set);
	pay_tune_malloc();
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': {
			char *text = xasprintf(import_help, pay_settings_help);

			st = cli_print_help(text);
			free(text);
			return st;
		}
		case 'o':
			out = optarg;
			break;
		case OPT_PRINT_COLUMNS:
			fwrite(pay_builtin_columns, 1, pay_builtin_columns_len, stdout);
			return cli_close_stdout();
		default:
			if (c >= PAY_OPT_YEAR && c < PAY_OPT_END) {
				if (pay_settings_option(&set, c, optarg))
					return cli_usage_error("import-payments");
				break;
			}
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("import-payments");
		}
	}
	if (optind >= argc) {
		diag_error("import-payments: no input files");
		return cli_usage_error("import-payments");
	}

	pay_colmap_init(&m);
	st = pay_colmap_load(&m, set.columns);
	if (st != ST_OK)
		return st;
	n = (size_t)(argc - optind);
	years = xcalloc(n, sizeof(*years));
	st = pay_import(out, years, argv + optind, n, set.start, &m, &set.o,
			argc, argv);
	if (st == ST_USAGE)
		cli_usage_error("import-payments");
	if (st != ST_OK)
		goto out;

	printf("%-8s %9s %5s %22s %22s %20s\n", "year", "practices", "CCGs",
	       "published total", "budget categories", "out of scope");
	for (size_t i = 0; i < n; i++) {
		const struct pay_ccg *nat = &years[i].national;
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ], d[MONEY_BUFSZ];
		int64_t budget = 0;

		for (size_t k = 0; k < PAY_N_BUDGET; k++)
			budget += nat->m[k];
		printf("%-8s %9zu %5zu %22s %22s %20s\n", years[i].label,
		       years[i].n, years[i].n_ccgs,
		       money_format_gbp(nat->m[PAY_TOTAL_PUBLISHED], a),
		       money_format_gbp(budget, b),
		       money_format_gbp(nat->m[PAY_OUT_OF_SCOPE], d));
	}
	printf("wrote %s/practice_history.csv, ccg_summary.csv, manifest.txt\n", out);
out:
	for (size_t i = 0; i < n; i++)
		pay_year_release(&years[i]);
	free(years);
	pay_colmap_release(&m);
	return st;
}

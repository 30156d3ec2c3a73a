/*
 * cmd_import_payments.c - "pcbudget import-payments": read published
 * NHS Payments to General Practice files, check them, and write the
 * practice history and CCG summary (payments.h does the work).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "money.h"
#include "payments_io.h"
#include "workers.h"
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
	"      --year=YYYY/YY         the year of FILE if its name does not say (one FILE)\n"
	"      --columns=FILE         column table to use instead of the built-in one\n"
	"      --print-columns        print the built-in column table and exit\n"
	"      --vi=out|in            vaccination and immunisation: out of scope\n"
	"                             (default) or in enhanced_services; always in memo_vi\n"
	"      --local-es=enhanced|out  local enhanced services / incentive schemes:\n"
	"                             in enhanced_services (default) or out of scope;\n"
	"                             always in memo_local_es\n"
	"      --pcn-participation=out|enhanced  PCN Participation (default out)\n"
	"      --other-payments=out|core  Other Payments: out of scope (default) or\n"
	"                             core_contract (part of it is APMS contract value)\n"
	"      --threads=N            read files on N threads (default: one per CPU)\n"
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
	enum {
		OPT_YEAR = 256, OPT_COLUMNS, OPT_PRINT_COLUMNS, OPT_VI,
		OPT_LOCAL_ES, OPT_PCN_PARTICIPATION, OPT_OTHER_PAYMENTS, OPT_THREADS
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "columns", required_argument, NULL, OPT_COLUMNS },
		{ "print-columns", no_argument, NULL, OPT_PRINT_COLUMNS },
		{ "vi", required_argument, NULL, OPT_VI },
		{ "local-es", required_argument, NULL, OPT_LOCAL_ES },
		{ "pcn-participation", required_argument, NULL, OPT_PCN_PARTICIPATION },
		{ "other-payments", required_argument, NULL, OPT_OTHER_PAYMENTS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "reports/payments", *columns = NULL;
	struct pay_options o;
	struct pay_colmap m;
	struct pay_year *years = NULL;
	size_t n = 0;
	int start = 0, c, idx = 0;
	enum status st;

	pay_options_init(&o);
#ifdef M_MMAP_THRESHOLD
	/*
	 * Each file is read into buffers of several MB and freed before
	 * the next: keep that memory for reuse instead of handing it back
	 * to the system and faulting it in again (half the run time).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
	while ((c = getopt_long(argc, argv, "ho:", opts, &idx)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(import_help);
		case 'o':
			out = optarg;
			break;
		case OPT_YEAR:
			start = pay_parse_year(optarg);
			if (start < 0) {
				diag_error("option '--year': '%s' is not a financial "
					   "year like 2016/17", optarg);
				return cli_usage_error("import-payments");
			}
			break;
		case OPT_COLUMNS:
			columns = optarg;
			break;
		case OPT_THREADS: {
			unsigned long v;

			if (cli_parse_ulong("--threads", optarg, 1, 64, &v))
				return cli_usage_error("import-payments");
			workers_set_threads((unsigned)v);
			break;
		}
		case OPT_PRINT_COLUMNS:
			fwrite(pay_builtin_columns, 1, pay_builtin_columns_len, stdout);
			return cli_close_stdout();
		case OPT_VI:
		case OPT_LOCAL_ES:
		case OPT_PCN_PARTICIPATION:
		case OPT_OTHER_PAYMENTS: {
			char name[32];

			snprintf(name, sizeof(name), "--%s", opts[idx].name);
			if (pay_options_set(&o, (enum pay_group)(PAY_GROUP_VI + c - OPT_VI),
					    name, optarg))
				return cli_usage_error("import-payments");
			break;
		}
		default:
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("import-payments");
		}
	}
	if (optind >= argc) {
		diag_error("import-payments: no input files");
		return cli_usage_error("import-payments");
	}

	pay_colmap_init(&m);
	st = pay_colmap_load(&m, columns);
	if (st != ST_OK)
		return st;
	n = (size_t)(argc - optind);
	years = xcalloc(n, sizeof(*years));
	st = pay_read_years(years, argv + optind, n, start, &m, &o);
	if (st == ST_USAGE)
		cli_usage_error("import-payments");
	if (st != ST_OK)
		goto out;

	for (size_t i = 0; i < n; i++)
		pay_report_rounding(&years[i]);
	st = pay_write_outputs(out, years, n, &m, &o, argc, argv);
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

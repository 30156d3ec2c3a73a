/*
 * cmd_backtest.c - "pcbudget backtest": for each past target year,
 * forecast every CCG's delegated spend from the earlier years' payments
 * only and compare with what was paid (backtest.h does the statistics,
 * bt_payments.h builds its panel, backtest_io.h writes the reports).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "backtest_io.h"
#include "bt_payments.h"
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "payments_io.h"
#include "pbudget.h"
#include "workers.h"
#include "xalloc.h"

static const char backtest_help[] =
	"Usage: pcbudget backtest --from-payments=DIR [options]\n"
	"       pcbudget backtest [options] FILE...\n"
	"\n"
	"Test the forecasts against what was paid.  For each target year (by\n"
	"default every year with two earlier years of payments: 2016/17 to\n"
	"2022/23 on the published files), forecast every CCG's spend in the five\n"
	"delegated categories (core contract, enhanced services, QOF, premises,\n"
	"discretionary) from the earlier years only, and compare with what its\n"
	"practices were actually paid that year.  Practices count in the CCG\n"
	"they belong to in the target year.  The forecasts are: the budget (the\n"
	"payments-only budget of 'pcbudget run --from-payments', for the years\n"
	"the methodology has rates for: 2016/17 to 2019/20), naive (the same\n"
	"practices' payments the year before), p50 and the 80% and 95%\n"
	"intervals of the trend model (docs/backtest.md).  The payments files\n"
	"are read as 'pcbudget import-payments' reads them, with its checks.\n"
	"\n"
	"Writes backtest.csv (one row per CCG and target year: target_year,\n"
	"ccg_code, actual, budget, naive, p50, lo80, hi80, lo95, hi95, in pounds),\n"
	"backtest_summary.csv (per year and overall: CCG-years, mean absolute\n"
	"percentage error of budget, p50 and naive, and the share of CCG-years\n"
	"inside each interval) and manifest.txt (the settings, and each input\n"
	"file with its SHA-256), and prints the summary.\n"
	"\n"
	"Options:\n"
	"      --from-payments=DIR    read every payments file named like 16-17.csv\n"
	"                             in DIR\n"
	"  -o, --out=DIR              write the reports here (default reports/backtest)\n"
	"      --from=YYYY/YY         first target year (default: the third year of\n"
	"                             payments)\n"
	"      --to=YYYY/YY           last target year (default: the last year)\n"
	"      --columns=FILE         column table instead of the built-in one\n"
	"      --vi=out|in            vaccination and immunisation (default out)\n"
	"      --local-es=enhanced|out  local enhanced services (default enhanced)\n"
	"      --pcn-participation=out|enhanced  PCN Participation (default out)\n"
	"      --other-payments=out|core  Other Payments (default out)\n"
	"      --threads=N            read files on N threads (default: one per CPU)\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Examples:\n"
	"  pcbudget backtest --from-payments ../shared/data/nhs-payments\n"
	"  pcbudget backtest --from=2019/20 -o out/bt payments/*-*.csv\n"
	"\n"
	"Exit status: 0 done; 64 bad option; 65 bad data, a year missing between\n"
	"the files, or too few years (nothing written); 66 a file or DIR cannot\n"
	"be opened, or DIR holds no payments file; 73/74 a report cannot be\n"
	"written; 78 bad column table.\n";

/*
 * The budget column: for every target year the payments-only budget
 * (pbudget.h, issue 4) built from the years before it, per CCG of the
 * target year (bt_payments_budget()).  Years without the methodology's
 * rates get no budget, and a note says which.
 */
static enum status fill_budgets(const struct pay_year *years, size_t n,
				int first, int last, struct bt_result *r)
{
	const struct pb_params *p = &pb_default_params;
	char missing[256] = "";
	size_t len = 0;

	for (int y = first; y <= last; y++) {
		enum status st;

		if (!bt_payments_can_budget(p, y)) {
			char b[8];

			pay_year_label(y, b);
			if (len + 16 < sizeof(missing))
				len += (size_t)snprintf(missing + len, sizeof(missing) - len,
							"%s%s", len ? ", " : "", b);
			continue;
		}
		st = bt_payments_budget(years, n, y, p, r->rows, r->n_rows);
		if (st != ST_OK)
			return st;
	}
	if (len)
		diag_note("no budget for %s: the payments-only budget has no rates "
			  "for %s (docs/methodology.md section 3)", missing,
			  strchr(missing, ',') ? "these years" : "this year");
	return ST_OK;
}

static int parse_year_opt(const char *opt, const char *arg, int *out)
{
	int y = pay_parse_year(arg);

	if (y < 0)
		return diag_error("option '%s': '%s' is not a financial year like "
				  "2016/17", opt, arg);
	*out = y;
	return 0;
}

enum status cmd_backtest(int argc, char **argv)
{
	enum {
		OPT_FROM_PAYMENTS = 256, OPT_FROM, OPT_TO, OPT_COLUMNS, OPT_VI,
		OPT_LOCAL_ES, OPT_PCN_PARTICIPATION, OPT_OTHER_PAYMENTS,
		OPT_THREADS
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ "from-payments", required_argument, NULL, OPT_FROM_PAYMENTS },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "columns", required_argument, NULL, OPT_COLUMNS },
		{ "vi", required_argument, NULL, OPT_VI },
		{ "local-es", required_argument, NULL, OPT_LOCAL_ES },
		{ "pcn-participation", required_argument, NULL, OPT_PCN_PARTICIPATION },
		{ "other-payments", required_argument, NULL, OPT_OTHER_PAYMENTS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "reports/backtest", *dir = NULL, *columns = NULL;
	struct pay_options o;
	struct pay_colmap m;
	struct pay_year *years = NULL;
	struct bt_payments bp;
	struct bt_options bo = bt_default_options();
	struct bt_result r;
	char **paths = NULL;
	size_t n = 0;
	bool own_paths = false;
	int first = 0, last = 0, c, idx = 0;
	enum status st;

	pay_options_init(&o);
	o.split = pb_split();	/* the payment lines the budget rules need */
	while ((c = getopt_long(argc, argv, "ho:", opts, &idx)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(backtest_help);
		case 'o':
			out = optarg;
			break;
		case OPT_FROM_PAYMENTS:
			dir = optarg;
			break;
		case OPT_FROM:
			if (parse_year_opt("--from", optarg, &first))
				return cli_usage_error("backtest");
			break;
		case OPT_TO:
			if (parse_year_opt("--to", optarg, &last))
				return cli_usage_error("backtest");
			break;
		case OPT_COLUMNS:
			columns = optarg;
			break;
		case OPT_THREADS: {
			unsigned long v;

			if (cli_parse_ulong("--threads", optarg, 1, 64, &v))
				return cli_usage_error("backtest");
			workers_set_threads((unsigned)v);
			break;
		}
		case OPT_VI:
		case OPT_LOCAL_ES:
		case OPT_PCN_PARTICIPATION:
		case OPT_OTHER_PAYMENTS: {
			char name[32];

			snprintf(name, sizeof(name), "--%s", opts[idx].name);
			if (pay_options_set(&o, (enum pay_group)(PAY_GROUP_VI + c - OPT_VI),
					    name, optarg))
				return cli_usage_error("backtest");
			break;
		}
		default:
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("backtest");
		}
	}
	if (dir && optind < argc) {
		diag_error("backtest: give --from-payments=DIR or FILE..., not both");
		return cli_usage_error("backtest");
	}
	if (!dir && optind >= argc) {
		diag_error("backtest: no payments files (give --from-payments=DIR "
			   "or FILE...)");
		return cli_usage_error("backtest");
	}
	if (first && last && first > last) {
		char a[8], b[8];

		pay_year_label(first, a);
		pay_year_label(last, b);
		diag_error("option '--from': %s comes after '--to' %s", a, b);
		return cli_usage_error("backtest");
	}

	pay_colmap_init(&m);
	bt_payments_init(&bp);
	bt_result_init(&r);
	st = pay_colmap_load(&m, columns);
	if (st != ST_OK)
		goto out;
	if (dir) {
		st = backtest_io_find_files(dir, &paths, &n);
		if (st != ST_OK)
			goto out;
		own_paths = true;
	} else {
		paths = argv + optind;
		n = (size_t)(argc - optind);
		for (size_t i = 0; i < n; i++)
			if (pay_year_from_name(paths[i]) < 0) {
				diag_error("cannot tell the financial year of '%s' from "
					   "its name; name it YY-YY.csv (e.g. 16-17.csv)",
					   paths[i]);
				st = ST_USAGE;
			}
		if (st != ST_OK) {
			cli_usage_error("backtest");
			goto out;
		}
	}
	years = xcalloc(n, sizeof(*years));
	st = pay_read_years(years, paths, n, 0, &m, &o);
	if (st == ST_USAGE)
		cli_usage_error("backtest");	/* two files for one year */
	if (st != ST_OK)
		goto out;
	st = bt_payments_build(&bp, years, n);
	if (st != ST_OK)
		goto out;
	if (!first)
		first = years[0].start + 2;
	if (!last)
		last = years[n - 1].start;
	st = bt_payments_check_range(&bp, first, last);
	if (st != ST_OK)
		goto out;
	if (backtest_run(&bp.panel, first, last, &bo, &r) != 0) {
		st = ST_DATA;
		goto out;
	}
	st = fill_budgets(years, n, first, last, &r);
	if (st != ST_OK)
		goto out;
	{
		struct backtest_io_run run = {
			argc, argv, years, n, &m, &o, &bo, first, last,
		};

		st = backtest_io_write(out, &r, &run);
	}
	if (st != ST_OK)
		goto out;
	if (!diag_is_quiet()) {
		backtest_io_print_summary(stdout, &r);
		printf("wrote %s/backtest.csv, backtest_summary.csv, manifest.txt\n", out);
	}
out:
	bt_result_release(&r);
	bt_payments_release(&bp);
	for (size_t i = 0; years && i < n; i++)
		pay_year_release(&years[i]);
	free(years);
	if (own_paths)
		backtest_io_free_paths(paths, n);
	pay_colmap_release(&m);
	return st;
}

/*
 * cmd_run_payments.c - "pcbudget run --from-payments DIR --year Y":
 * every CCG's delegated budget for year Y from the published NHS
 * payments of the years before Y only (pbudget.h), with a notional
 * allocation; with --backtest, then compared with what was paid in Y
 * (MAPE beside the naive "same as last year" forecast).  The whole run
 * report folder is written for all of England (run_payments.h fills the
 * struct runreport, runreport_write() does the rest): budget.csv,
 * budget_by_practice.csv and backtest.csv are among its tables.
 *
 * Not in the command table: "pcbudget run" hands over to it when
 * --from-payments is given.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "mc.h"
#include "money.h"
#include "outfile.h"
#include "payments_io.h"
#include "pbudget.h"
#include "run_payments.h"
#include "xalloc.h"

static const char run_payments_help[] =
	"Usage: pcbudget run --from-payments=DIR --year=YYYY/YY [options]\n"
	"\n"
	"Build year Y's delegated primary care budget for every CCG in England\n"
	"from the published NHS Payments to General Practice files in DIR (named\n"
	"like 16-17.csv), using the years before Y only: core contract moved by\n"
	"the global sum price and list change, per-head enhanced services from\n"
	"last year's rate and list, activity services from last year's payments,\n"
	"QOF by point value and CPI change, premises from last year's\n"
	"reimbursements, discretionary apportioned from the region's previous\n"
	"total; services that moved into the global sum (methodology §3.1) are\n"
	"moved.  Practices count for their CCG in the latest year read.  No\n"
	"published allocation is read: a notional one (last year's spend grown by\n"
	"the national allocation growth of methodology §3) is used and labelled\n"
	"notional.  Then the whole report folder is written, as for a dataset:\n"
	"history review of the years read, projections, a Monte Carlo of the\n"
	"budget year from the practices (list growth, QOF, activity services,\n"
	"discretionary; the drivers the payment files cannot support are off),\n"
	"tornado, scenarios, and the tables budget.csv (CCGs and England),\n"
	"budget_by_practice.csv and, with --backtest, backtest.csv.\n"
	"\n"
	"Options:\n"
	"      --from-payments=DIR    the yearly payment files\n"
	"      --year=YYYY/YY         the budget year (2016/17 to 2019/20)\n"
	"  -o, --out=DIR              the report folder (default reports/payments-YYYY-YY)\n"
	"  -p, --params=FILE          [risk] and [report] parameters (default: built in)\n"
	"      --seed=N               the Monte Carlo's seed (default [risk] seed)\n"
	"      --iterations=N         simulated years (default [risk] iterations)\n"
	"      --wait                 wait for another run writing the folder\n"
	"      --backtest             then read year Y too and report each CCG's\n"
	"                             error against what was paid, and the mean\n"
	"                             absolute percentage error beside the naive\n"
	"                             'same as last year' forecast\n"
	"      --threads=N            read files and simulate on N threads\n"
	"      --columns=FILE, --vi=, --local-es=, --pcn-participation=,\n"
	"      --other-payments=      as for import-payments\n"
	"  -h, --help                 show this help\n"
	"\n"
	"The report folder and the ledger are described in docs/report-run.md;\n"
	"the budget's rules in docs/payments.md.\n"
	"\n"
	"Examples:\n"
	"  pcbudget run --from-payments=../shared/data/nhs-payments --year=2017/18 --backtest\n"
	"  pcbudget -q run --from-payments=DIR --year=2017/18 --out=/tmp/r --seed=7\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 invalid payments, 66 missing input,\n"
	"70 internal error, 73/74 cannot write, 75 another run is writing the\n"
	"folder, 78 bad parameters.\n";

/*
 * The files of dir whose names carry a year in [from, to], sorted by
 * name, into *out (free_files()).  Returns ST_OK or ST_NOINPUT after
 * reporting a directory that cannot be opened.
 */
static enum status year_files(const char *dir, int from, int to, char ***files,
			      size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **out = NULL;
	size_t alloc = 0;

	*n = 0;
	*files = NULL;
	if (!d) {
		diag_error("cannot open directory '%s': %s", dir, strerror(errno));
		return ST_NOINPUT;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		int y;

		if (len < 4 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		y = pay_year_from_name(e->d_name);
		if (y < from || y > to)
			continue;
		ALLOC_GROW(out, *n + 1, alloc);
		out[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && strcmp(out[j - 1], out[j]) > 0; j--) {
			char *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	*files = out;
	return ST_OK;
}

static void free_files(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

enum status cmd_run_payments(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_YEAR, OPT_BACKTEST, OPT_SEED, OPT_ITERATIONS, OPT_WAIT };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "from-payments", required_argument, NULL, OPT_FROM },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "out", required_argument, NULL, 'o' },
		{ "params", required_argument, NULL, 'p' },
		{ "backtest", no_argument, NULL, OPT_BACKTEST },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "columns", required_argument, NULL, PAY_OPT_COLUMNS },
		{ "vi", required_argument, NULL, PAY_OPT_VI },
		{ "local-es", required_argument, NULL, PAY_OPT_LOCAL_ES },
		{ "pcn-participation", required_argument, NULL, PAY_OPT_PCN_PARTICIPATION },
		{ "other-payments", required_argument, NULL, PAY_OPT_OTHER_PAYMENTS },
		{ "threads", required_argument, NULL, PAY_OPT_THREADS },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *out = NULL;
	const struct pb_params *params = &pb_default_params;
	struct run_payments_options ro;
	struct run_payments rp;
	struct pay_settings set;
	struct pay_colmap m;
	struct pb_result r;
	struct pb_backtest b;
	struct pay_year *years = NULL, actual;
	char **files = NULL, *outdir = NULL;
	size_t n = 0;
	int year = -1, c;
	unsigned long v;
	bool backtest = false, have_bt = false;
	enum status st;

	memset(&ro, 0, sizeof(ro));
	memset(&b, 0, sizeof(b));
	ro.started = (int64_t)time(NULL);
	pay_settings_init(&set);
	pay_tune_malloc();
	while ((c = getopt_long(argc, argv, "ho:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(run_payments_help);
		case OPT_FROM:
			dir = optarg;
			break;
		case OPT_YEAR:
			year = pay_parse_year(optarg);
			if (year < 0) {
				diag_error("option '--year': '%s' is not a financial year "
					   "like 2016/17", optarg);
				return cli_usage_error("run");
			}
			break;
		case 'o':
			if (!*optarg) {
				diag_error("option '--out': the directory name is empty");
				return cli_usage_error("run");
			}
			out = optarg;
			break;
		case 'p':
			ro.params_path = optarg;
			break;
		case OPT_BACKTEST:
			backtest = true;
			break;
		case OPT_SEED:
			if (cli_parse_ulong("--seed", optarg, 0, ULONG_MAX, &v))
				return cli_usage_error("run");
			ro.has_seed = true;
			ro.seed = v;
			break;
		case OPT_ITERATIONS:
			if (cli_parse_ulong("--iterations", optarg, 1, MC_MAX_ITERATIONS, &v))
				return cli_usage_error("run");
			ro.has_iterations = true;
			ro.iterations = v;
			break;
		case OPT_WAIT:
			ro.wait = true;
			break;
		default:
			if (c > PAY_OPT_YEAR && c < PAY_OPT_END) {
				if (pay_settings_option(&set, c, optarg))
					return cli_usage_error("run");
				if (c == PAY_OPT_THREADS)	/* checked: 1..64 */
					ro.threads = (int)strtol(optarg, NULL, 10);
				break;
			}
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("run");
		}
	}
	if (!dir || year < 0 || optind < argc) {
		diag_error(optind < argc ? "run: unexpected argument '%s'"
			   : "run --from-payments needs --from-payments=DIR and --year=YYYY/YY%s",
			   optind < argc ? argv[optind] : "");
		return cli_usage_error("run");
	}
	set.o.split = pb_split();
	pay_colmap_init(&m);
	pb_result_init(&r);
	pay_year_init(&actual);
	st = run_payments_load_params(&rp, &ro);
	st = status_worst(st, pay_colmap_load(&m, set.columns));
	if (st != ST_OK)
		goto out;

	/* the years before Y only */
	st = year_files(dir, 0, year - 1, &files, &n);
	if (st != ST_OK)
		goto out;
	if (n == 0) {
		char y1[8];

		pay_year_label(year - 1, y1);
		diag_error("no payment files for the years before %d/%02d in '%s' "
			   "(names like 16-17.csv; %s is needed)", year, (year + 1) % 100,
			   dir, y1);
		st = ST_NOINPUT;
		goto out;
	}
	years = xcalloc(n, sizeof(*years));
	st = pay_read_years(years, files, n, 0, &m, &set.o);
	if (st != ST_OK)
		goto out;
	st = pb_build(&r, years, n, year, params);
	if (st != ST_OK)
		goto out;
	diag_info("budget computed from the payments: %zu practices in %zu CCGs",
		  r.n_practices, r.n);

	if (backtest) {
		char **target;
		size_t nt;

		st = year_files(dir, year, year, &target, &nt);
		if (st != ST_OK)
			goto out;
		if (nt != 1) {
			diag_error("--backtest needs exactly one payment file for %d/%02d "
				   "in '%s' (found %zu)", year, (year + 1) % 100, dir, nt);
			free_files(target, nt);
			st = ST_NOINPUT;
			goto out;
		}
		st = pay_read_year(&actual, target[0], 0, &m, &set.o);
		free_files(target, nt);
		if (st != ST_OK)
			goto out;
		pb_backtest(&b, &r, &actual);
		have_bt = true;
	}

	if (!out) {
		outdir = xasprintf("reports/payments-%d-%02d", year, (year + 1) % 100);
		out = outdir;
	}
	ro.dir = dir;
	ro.out_dir = out;
	ro.argc = argc;
	ro.argv = argv;
	st = run_payments_prepare(&rp, &r, years, n, have_bt ? &b : NULL, &actual, params, &ro);
	if (st == ST_OK)
		st = runreport_write(&rp.rr);
	if (st == ST_OK && have_bt && !diag_is_quiet())
		printf("backtest against %s as paid, %zu CCGs: mean absolute error %.2f%% "
		       "(naive 'same as last year' %.2f%%)\n", actual.label, b.n - b.skipped,
		       b.mape_budget, b.mape_naive);
out:
	run_payments_release(&rp);
	pb_backtest_release(&b);
	pay_year_release(&actual);
	pb_result_release(&r);
	for (size_t i = 0; i < n; i++)
		pay_year_release(&years[i]);
	free(years);
	free_files(files, n);
	free(outdir);
	pay_colmap_release(&m);
	return st;
}

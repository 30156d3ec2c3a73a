/*
 * cmd_run_payments.c - "pcbudget run --from-payments DIR --year Y":
 * every CCG's delegated budget for year Y from the published NHS
 * payments of the years before Y only (pbudget.h), with a notional
 * allocation, written to budget.csv and manifest.txt; with --backtest,
 * then compared with what was paid in Y (backtest.csv, MAPE beside the
 * naive "same as last year" forecast).
 *
 * Not in the command table: "pcbudget run" hands over to it when
 * --from-payments is given.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "money.h"
#include "outfile.h"
#include "payments_io.h"
#include "pbudget.h"
#include "xalloc.h"

static const char run_payments_help[] =
	"Usage: pcbudget run --from-payments=DIR --year=YYYY/YY [options]\n"
	"\n"
	"Build year Y's delegated primary care budget for every CCG from the\n"
	"published NHS Payments to General Practice files in DIR (named like\n"
	"16-17.csv), using the years before Y only: core contract moved by the\n"
	"global sum price and list change, per-head enhanced services from last\n"
	"year's rate and list, activity services from last year's payments,\n"
	"QOF by point value and CPI change, premises from last year's\n"
	"reimbursements, discretionary apportioned from the region's previous\n"
	"total; services that moved into the global sum (methodology §3.1)\n"
	"are moved.  Practices count for their CCG in the latest year read.\n"
	"No published allocation is read: a notional one (last year's spend\n"
	"grown by the national allocation growth of methodology §3) is used\n"
	"and labelled notional.\n"
	"\n"
	"Options:\n"
	"      --from-payments=DIR    the yearly payment files\n"
	"      --year=YYYY/YY         the budget year (2016/17 to 2019/20)\n"
	"  -o, --out=DIR              reports (default reports/run-payments-YYYY-YY)\n"
	"      --backtest             then read year Y too and report each CCG's\n"
	"                             error against what was paid, and the mean\n"
	"                             absolute percentage error beside the naive\n"
	"                             'same as last year' forecast\n"
	"      --columns=FILE, --vi=, --local-es=, --pcn-participation=,\n"
	"      --other-payments=, --threads=N   as for import-payments\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Example:\n"
	"  pcbudget run --from-payments=../shared/data/nhs-payments --year=2017/18 --backtest\n";

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

static void put_money(struct outfile *of, int64_t v)
{
	char buf[MONEY_BUFSZ];

	outfile_printf(of, ",%s", money_format(v, buf));
}

static enum status write_budget(const struct pb_result *r, const char *path)
{
	struct outfile of;
	enum status st = outfile_open(&of, path);
	char y[8];

	if (st != ST_OK)
		return st;
	pay_year_label(r->year, y);
	outfile_puts(&of, "year,ccg_code,ccg_name,region_code,practices,"
		     "registered_patients,weighted_patients,core_contract,"
		     "enhanced_services,qof,premises,discretionary,budget_total,"
		     "last_year_actual,allocation,allocation_basis,contingency,"
		     "non_recurrent_reserve,headroom\n");
	for (size_t i = 0; i <= r->n; i++) {
		const struct pb_ccg *c = i < r->n ? &r->ccgs[i] : &r->england;
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		outfile_printf(&of, "%s,", y);
		outfile_csv_field(&of, c->code, true);
		outfile_puts(&of, ",");
		outfile_csv_field(&of, c->name, true);
		outfile_puts(&of, ",");
		outfile_csv_field(&of, c->region, true);
		outfile_printf(&of, ",%zu,%s,%s", c->practices,
			       fixed_format(c->registered, PAY_LIST_DECIMALS, a),
			       fixed_format(c->weighted, PAY_LIST_DECIMALS, b));
		for (size_t k = 0; k < PB_N_CATS; k++)
			put_money(&of, c->budget[k]);
		put_money(&of, c->budget_total);
		put_money(&of, c->last_year);
		put_money(&of, c->allocation);
		outfile_puts(&of, c->allocation_notional ? ",notional" : ",published");
		put_money(&of, c->contingency);
		put_money(&of, c->reserve);
		put_money(&of, c->headroom);
		outfile_puts(&of, "\n");
	}
	return outfile_close(&of);
}

static enum status write_backtest(const struct pb_backtest *b, const char *path)
{
	struct outfile of;
	enum status st = outfile_open(&of, path);

	if (st != ST_OK)
		return st;
	outfile_puts(&of, "ccg_code,actual,budget,naive,budget_error_pct,naive_error_pct\n");
	for (size_t i = 0; i < b->n; i++) {
		const struct pb_check *k = &b->ccgs[i];

		outfile_csv_field(&of, k->code, true);
		put_money(&of, k->actual);
		put_money(&of, k->budget);
		put_money(&of, k->naive);
		if (k->actual > 0)
			outfile_printf(&of, ",%" PRId64 ".%04" PRId64 ",%" PRId64 ".%04" PRId64 "\n",
				       k->budget_err_ppm / 10000, k->budget_err_ppm % 10000,
				       k->naive_err_ppm / 10000, k->naive_err_ppm % 10000);
		else
			outfile_puts(&of, ",,\n");
	}
	outfile_printf(&of, "MAPE,,,,%.4f,%.4f\n", b->mape_budget, b->mape_naive);
	return outfile_close(&of);
}

static enum status write_manifest(const struct pb_result *r,
				  const struct pb_params *p, const char *dir,
				  const char *path, int argc, char **argv)
{
	const struct pb_year_params *py = pb_year(p, r->year), *pb = pb_year(p, r->year - 1);
	struct outfile of;
	enum status st = outfile_open(&of, path);
	char y[8], y1[8];

	if (st != ST_OK)
		return st;
	pay_year_label(r->year, y);
	pay_year_label(r->year - 1, y1);
	outfile_puts(&of, "; written by pcbudget run --from-payments\n[run]\ncommand =");
	for (int i = 0; i < argc; i++)
		outfile_printf(&of, " %s", argv[i]);
	outfile_printf(&of, "\nyear = %s\npayments = %s\nbase_year = %s\n"
		       "attribution = practices by their CCG in %s\n"
		       "allocation = notional: each CCG's %s spend on the five categories "
		       "x national allocation %s / %s (methodology §3)\n",
		       y, dir, y1, y1, y1, y, y1);
	outfile_printf(&of, "\n[parameters]\n%s = %s\n%s = %s\n", y, py->source, y1, pb->source);
	for (size_t i = 0; i < p->n_ended; i++)
		outfile_printf(&of, "ended.%s = %d (%s)\n", p->ended[i].header,
			       p->ended[i].first_year, p->ended[i].source);
	for (size_t i = 0; i < p->n_rates; i++)
		outfile_printf(&of, "rate.%s = %" PRId64 " -> %" PRId64 " pence from %d (%s)\n",
			       p->rates[i].header, p->rates[i].from, p->rates[i].to,
			       p->rates[i].year, p->rates[i].source);
	outfile_printf(&of, "arrears_ppm = %" PRId64 " (share of an ended service paid in "
		       "arrears in its first year without it: its last quarter [A])\n"
		       "contingency_ppm = %" PRId64 " (of the allocation [V] methodology §2.6)\n"
		       "non_recurrent_reserve_ppm = %" PRId64 " (of the allocation [V] "
		       "methodology §2.6)\n", p->arrears_ppm, p->contingency_ppm,
		       p->reserve_ppm);
	outfile_printf(&of, "\n[derived]\n");
	if (r->derived.have_before)
		outfile_printf(&of, "list_growth = %" PRId64 " / %" PRId64 " (England's "
			       "registered lists, 10^-9 patients [D])\npms_growth = %"
			       PRId64 " / %" PRId64 " (contract value of continuing PMS "
			       "practices, pence [D])\n", r->derived.list_now,
			       r->derived.list_before, r->derived.pms_now, r->derived.pms_before);
	else
		outfile_puts(&of, "list_growth = 1 (no year before the base year read)\n"
			     "pms_growth = 1\n");
	return outfile_close(&of);
}

static void print_summary(const struct pb_result *r)
{
	static const char *const names[PB_N_CATS] = {
		"core_contract", "enhanced_services", "qof", "premises", "discretionary",
	};
	const struct pb_ccg *e = &r->england;
	char y[8], y1[8], a[MONEY_BUFSZ];

	pay_year_label(r->year, y);
	pay_year_label(r->year - 1, y1);
	printf("%s budget from payments of %s and before: %zu CCGs, %zu practices\n",
	       y, y1, r->n, e->practices);
	for (size_t k = 0; k < PB_N_CATS; k++)
		printf("  %-22s %20s\n", names[k], money_format_gbp(e->budget[k], a));
	printf("  %-22s %20s\n", "budget_total", money_format_gbp(e->budget_total, a));
	printf("  %-22s %20s\n", "paid in the base year", money_format_gbp(e->last_year, a));
	printf("  %-22s %20s  (notional)\n", "allocation", money_format_gbp(e->allocation, a));
	printf("  %-22s %20s\n", "contingency", money_format_gbp(e->contingency, a));
	printf("  %-22s %20s\n", "non-recurrent reserve", money_format_gbp(e->reserve, a));
	printf("  %-22s %20s  (against the notional allocation)\n", "headroom",
	       money_format_gbp(e->headroom, a));
}

enum status cmd_run_payments(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_YEAR, OPT_BACKTEST };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "from-payments", required_argument, NULL, OPT_FROM },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "out", required_argument, NULL, 'o' },
		{ "backtest", no_argument, NULL, OPT_BACKTEST },
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
	struct pay_settings set;
	struct pay_colmap m;
	struct pb_result r;
	struct pay_year *years = NULL, actual;
	char **files = NULL, *outdir = NULL, *path = NULL;
	size_t n = 0;
	int year = -1, c;
	bool backtest = false;
	enum status st;

	pay_settings_init(&set);
	pay_tune_malloc();
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
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
			out = optarg;
			break;
		case OPT_BACKTEST:
			backtest = true;
			break;
		default:
			if (c > PAY_OPT_YEAR && c < PAY_OPT_END) {
				if (pay_settings_option(&set, c, optarg))
					return cli_usage_error("run");
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
	st = pay_colmap_load(&m, set.columns);
	if (st != ST_OK)
		return st;

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

	if (!out) {
		outdir = xasprintf("reports/run-payments-%d-%02d", year, (year + 1) % 100);
		out = outdir;
	}
	st = pay_mkdirs(out);
	if (st == ST_OK) {
		path = xasprintf("%s/budget.csv", out);
		st = write_budget(&r, path);
		free(path);
	}
	if (st == ST_OK) {
		path = xasprintf("%s/manifest.txt", out);
		st = write_manifest(&r, params, dir, path, argc, argv);
		free(path);
	}
	if (st != ST_OK)
		goto out;
	print_summary(&r);

	if (backtest) {
		char **target;
		size_t nt;
		struct pb_backtest b;

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
		path = xasprintf("%s/backtest.csv", out);
		st = write_backtest(&b, path);
		free(path);
		if (st == ST_OK)
			printf("backtest against %s as paid, %zu CCGs: mean absolute "
			       "error %.2f%% (naive 'same as last year' %.2f%%)\n",
			       actual.label, b.n - b.skipped, b.mape_budget, b.mape_naive);
		pb_backtest_release(&b);
	}
	if (st == ST_OK)
		printf("wrote %s/budget.csv%s and manifest.txt\n", out,
		       backtest ? ", backtest.csv" : "");
out:
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

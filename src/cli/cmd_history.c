/*
 * cmd_history.c - "pcbudget history": the first question of a CCG's due
 * diligence in one command: its last N years of payments by category,
 * year-on-year change, per registered and weighted patient, England
 * beside it; printed as a table and written as CSV.
 */
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
#include "pay_history.h"
#include "payments_io.h"
#include "xalloc.h"

static const char history_help[] =
	"Usage: pcbudget history --ccg=CODE [--years=N] [options] FILE...\n"
	"\n"
	"Read NHS Payments to General Practice files (as import-payments does)\n"
	"and show what a CCG's practices were paid in the last N years given:\n"
	"each budget category, the delegated budget total, what is out of scope,\n"
	"the published total and the memo lines; the change on the year before;\n"
	"pounds per registered and per weighted patient; and England's figures\n"
	"beside them.  Practices count for the CCG whose code they carry in the\n"
	"latest of those years (CCGs merged over time; practice codes persist),\n"
	"in every year they appear.  The table goes to standard output, the\n"
	"same figures as CSV to reports/history-CODE.csv.\n"
	"\n"
	"Options:\n"
	"      --ccg=CODE             the CCG (Sub-ICB location in 2022/23), e.g. 00K\n"
	"      --years=N              how many of the latest years (default 3)\n"
	"  -o, --out=FILE             the CSV (default reports/history-CODE.csv; - for\n"
	"                             standard output, then no table)\n"
	"%s"
	"  -h, --help                 show this help\n"
	"\n"
	"Examples:\n"
	"  pcbudget history --ccg=00K ../shared/data/nhs-payments/*-*.csv\n"
	"  pcbudget history --ccg=02P --years=2 14-15.csv 15-16.csv\n"
	"\n"
	"Exit status: 0 done; 64 bad option; 65 bad data or an unknown CCG;\n"
	"66 a file cannot be opened; 73/74 the CSV cannot be written.\n";

#define MILLIONS_BUFSZ (MONEY_BUFSZ + 24)

/* "1,234.5" for pence in £m with one decimal, half away from zero. */
static char *millions(int64_t pence, char buf[MILLIONS_BUFSZ])
{
	int64_t tenths = (pence < 0 ? -pence : pence) / 5000000;
	char whole[MONEY_BUFSZ];

	tenths = (tenths + 1) / 2;
	/* the whole millions with separators, as £000 columns print them */
	money_format_thousands(tenths / 10 * 100000, whole);
	snprintf(buf, MILLIONS_BUFSZ, "%s%s.%" PRId64, pence < 0 && tenths ? "-" : "",
		 whole, tenths % 10);
	return buf;
}

/* "311,241" for a list size, rounded to whole patients. */
static char *patients(int64_t list, char buf[MONEY_BUFSZ])
{
	/* a patient is 10^9 units and money_format_thousands() divides by 10^5 */
	return money_format_thousands((list + 5000) / 10000, buf);
}

/* "+12.3%" or "" when there is no year before or it was 0. */
static char *change(const struct pay_history *h, size_t i, bool national,
		    size_t line, char buf[48])
{
	const struct pay_hist_side *a, *b;
	int64_t t;

	buf[0] = '\0';
	if (i == 0)
		return buf;
	a = national ? &h->years[i - 1].national : &h->years[i - 1].ccg;
	b = national ? &h->years[i].national : &h->years[i].ccg;
	if (pay_change_permille(a->amount[line], b->amount[line], &t) == 0)
		snprintf(buf, 48, "%s%" PRId64 ".%" PRId64 "%%", t < 0 ? "-" : "+",
			 (t < 0 ? -t : t) / 10, (t < 0 ? -t : t) % 10);
	return buf;
}

/* Pounds per patient "82.06", or "" for an empty list. */
static char *per(int64_t amount, int64_t list, char buf[MONEY_BUFSZ])
{
	int64_t p;

	buf[0] = '\0';
	if (pay_per_patient(amount, list, &p) == 0)
		money_format(p, buf);
	return buf;
}

static void print_table(const struct pay_history *h)
{
	char latest[8];

	pay_year_label(h->attribution_year, latest);
	printf("CCG %s %s, %s to %s\n", h->ccg_code, h->ccg_name,
	       h->years[0].label, h->years[h->n - 1].label);
	printf("practices counted by their CCG in %s; England = all practices\n\n",
	       latest);
	for (size_t i = 0; i < h->n; i++) {
		const struct pay_hist_year *y = &h->years[i];
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		printf("%s: %zu practices, %s registered and %s weighted patients "
		       "(England %zu practices)\n", y->label, y->ccg.practices,
		       patients(y->ccg.registered, a), patients(y->ccg.weighted, b),
		       y->national.practices);
		printf("  %-18s %12s %8s %9s %9s | %10s %8s %9s %9s\n", "",
		       "CCG £000", "change", "£/reg", "£/wtd", "England £m",
		       "change", "£/reg", "£/wtd");
		for (size_t k = 0; k < PAY_HIST_N_LINES; k++) {
			char c1[48], c2[48], m1[MONEY_BUFSZ], m2[MILLIONS_BUFSZ],
				r1[MONEY_BUFSZ], w1[MONEY_BUFSZ], r2[MONEY_BUFSZ],
				w2[MONEY_BUFSZ];

			printf("  %-18s %12s %8s %9s %9s | %10s %8s %9s %9s\n",
			       pay_hist_line_names[k],
			       money_format_thousands(y->ccg.amount[k], m1),
			       change(h, i, false, k, c1),
			       per(y->ccg.amount[k], y->ccg.registered, r1),
			       per(y->ccg.amount[k], y->ccg.weighted, w1),
			       millions(y->national.amount[k], m2),
			       change(h, i, true, k, c2),
			       per(y->national.amount[k], y->national.registered, r2),
			       per(y->national.amount[k], y->national.weighted, w2));
		}
		if (i + 1 < h->n)
			putchar('\n');
	}
}

static enum status write_csv(const struct pay_history *h, const char *path)
{
	struct outfile of;
	enum status st = outfile_open(&of, path);

	if (st != ST_OK)
		return st;
	outfile_puts(&of, "year,ccg_code,line,ccg_amount,ccg_change_pct,"
		     "ccg_per_registered,ccg_per_weighted,ccg_practices,"
		     "ccg_registered_patients,ccg_weighted_patients,national_amount,"
		     "national_change_pct,national_per_registered,"
		     "national_per_weighted,national_practices,"
		     "national_registered_patients,national_weighted_patients\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct pay_hist_year *y = &h->years[i];

		for (size_t k = 0; k < PAY_HIST_N_LINES; k++) {
			const struct pay_hist_side *side[2] = { &y->ccg, &y->national };

			outfile_printf(&of, "%s,", y->label);
			outfile_csv_field(&of, h->ccg_code, true);
			outfile_printf(&of, ",%s", pay_hist_line_names[k]);
			for (size_t s = 0; s < 2; s++) {
				char a[MONEY_BUFSZ], c[48], r[MONEY_BUFSZ], w[MONEY_BUFSZ],
					lr[MONEY_BUFSZ], lw[MONEY_BUFSZ];

				outfile_printf(&of, ",%s,%s,%s,%s,%zu,%s,%s",
					       money_format(side[s]->amount[k], a),
					       change(h, i, s == 1, k, c),
					       per(side[s]->amount[k], side[s]->registered, r),
					       per(side[s]->amount[k], side[s]->weighted, w),
					       side[s]->practices,
					       fixed_format(side[s]->registered, PAY_LIST_DECIMALS, lr),
					       fixed_format(side[s]->weighted, PAY_LIST_DECIMALS, lw));
			}
			outfile_puts(&of, "\n");
		}
	}
	return outfile_close(&of);
}

enum status cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "ccg", required_argument, NULL, 'c' },
		{ "years", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		PAY_SETTINGS_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ccg = NULL, *out = NULL;
	unsigned long n_last = 3;
	struct pay_settings set;
	struct pay_colmap m;
	struct pay_history h;
	struct pay_year *years = NULL;
	char *path = NULL;
	size_t n = 0;
	int c;
	enum status st;

	pay_settings_init(&set);
	pay_tune_malloc();
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': {
			char *text = xasprintf(history_help, pay_settings_help);

			st = cli_print_help(text);
			free(text);
			return st;
		}
		case 'c':
			ccg = optarg;
			break;
		case 'n':
			if (cli_parse_ulong("--years", optarg, 1, 100, &n_last))
				return cli_usage_error("history");
			break;
		case 'o':
			out = optarg;
			break;
		default:
			if (c >= PAY_OPT_YEAR && c < PAY_OPT_END) {
				if (pay_settings_option(&set, c, optarg))
					return cli_usage_error("history");
				break;
			}
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("history");
		}
	}
	if (!ccg || !ccg[0]) {
		diag_error("history: no CCG given (--ccg=CODE)");
		return cli_usage_error("history");
	}
	if (strchr(ccg, '/')) {
		diag_error("history: '%s' is not a CCG code", ccg);
		return cli_usage_error("history");
	}
	if (optind >= argc) {
		diag_error("history: no input files");
		return cli_usage_error("history");
	}

	pay_colmap_init(&m);
	pay_history_init(&h);
	st = pay_colmap_load(&m, set.columns);
	if (st != ST_OK)
		return st;
	n = (size_t)(argc - optind);
	years = xcalloc(n, sizeof(*years));
	st = pay_read_years(years, argv + optind, n, set.start, &m, &set.o);
	if (st == ST_USAGE)
		cli_usage_error("history");
	if (st != ST_OK)
		goto out;
	st = pay_history_build(&h, years, n, ccg, n_last);
	for (size_t i = n - h.n; st == ST_OK && i < n; i++)
		pay_report_rounding(&years[i], false);
	if (st != ST_OK)
		goto out;
	if (h.n < n_last)
		diag_note("%zu year%s of data given, fewer than --years=%lu", h.n,
			  h.n == 1 ? "" : "s", n_last);
	if (!out) {
		st = pay_mkdirs("reports");
		if (st != ST_OK)
			goto out;
		path = xasprintf("reports/history-%s.csv", ccg);
		out = path;
	}
	st = write_csv(&h, out);
	if (st != ST_OK || strcmp(out, "-") == 0)
		goto out;
	print_table(&h);
	printf("\nwrote %s\n", out);
out:
	free(path);
	pay_history_release(&h);
	for (size_t i = 0; i < n; i++)
		pay_year_release(&years[i]);
	free(years);
	pay_colmap_release(&m);
	return st;
}

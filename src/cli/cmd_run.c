/*
 * cmd_run.c - "pcbudget run DATASET": the whole dataset pipeline.
 *
 * parameters (params.ini) -> the year's method parameters -> dataset
 * validation -> computation and control totals -> the run report
 * (run_dataset.h describes the budget for runreport.h, which reviews,
 * projects, simulates, locks, writes the folder atomically, records the
 * ledger and prints the summary).  Every input error is reported before
 * anything is computed; nothing is written unless everything reconciled.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "dataset.h"
#include "dates.h"
#include "diag.h"
#include "method.h"
#include "money.h"
#include "params.h"
#include "report.h"
#include "risk_params.h"
#include "run_dataset.h"
#include "runreport.h"
#include "xalloc.h"

static const char run_help[] =
	"Usage: pcbudget run [options] DATASET\n"
	"       pcbudget run --from-payments=DIR --year=Y [options]   (see\n"
	"       'pcbudget run --from-payments=DIR --help')\n"
	"\n"
	"Apply the delegated budget transfer methodology to the practices and\n"
	"contracts of a dataset directory (CSV tables and params.ini, see\n"
	"data/README.md) and write the report folder: the five budget categories\n"
	"per practice and per CCG, contingency, non-recurrent reserve and headroom\n"
	"against the published allocation, the review of three years of payment\n"
	"history, trend projections, a Monte Carlo of the budget year's spend\n"
	"against the allocation, and the derivation of every figure.  The\n"
	"dataset is validated first; any error is reported as path:line:col and\n"
	"nothing is written.  The folder appears whole or not at all, and a short\n"
	"summary with the changes since the previous run goes to stdout.\n"
	"\n"
	"Options:\n"
	"  -y, --year=YYYY/YY      budget year (default: budget_year in [run] of params.ini)\n"
	"  -o, --out=DIR           the report folder (default reports/<dataset>-<year>)\n"
	"  -p, --params=FILE       parameter file (default DATASET/params.ini)\n"
	"      --seed=N            Monte Carlo seed (default [risk] seed, 20150401)\n"
	"      --iterations=N      simulated years (default [risk] iterations, 10000)\n"
	"      --threads=N         threads for the simulation (default: all; the\n"
	"                          numbers do not depend on it)\n"
	"      --history-years=N   past years reviewed (default [report] history_years, 3)\n"
	"      --wait              wait for another run writing the same folder\n"
	"                          (default: stop with exit status 75)\n"
	"  -h, --help              show this help\n"
	"\n"
	"The report folder (docs/report-run.md): report.html, summary.md,\n"
	"pcbudget.xlsx, manifest.json and a CSV per table, among them\n"
	"allocations_by_practice.csv, allocations_by_ccg.csv, derivations.csv,\n"
	"history.csv, outliers.csv, contracts_ending.csv, projections.csv,\n"
	"risk_by_ccg.csv, tornado.csv and scenarios.csv.  Each run is recorded in\n"
	"ledger.sqlite beside the folder ('pcbudget ledger' lists the runs).\n"
	"\n"
	"Examples:\n"
	"  pcbudget run data/example\n"
	"  pcbudget -q run --year 2017/18 --out /tmp/report --seed 7 data/example\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 invalid dataset, 66 missing input,\n"
	"70 internal error (a total did not reconcile), 73/74 cannot write, 75\n"
	"another run is writing the folder, 78 bad parameter file.\n";

/* ------------------------------------------------------------------ */
/* The command                                                          */

/*
 * Every CCG with a weighted population but no target needs the national
 * figures to work a target out.
 */
static enum status check_targets(const struct dataset *ds, const struct params *p,
				 const struct method_params *mp)
{
	enum status st = ST_OK;

	for (size_t c = 0; c < ds->n_ccgs; c++) {
		const struct ds_ccg *dc = &ds->ccgs[c];
		struct srcloc loc;

		if (dc->has_target || !dc->has_weighted_population ||
		    (mp->has_national_allocation && mp->has_national_weighted_population))
			continue;
		params_section_loc(p, mp->section, &loc);
		diag_at(DIAG_ERROR, &loc,
			"CCG '%s' has a weighted population but no target, and [%s] has no '%s' to work one out",
			dc->code, mp->section,
			mp->has_national_allocation ? "national_weighted_population" : "national_allocation");
		st = ST_DATA;
	}
	return st;
}

/* The dataset's name: the last component of dir ("data/example/" -> "example"). */
static char *dataset_name(const char *dir)
{
	size_t len = strlen(dir);
	const char *slash;
	char *trimmed, *name;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	trimmed = xmemdupz(dir, len);
	slash = strrchr(trimmed, '/');
	name = xstrdup(slash && slash[1] ? slash + 1 : trimmed);
	free(trimmed);
	return name;
}

enum status cmd_run(int argc, char **argv)
{
	enum { OPT_SEED = 256, OPT_ITERATIONS, OPT_THREADS, OPT_HISTORY, OPT_WAIT };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "year", required_argument, NULL, 'y' },
		{ "out", required_argument, NULL, 'o' },
		{ "params", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "history-years", required_argument, NULL, OPT_HISTORY },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ NULL, 0, NULL, 0 },
	};
	const char *year_arg = NULL, *out = NULL, *params_path = NULL, *dir;
	char *default_params = NULL, *default_out = NULL, *name = NULL, fy[DATE_BUFSZ];
	struct run_dataset_options ro;
	struct params p;
	struct method_params mp;
	struct dataset ds;
	struct budget b;
	struct run_dataset rd;
	enum status st, pst;
	unsigned long v;
	int year = 0, c;

	/* payments-only mode has its own options: hand the whole line over */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--from-payments") == 0 ||
		    strncmp(argv[i], "--from-payments=", 16) == 0)
			return cmd_run_payments(argc, argv);

	memset(&ro, 0, sizeof(ro));
	memset(&rd, 0, sizeof(rd));
	ro.started = (int64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "hy:o:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(run_help);
		case 'y':
			year_arg = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			params_path = optarg;
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
		case OPT_THREADS:
			if (cli_parse_ulong("--threads", optarg, 1, 1024, &v))
				return cli_usage_error("run");
			ro.threads = (int)v;
			break;
		case OPT_HISTORY:
			if (cli_parse_ulong("--history-years", optarg, 1, RR_MAX_YEARS - 1, &v))
				return cli_usage_error("run");
			ro.has_history_years = true;
			ro.history_years = (unsigned)v;
			break;
		case OPT_WAIT:
			ro.wait = true;
			break;
		default:
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("run");
		}
	}
	if (optind >= argc) {
		diag_error("run: no dataset directory given");
		return cli_usage_error("run");
	}
	if (optind + 1 < argc) {
		diag_error("run: one dataset directory only (got '%s' too)", argv[optind + 1]);
		return cli_usage_error("run");
	}
	dir = argv[optind];
	if (year_arg && !fy_parse(year_arg, strlen(year_arg), &year)) {
		diag_error("option '--year': '%s' is not a financial year (write it as 2017/18)",
			   year_arg);
		return cli_usage_error("run");
	}
	if (out && !*out) {
		diag_error("option '--out': the directory name is empty");
		return cli_usage_error("run");
	}

	params_init(&p, method_param_specs, method_n_param_specs);
	/* the same file carries the risk model's and the report's sections */
	params_add_specs(&p, risk_param_specs, risk_n_param_specs);
	params_add_specs(&p, runreport_param_specs, runreport_n_param_specs);
	dataset_init(&ds);
	budget_init(&b);
	{
		struct stat sb;
		int e = stat(dir, &sb) != 0 ? errno : S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;

		if (e) {
			diag_error("cannot open dataset '%s': %s", dir, strerror(e));
			st = ST_NOINPUT;
			goto out;
		}
	}
	if (!params_path)
		params_path = default_params = xasprintf("%s/params.ini", dir);
	pst = params_load(&p, params_path);
	if (pst == ST_NOINPUT || pst == ST_IO || pst == ST_INTERNAL) {
		st = pst;
		goto out;
	}
	if (!year_arg) {
		const struct param_value *pv = params_lookup(&p, "run", "budget_year");

		if (!pv) {
			if (pst == ST_OK)
				diag_error("no budget year: give --year or set budget_year in [run] of '%s'",
					   params_path);
			st = pst != ST_OK ? pst : ST_USAGE;
			if (st == ST_USAGE)
				cli_usage_error("run");
			goto out;
		}
		if (!fy_parse(pv->text, strlen(pv->text), &year)) {
			struct srcloc loc = { p.path, pv->line, pv->col };

			diag_at(DIAG_ERROR, &loc,
				"key 'budget_year': '%s' is not a financial year (write it as 2017/18)",
				pv->text);
			st = ST_CONFIG;
			goto out;
		}
	}
	st = method_params_load(&p, year, &mp);
	st = status_worst(pst, st);
	if (pst == ST_OK)
		st = status_worst(st, run_dataset_load_params(&rd, &p, &ro));
	st = status_worst(st, dataset_load(&ds, dir, year, &p));
	if (st == ST_OK)
		st = check_targets(&ds, &p, &mp);
	if (st != ST_OK)
		goto out;
	diag_info("dataset '%s' is valid for %s: %zu practices, %zu history rows", dir,
		  fy_format(year, fy), ds.n_practices, ds.n_history);
	st = method_compute(&ds, &mp, &b);
	if (st != ST_OK)
		goto out;
	diag_info("budget computed: %zu practices in %zu CCG%s, %zu derivation rows",
		  b.total.n_practices, ds.n_ccgs, ds.n_ccgs == 1 ? "" : "s", b.n_rows);

	name = dataset_name(dir);
	if (!out)
		out = default_out = report_default_dir(name, fy);
	ro.dir = dir;
	ro.name = name;
	ro.params_path = params_path;
	ro.out_dir = out;
	ro.year_from_cli = year_arg != NULL;
	ro.argc = argc;
	ro.argv = argv;
	st = run_dataset_prepare(&rd, &ds, &b, &mp, &p, &ro);
	if (st == ST_OK)
		st = runreport_write(&rd.rr);
out:
	run_dataset_release(&rd);
	budget_release(&b);
	dataset_release(&ds);
	params_release(&p);
	free(default_params);
	free(default_out);
	free(name);
	return st;
}

/*
 * cmd_run.c - "pcbudget run DATASET": the whole dataset pipeline.
 *
 * parameters (params.ini) -> the year's method parameters -> dataset
 * validation -> computation and control totals -> CSV outputs and a
 * summary on stdout.  Every input error is reported before anything is
 * computed; outputs are written only after everything reconciled.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "dataset.h"
#include "dates.h"
#include "diag.h"
#include "method.h"
#include "money.h"
#include "outfile.h"
#include "params.h"
#include "risk_params.h"
#include "xalloc.h"

static const char run_help[] =
	"Usage: pcbudget run [options] DATASET\n"
	"\n"
	"Apply the delegated budget transfer methodology to the practices and\n"
	"contracts of a dataset directory (CSV tables and params.ini, see\n"
	"data/README.md): the five budget categories per practice and per CCG,\n"
	"contingency, non-recurrent reserve, headroom against the published\n"
	"allocation, distance from target, QOF cash phasing, and the\n"
	"derivation of every figure.  The dataset is validated first; any\n"
	"error is reported as path:line:col and nothing is written.\n"
	"\n"
	"Options:\n"
	"  -y, --year=YYYY/YY   budget year (default: budget_year in [run] of params.ini)\n"
	"  -o, --out=DIR        write the outputs to DIR (default reports; created if needed)\n"
	"  -p, --params=FILE    parameter file (default DATASET/params.ini)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Outputs (money in pounds with two decimals):\n"
	"  allocations_by_practice.csv  the five categories and total per practice\n"
	"  allocations_by_ccg.csv       per CCG: planned spend, allocation, reserves,\n"
	"                               headroom, target; a TOTAL row\n"
	"  derivations.csv              rule, formula and parameters of every component\n"
	"\n"
	"Examples:\n"
	"  pcbudget run data/example\n"
	"  pcbudget run --year 2017/18 --out /tmp/out data/example\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 invalid dataset, 66 missing input,\n"
	"70 internal error (a total did not reconcile), 73/74 cannot write, 78 bad\n"
	"parameter file.\n";

/* ------------------------------------------------------------------ */
/* CSV outputs                                                          */

static void money_field(struct outfile *of, int64_t pence)
{
	char buf[MONEY_BUFSZ];

	outfile_puts(of, money_format(pence, buf));
}

static void text_field(struct outfile *of, const char *s)
{
	outfile_csv_field(of, s ? s : "", true);
}

static void line_fields(struct outfile *of, const struct budget_line *l)
{
	for (int k = 0; k < N_CATS; k++) {
		money_field(of, l->cat[k]);
		outfile_puts(of, ",");
	}
	money_field(of, l->total);
}

static void memo_fields(struct outfile *of, const struct budget_line *l)
{
	outfile_puts(of, ",");
	money_field(of, l->les);
	outfile_puts(of, ",");
	money_field(of, l->qof_monthly);
	outfile_puts(of, ",");
	money_field(of, l->qof_balance);
	outfile_puts(of, ",");
	money_field(of, l->pms_released);
	outfile_puts(of, ",");
	if (l->has_last_year)
		money_field(of, l->last_year);
	outfile_puts(of, "\n");
}

static void write_by_practice(struct outfile *of, const struct dataset *ds,
			      const struct budget *b)
{
	char w[MONEY_BUFSZ];

	outfile_puts(of, "practice_code,practice_name,ccg_code,contract_type,registered_list,"
			 "weighted_list,days_open,core_contract,enhanced_services,qof,premises,"
			 "other,total,of_which_les,qof_monthly_aspiration,qof_year_end_balance,"
			 "pms_premium_released,last_year_total\n");
	for (size_t c = 0; c < ds->n_ccgs; c++) {
		for (size_t i = 0; i < ds->n_practices; i++) {
			const struct ds_practice *pr = &ds->practices[i];

			if (pr->ccg != c)
				continue;
			text_field(of, pr->code);
			outfile_puts(of, ",");
			text_field(of, pr->name);
			outfile_puts(of, ",");
			text_field(of, ds->ccgs[c].code);
			outfile_printf(of, ",%s,%lld,%s,%d,", contract_type_names[pr->type],
				       (long long)pr->registered,
				       fixed_format(pr->weighted, WEIGHTED_DECIMALS, w),
				       pr->days_open);
			line_fields(of, &b->practices[i]);
			memo_fields(of, &b->practices[i]);
		}
	}
}

static void ccg_fields(struct outfile *of, const struct budget_ccg *bc)
{
	char d[MONEY_BUFSZ];

	outfile_printf(of, "%zu,", bc->n_practices);
	for (int k = 0; k < N_CATS; k++) {
		money_field(of, bc->line.cat[k]);
		outfile_puts(of, ",");
	}
	money_field(of, bc->planned);
	outfile_puts(of, ",");
	money_field(of, bc->allocation);
	outfile_puts(of, ",");
	money_field(of, bc->contingency);
	outfile_puts(of, ",");
	money_field(of, bc->reserve);
	outfile_puts(of, ",");
	money_field(of, bc->reserve_uncommitted);
	outfile_puts(of, ",");
	money_field(of, bc->headroom);
	outfile_puts(of, ",");
	if (bc->has_target) {
		money_field(of, bc->target);
		outfile_printf(of, ",%s", fixed_format(bc->distance_bp, 2, d));
	} else {
		outfile_puts(of, ",");
	}
	memo_fields(of, &bc->line);
}

static void write_by_ccg(struct outfile *of, const struct dataset *ds,
			 const struct budget *b)
{
	outfile_puts(of, "ccg_code,ccg_name,practices,core_contract,enhanced_services,qof,"
			 "premises,other,planned_spend,allocation,contingency,"
			 "nonrecurrent_reserve,nonrecurrent_uncommitted,headroom,target,"
			 "distance_from_target,of_which_les,qof_monthly_aspiration,"
			 "qof_year_end_balance,pms_premium_released,last_year_total\n");
	for (size_t c = 0; c < ds->n_ccgs; c++) {
		text_field(of, ds->ccgs[c].code);
		outfile_puts(of, ",");
		text_field(of, ds->ccgs[c].name);
		outfile_puts(of, ",");
		ccg_fields(of, &b->ccgs[c]);
	}
	outfile_puts(of, "TOTAL,all CCGs in the dataset,");
	ccg_fields(of, &b->total);
}

static void write_derivations(struct outfile *of, const struct dataset *ds,
			      const struct budget *b)
{
	outfile_puts(of, "ccg_code,practice_code,category,rule,formula,parameters,amount\n");
	for (size_t k = 0; k < b->n_rows; k++) {
		const struct derivation *r = &b->rows[k];

		text_field(of, ds->ccgs[r->ccg].code);
		outfile_puts(of, ",");
		if (r->practice >= 0)
			text_field(of, ds->practices[r->practice].code);
		outfile_puts(of, ",");
		text_field(of, r->category);
		outfile_puts(of, ",");
		text_field(of, r->d.rule);
		outfile_puts(of, ",");
		text_field(of, r->d.formula);
		outfile_puts(of, ",");
		text_field(of, r->d.params);
		outfile_puts(of, ",");
		if (strcmp(r->category, "distance_from_target") == 0) {
			char buf[MONEY_BUFSZ];

			/* basis points, written as a percentage */
			outfile_puts(of, fixed_format(r->d.amount, 2, buf));
		} else {
			money_field(of, r->d.amount);
		}
		outfile_puts(of, "\n");
	}
}

static const char *const out_names[] = {
	"allocations_by_practice.csv", "allocations_by_ccg.csv", "derivations.csv",
};
#define N_OUT (sizeof(out_names) / sizeof(out_names[0]))

static enum status make_dir(const char *dir)
{
	struct stat sb;

	if (stat(dir, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return ST_OK;
		diag_error("cannot create '%s': %s", dir, strerror(ENOTDIR));
		return ST_NOOUTPUT;
	}
	if (mkdir(dir, 0777) != 0) {
		diag_error("cannot create '%s': %s", dir, strerror(errno));
		return ST_NOOUTPUT;
	}
	return ST_OK;
}

/*
 * Writes every output to its temporary file, then publishes them one by
 * one; if publishing one fails, the ones already published by this run
 * are removed, so a failed run leaves nothing.
 */
static enum status write_outputs(const char *dir, const struct dataset *ds,
				 const struct budget *b)
{
	struct outfile of[N_OUT];
	char *paths[N_OUT];
	enum status st = make_dir(dir);
	size_t opened = 0, published = 0;

	memset(of, 0, sizeof(of));
	memset(paths, 0, sizeof(paths));
	if (st != ST_OK)
		return st;
	for (; opened < N_OUT; opened++) {
		paths[opened] = xasprintf("%s/%s", dir, out_names[opened]);
		st = outfile_open(&of[opened], paths[opened]);
		if (st != ST_OK)
			break;
	}
	if (st == ST_OK) {
		write_by_practice(&of[0], ds, b);
		write_by_ccg(&of[1], ds, b);
		write_derivations(&of[2], ds, b);
		for (; published < N_OUT; published++) {
			st = outfile_close(&of[published]);
			if (st != ST_OK)
				break;
		}
	}
	if (st != ST_OK) {
		for (size_t k = published + 1; k < opened; k++)
			outfile_abort(&of[k]);
		for (size_t k = 0; k < published; k++)
			remove(paths[k]);
	}
	for (size_t k = 0; k < N_OUT; k++)
		free(paths[k]);
	return st;
}

/* ------------------------------------------------------------------ */
/* Summary                                                              */

static void summary_line(const char *label, int64_t pence)
{
	char buf[MONEY_BUFSZ];

	printf("  %-28s %18s\n", label, money_format_gbp(pence, buf));
}

static void print_summary(const char *dir, const char *out, const struct dataset *ds,
			  const struct method_params *mp, const struct budget *b)
{
	char buf[MONEY_BUFSZ], buf2[MONEY_BUFSZ], label[64];
	size_t n_ending = 0;
	int64_t share;

	printf("pcbudget run: %s, budget year %s: %zu practices in %zu CCG%s\n", dir,
	       mp->section, (size_t)b->total.n_practices, ds->n_ccgs, ds->n_ccgs == 1 ? "" : "s");
	for (size_t c = 0; c < ds->n_ccgs; c++) {
		const struct budget_ccg *bc = &b->ccgs[c];

		printf("\nCCG %s %s (%zu practices)\n", ds->ccgs[c].code,
		       ds->ccgs[c].name ? ds->ccgs[c].name : "", bc->n_practices);
		for (int k = 0; k < N_CATS; k++)
			summary_line(category_names[k], bc->line.cat[k]);
		summary_line("planned spend", bc->planned);
		summary_line("allocation", bc->allocation);
		snprintf(label, sizeof(label), "contingency (%s%%)",
			 fixed_format(mp->contingency_rate, 4, buf));
		summary_line(label, bc->contingency);
		snprintf(label, sizeof(label), "non-recurrent reserve (%s%%)",
			 fixed_format(mp->nonrecurrent_reserve_rate, 4, buf));
		summary_line(label, bc->reserve);
		summary_line("headroom", bc->headroom);
		if (bc->allocation > 0 && method_div_fits((method_i128)bc->headroom * 10000,
							  bc->allocation, &share))
			printf("  headroom is %s%% of the allocation\n", fixed_format(share, 2, buf));
		if (bc->has_target)
			printf("  distance from target %s%% (target %s)\n",
			       fixed_format(bc->distance_bp, 2, buf),
			       money_format_gbp(bc->target, buf2));
		printf("  QOF cash: %s a month in aspiration payments, %s after the year end\n",
		       money_format_gbp(bc->line.qof_monthly, buf),
		       money_format_gbp(bc->line.qof_balance, buf2));
		if (bc->line.pms_released)
			printf("  PMS premium released: %s (to be reinvested in the CCG area)\n",
			       money_format_gbp(bc->line.pms_released, buf));
	}
	for (size_t k = 0; k < ds->n_contracts; k++) {
		const struct ds_contract *co = &ds->contracts[k];

		if (co->type != CONTRACT_APMS || ds->practices[co->practice].days_open == 0 ||
		    !method_ends_within(co->has_end, co->end, mp->year, mp->contract_warning_months))
			continue;
		if (n_ending++ == 0)
			printf("\nAPMS contracts ending within %lld months of %s:\n",
			       (long long)mp->contract_warning_months,
			       date_format(fy_start(mp->year), buf2));
		printf("  %s (practice %s) ends on %s\n", co->id, ds->practices[co->practice].code,
		       date_format(co->end, buf));
	}
	printf("\nWrote");
	for (size_t k = 0; k < N_OUT; k++)
		printf(" %s%s", out_names[k], k + 1 < N_OUT ? "," : "");
	printf(" in %s\n", out);
}

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

enum status cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "year", required_argument, NULL, 'y' },
		{ "out", required_argument, NULL, 'o' },
		{ "params", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *year_arg = NULL, *out = "reports", *params_path = NULL, *dir;
	char *default_params = NULL;
	struct params p;
	struct method_params mp;
	struct dataset ds;
	struct budget b;
	enum status st, pst;
	int year = 0, c;

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
	if (!*out) {
		diag_error("option '--out': the directory name is empty");
		return cli_usage_error("run");
	}

	params_init(&p, method_param_specs, method_n_param_specs);
	/* the same file may carry the risk model's sections */
	params_add_specs(&p, risk_param_specs, risk_n_param_specs);
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
		const struct param_value *v = params_lookup(&p, "run", "budget_year");

		if (!v) {
			if (pst == ST_OK)
				diag_error("no budget year: give --year or set budget_year in [run] of '%s'",
					   params_path);
			st = pst != ST_OK ? pst : ST_USAGE;
			if (st == ST_USAGE)
				cli_usage_error("run");
			goto out;
		}
		if (!fy_parse(v->text, strlen(v->text), &year)) {
			struct srcloc loc = { p.path, v->line, v->col };

			diag_at(DIAG_ERROR, &loc,
				"key 'budget_year': '%s' is not a financial year (write it as 2017/18)",
				v->text);
			st = ST_CONFIG;
			goto out;
		}
	}
	st = method_params_load(&p, year, &mp);
	st = status_worst(pst, st);
	st = status_worst(st, dataset_load(&ds, dir, year, &p));
	if (st == ST_OK)
		st = check_targets(&ds, &p, &mp);
	if (st != ST_OK)
		goto out;
	st = method_compute(&ds, &mp, &b);
	if (st != ST_OK)
		goto out;
	st = write_outputs(out, &ds, &b);
	if (st != ST_OK)
		goto out;
	print_summary(dir, out, &ds, &mp, &b);
out:
	budget_release(&b);
	dataset_release(&ds);
	params_release(&p);
	free(default_params);
	return st;
}

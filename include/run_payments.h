/*
 * run_payments.h - payments mode of "pcbudget run": the payments-only
 * budget of every CCG in England, described for the run report.
 *
 * Where it sits: between the payments-only budget (pbudget.h), which has
 * worked out year Y from the NHS Payments files of the years before Y,
 * and the run report (runreport.h), which reviews, projects, simulates
 * and writes the folder.  This module fills a struct runreport from
 * pbudget's results, the years read and (with --backtest) year Y as
 * paid: the CCGs with their five-category budget and notional
 * allocation, contingency, reserve and headroom; the practices of Y-1
 * with their budget and lists (discretionary is held by the CCG, as
 * pbudget apportions it); the practice-year payment history of every
 * year read; the tables payments mode has always written (budget, and
 * backtest with --backtest); the parameters with their sources; the
 * inputs with row counts and control totals; and the Monte Carlo model
 * of the budget year (docs/report-run.md, "The risk model in payments
 * mode"), from pbudget's split of each practice's budget:
 *
 *   GMS and PMS contract value, per-head ES       list growth
 *   QOF                                           QOF achievement
 *   activity and local ES, ES lines without a
 *     rule of their own                           activity volume
 *   the CCG's discretionary apportionment         discretionary claims
 *   MPIG, APMS and unknown contracts, other core
 *     lines, ended services' arrears, premises    not risked
 *   rent reviews, premises pipeline, APMS
 *     re-procurement, PMS premium release         off: the payments files
 *                                                 carry no review dates,
 *                                                 schemes, contract ends
 *                                                 or premiums
 *
 * Every pound of each practice's budget is in exactly one place, which
 * run_payments_prepare() checks to the penny, and the practices with the
 * CCG's discretionary add up to the CCG.
 *
 * Ownership: a struct run_payments owns everything rr points to, except
 * what it borrows from the result, years and options given to
 * run_payments_prepare(), which must outlive it.
 */
#ifndef PCBUDGET_RUN_PAYMENTS_H
#define PCBUDGET_RUN_PAYMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "mc.h"
#include "params.h"
#include "payments.h"
#include "pbudget.h"
#include "runreport.h"
#include "sbuf.h"
#include "status.h"

/* What the command line decided. */
struct run_payments_options {
	const char *dir;		/* the payment files' directory, as given */
	const char *params_path;	/* --params ([risk], [report]), or NULL */
	const char *out_dir;		/* the report folder */
	bool wait;			/* --wait */
	bool has_seed, has_iterations;
	uint64_t seed;
	size_t iterations;
	int threads;			/* 0 = OpenMP's default */
	int argc;
	char *const *argv;
	int64_t started;		/* Unix time */
};

struct run_payments {
	struct runreport rr;		/* what runreport_write() takes */
	struct params p;		/* [risk] and [report]: the file or defaults */
	bool have_p;
	/* storage behind rr (owned) */
	struct rr_ccg *ccgs;
	struct rr_practice *practices;
	struct rr_history *history;
	struct mc_model model;
	struct rtable *budget, *by_practice, *backtest;
	struct rr_table mode_tables[2];
	struct report_param *params;
	size_t n_params, alloc_params;
	struct report_input *inputs;
	size_t n_inputs;
	struct report_total *totals;
	struct report_kv info[3];
	struct rr_note *notes;
	size_t n_notes, alloc_notes;
	const char *method_notes[3];
	struct strlist strings;		/* every other string rr points to */
};

/*
 * Zeroes rp and reads the [risk] and [report] parameters from
 * opt->params_path (the defaults when NULL), reporting every bad value.
 * Call it before reading the payment files, so that a bad parameter
 * file stops the run early.  Returns ST_OK, ST_NOINPUT or ST_CONFIG.
 * Release rp with run_payments_release() whatever the return.
 */
enum status run_payments_load_params(struct run_payments *rp,
				     const struct run_payments_options *opt);

/*
 * Fills rp (loaded with run_payments_load_params()) for the budget r
 * built with pp from years[0..n) (sorted, read with pb_split()), and,
 * when bt is not NULL, its backtest against `actual` (year Y as paid).
 * Returns ST_OK, or ST_INTERNAL after reporting a practice whose risk
 * split or a CCG whose practices do not add up to its budget.
 */
enum status run_payments_prepare(struct run_payments *rp, const struct pb_result *r,
				 const struct pay_year *years, size_t n,
				 const struct pb_backtest *bt, const struct pay_year *actual,
				 const struct pb_params *pp,
				 const struct run_payments_options *opt);

void run_payments_release(struct run_payments *rp);

#endif

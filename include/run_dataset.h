/*
 * run_dataset.h - dataset mode of "pcbudget run": a validated dataset
 * and its budget, described for the run report.
 *
 * Where it sits: between the methodology (method.h), which has computed
 * the budget of a dataset directory, and the run report (runreport.h),
 * which reviews, projects, simulates and writes the folder.  This module
 * fills a struct runreport from the dataset: the CCGs and practices with
 * their budget, the payment history, contracts with end dates, the
 * tables the dataset mode has always written (allocations_by_practice,
 * allocations_by_ccg, derivations, with their names and columns), every
 * parameter used with its origin and source, the inputs with row counts
 * and control totals, and the Monte Carlo model of the budget year built
 * from the budget's derivations (docs/report-run.md, "The risk model in
 * dataset mode"):
 *
 *   GMS global sum, PMS baseline, per-head DES      list growth
 *   QOF aspiration                                  QOF achievement
 *   activity DES, LES                               activity volume
 *   notional and lease rent with a review due in
 *     the year, for the days after the review       rent review (certain:
 *                                                   the date is known)
 *   APMS value for the days after a contract's
 *     end within the year                           re-procurement
 *   PMS premium released in the year                release slippage
 *   pipeline schemes                                arrival (their own
 *                                                   probability), delay
 *   area discretionary lines (the CCG's share)      discretionary claims
 *   everything else (MPIG, rates, water, waste,
 *     other rent, part-year adjustments, the
 *     central premises pot)                         not risked
 *
 * The budgeted rent review uplift is left out of the model, which draws
 * its own; every other pound of each practice's budget is in exactly one
 * place, which run_dataset_prepare() checks to the penny.
 *
 * Ownership: a struct run_dataset owns everything rr points to, except
 * what it borrows from the dataset, budget and parameters given to
 * run_dataset_prepare(), which must outlive it.
 */
#ifndef PCBUDGET_RUN_DATASET_H
#define PCBUDGET_RUN_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "dataset.h"
#include "mc.h"
#include "method.h"
#include "params.h"
#include "runreport.h"
#include "sbuf.h"
#include "status.h"

/* What the command line decided. */
struct run_dataset_options {
	const char *dir;		/* the dataset directory, as given */
	const char *name;		/* its name (ledger key, folder) */
	const char *params_path;	/* the parameter file read */
	const char *out_dir;		/* the report folder */
	bool wait;			/* --wait */
	bool year_from_cli;		/* --year given */
	bool has_seed, has_iterations, has_history_years;
	uint64_t seed;			/* --seed */
	size_t iterations;		/* --iterations */
	unsigned history_years;		/* --history-years */
	int threads;			/* --threads, 0 = OpenMP's default */
	int argc;
	char *const *argv;
	int64_t started;		/* Unix time */
};

struct run_dataset {
	struct runreport rr;		/* what runreport_write() takes */
	/* storage behind rr (owned) */
	struct rr_ccg *ccgs;
	struct rr_practice *practices;
	struct rr_history *history;
	struct rr_contract *contracts;
	struct mc_model model;
	struct rtable *by_practice, *by_ccg, *derivations;
	struct rr_table mode_tables[3];
	struct report_param *params;
	size_t n_params, alloc_params;
	struct report_input *inputs;
	struct report_total *totals;	/* control totals of the inputs */
	struct rr_note *notes;
	size_t n_notes, alloc_notes;
	const char *method_notes[3];	/* point into strings */
	struct strlist strings;		/* every other string rr points to */
	bool params_loaded;		/* run_dataset_load_params() succeeded */
};

/*
 * Zeroes rd, then reads the review's [report] parameters and the risk
 * model's three scenarios and run settings from p, reporting every bad
 * value (a bad [risk] value once, not again for each scenario built on
 * it).  Call it before the dataset is read, so that parameter errors come
 * with the parameter file's other errors.  Returns ST_OK or ST_CONFIG.
 * run_dataset_prepare() calls it when it has not been called.
 */
enum status run_dataset_load_params(struct run_dataset *rd, const struct params *p,
				    const struct run_dataset_options *opt);

/*
 * Fills rd for the dataset ds (validated), its budget b (computed with
 * mp) and the parameter file p: the parameters (run_dataset_load_params()
 * unless already loaded) with the command-line overrides in opt, the
 * budget, history, contracts, tables, inputs, and the risk model.
 * Reports and returns ST_CONFIG for a bad risk or report parameter, or
 * ST_INTERNAL when the model does not add up to the budget; ST_OK
 * otherwise.  Release rd with run_dataset_release() whatever the return.
 */
enum status run_dataset_prepare(struct run_dataset *rd, const struct dataset *ds,
				const struct budget *b, const struct method_params *mp,
				const struct params *p,
				const struct run_dataset_options *opt);

void run_dataset_release(struct run_dataset *rd);

#endif

/*
 * runreport.h - the report folder of "pcbudget run", for every mode.
 *
 * Where it sits: the last stage of "pcbudget run", after a mode has
 * worked out its budget.  Dataset mode (run_dataset.h: a dataset
 * directory) and payments mode (the NHS Payments files) describe their
 * results in one neutral struct runreport - CCGs with their budget and
 * allocation, practices with their budget and lists, the practices'
 * payment history, contracts with end dates, a Monte Carlo model of the
 * budget year with its three scenarios, the parameters used, the inputs
 * and tables of their own - and call runreport_write(), which
 *
 *   1. reviews the history (methodology §1): per CCG, year and category,
 *      per registered and per weighted patient, year on year; practices
 *      whose funding per weighted patient lies outside Tukey's fences of
 *      their CCG; MPIG dependence; PMS premium; contracts ending within
 *      12 and 24 months of the budget year's start; list growth;
 *   2. projects every CCG and category 1 to 5 years ahead from the
 *      reviewed years and the budget year (trend.h), flags shown;
 *   3. runs the Monte Carlo of the budget year, the tornado and the
 *      optimistic and pessimistic scenarios (mc.h);
 *   4. takes the run lock on the report folder (runlock.h), compares
 *      the headline figures with the previous run of the same dataset
 *      and year in the ledger, read-only (ledger.h);
 *   5. writes the whole folder atomically (report.h, reportdir.h): a CSV
 *      per table, pcbudget.xlsx, report.html, summary.md, manifest.json;
 *   6. records the run in the ledger beside the folder (a ledger that is
 *      corrupt or locked costs a warning, never the report);
 *   7. prints a short summary on stdout (not in quiet mode).
 *
 * Steps 1-3 are pure and also public (runreport_tables_build()), so the
 * tables can be tested without files.  docs/report-run.md describes the
 * folder for users.
 *
 * Ownership: a struct runreport borrows everything it points to; the
 * caller keeps it alive until runreport_write() returns.  Money is int64
 * pence throughout; weighted lists are billionths of a patient
 * (WEIGHTED_DECIMALS).  Categories are enum category (dataset.h), in its
 * order; CAT_OTHER is what the payments files call "discretionary".
 */
#ifndef PCBUDGET_RUNREPORT_H
#define PCBUDGET_RUNREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "ledger.h"
#include "mc.h"
#include "report.h"
#include "risk_params.h"
#include "rtable.h"
#include "status.h"
#include "trend.h"

/* Charts are drawn per CCG up to this many CCGs, else for the whole dataset. */
#define RR_MAX_CCG_CHARTS 6

/* A CCG in the budget year. */
struct rr_ccg {
	const char *code;		/* borrowed */
	const char *name;		/* borrowed; may be NULL */
	size_t n_practices;		/* practices in the budget */
	int64_t budget[N_CATS];		/* the five categories */
	int64_t planned;		/* their sum */
	int64_t allocation;		/* the published allocation A */
	int64_t contingency, reserve;	/* held inside A */
	int64_t reserve_uncommitted;	/* of the reserve */
	int64_t headroom;		/* A - planned - contingency - reserve */
	bool has_target;
	int64_t target;
	int64_t distance_bp;		/* (A - target) / target, hundredths of a percent */
	/*
	 * The allocation of budget year + h (h = 1..TREND_MAX_AHEAD) at
	 * allocation_ahead[h - 1], where the mode knows or projects it (the
	 * fan chart draws it; allocation_ahead_note says how it was made).
	 */
	bool has_allocation_ahead[TREND_MAX_AHEAD];
	int64_t allocation_ahead[TREND_MAX_AHEAD];
};

/* A practice: its budget for the year and what the review needs. */
struct rr_practice {
	const char *code;		/* borrowed */
	const char *name;		/* borrowed; text from the input */
	size_t ccg;			/* index into ccgs */
	const char *contract_type;	/* "GMS", "PMS", "APMS"; borrowed */
	bool in_budget;			/* open in the budget year */
	int64_t registered;		/* patients, the budget year's list */
	int64_t weighted;		/* billionths of a weighted patient */
	int64_t budget[N_CATS];
	int64_t total;			/* sum of budget[] */
	int64_t mpig;			/* MPIG correction factor in the budget year (in CAT_CORE) */
	int64_t pms_premium;		/* PMS premium a year at budget-year prices; 0 = none */
	int64_t pms_released;		/* of which released by the budget year */
};

/* What a practice was paid in one past year. */
struct rr_history {
	int year;			/* 2016 = 2016/17 */
	size_t practice;		/* index into practices */
	int64_t paid[N_CATS];
	bool has_registered, has_weighted;
	int64_t registered;		/* patients that year */
	int64_t weighted;		/* billionths */
};

/* A contract with an end date (others are not listed). */
struct rr_contract {
	const char *id;			/* borrowed */
	size_t practice;
	const char *type;		/* "APMS", ...; borrowed */
	int32_t end;			/* last day, days since 1970-01-01 */
	int64_t annual_value;		/* pence a year at budget-year prices */
};

/* A flag the mode wants shown (text copied into the report). */
struct rr_note {
	enum report_severity severity;
	const char *text;
};

/* A table of the mode's own: its CSV, a sheet, and a section of the page. */
struct rr_table {
	const struct rtable *table;	/* borrowed */
	const char *section;		/* section title */
	const char *para;		/* a paragraph above it, or NULL */
	size_t max_rows;		/* rows shown in the page, 0 = all */
	bool in_summary;		/* also in summary.md */
};

struct runreport {
	/* identity */
	const char *mode;		/* "dataset" or "payments" */
	const char *dataset;		/* its name: ledger key, title ("example") */
	const char *source;		/* the input directory as given */
	int year;			/* the budget year (2017 = 2017/18) */

	/* where and how */
	const char *out_dir;		/* the report folder */
	const char *ledger_path;	/* NULL: "<parent of out_dir>/ledger.sqlite" */
	bool wait;			/* wait for another run's lock instead of failing */
	int argc;
	char *const *argv;		/* the command line, for the manifest */
	int64_t started;		/* Unix time the run started */

	/* the budget */
	const struct rr_ccg *ccgs;
	size_t n_ccgs;
	const struct rr_practice *practices;
	size_t n_practices;
	const struct rr_history *history;	/* any order; years after the budget year are ignored */
	size_t n_history;
	const struct rr_contract *contracts;
	size_t n_contracts;
	/*
	 * No published allocation: the mode made one up (payments mode).
	 * The headline, the summary table, the page, summary.md, stdout and
	 * the manifest then call it notional; allocation_note says how it
	 * was made.
	 */
	bool allocation_notional;
	const char *allocation_note;	/* or NULL */
	int64_t contingency_rate;	/* ppm of A, for labels */
	int64_t reserve_rate;		/* ppm of A */
	const char *allocation_ahead_note;	/* how allocation_ahead was made, or NULL */

	/* the review's settings (parameters; see runreport_param_specs) */
	unsigned history_years;		/* past years reviewed and fitted, >= 1 */
	double outlier_k;		/* Tukey's k (1.5) */
	int64_t mpig_dependency_ppm;	/* MPIG share of the budget that makes a practice dependent */
	int contract_soon_months;	/* 12 */
	int contract_warning_months;	/* 24 */

	/* the risk model of the budget year */
	const struct mc_model *model;	/* groups parallel to ccgs */
	struct mc_params scenarios[RISK_N_SCENARIOS];	/* resolved and checked */
	struct mc_config mc;
	const char *risk_note;		/* how the mode built the model: a paragraph */

	/* the mode's own content */
	const struct rr_table *mode_tables;
	size_t n_mode_tables;
	const char *const *method_notes;	/* paragraphs on the methodology */
	size_t n_method_notes;
	const struct rr_note *notes;	/* flags */
	size_t n_notes;
	const struct rtable *backtest;	/* a backtest table, or NULL */
	const char *backtest_text;	/* its explanation, or NULL for the default */

	/* provenance, for the manifest and the parameters table */
	const struct report_param *params;
	size_t n_params;
	const struct report_input *inputs;
	size_t n_inputs;
	const struct report_kv *info;	/* e.g. dataset, year; "mode" is added */
	size_t n_info;
};

/* ------------------------------------------------------------------ */
/* The review's parameters ([report] in params.ini)                     */

extern const struct param_spec runreport_param_specs[];
extern const size_t runreport_n_param_specs;

/*
 * Reads [report] history_years, outlier_fence_k, mpig_dependency_share
 * and contract_soon_months from p (file or default) into rr.  Returns 0,
 * or -1 after reporting a value out of range (history_years 1..20,
 * outlier_fence_k 0..10, contract_soon_months 1..120).
 */
int runreport_params_load(const struct params *p, struct runreport *rr);

/* ------------------------------------------------------------------ */
/* Pure pieces                                                          */

/*
 * amount / people rounded half away from zero, where people is a count
 * with `decimals` implied decimal digits (0 for registered patients,
 * WEIGHTED_DECIMALS for weighted ones).  Pence per person.  Returns 0
 * when people <= 0 (callers leave such cells empty).
 */
int64_t runreport_per_head(int64_t amount, int64_t people, unsigned decimals);

/*
 * Tukey's fences over the n values v[] (borrowed): quartiles by linear
 * interpolation between order statistics (Hyndman-Fan type 7, R's
 * default), fences Q1 - k IQR and Q3 + k IQR.  Sets *median, *lo, *hi,
 * and is_low[i] / is_high[i] for values below / above the fences.
 * Returns the number of outliers, or 0 with NaN fences when n < 4.
 */
size_t runreport_tukey(const double *v, size_t n, double k, double *median,
		       double *lo, double *hi, bool *is_low, bool *is_high);

/*
 * The fewest decimal digits (at most dec) that show every v[i], a value
 * with dec implied decimals, exactly: for a FIXED column that is exact
 * without trailing zeros (weighted lists of 2846.593 need 3 of 9).
 */
unsigned runreport_fixed_decimals(const int64_t *v, size_t n, unsigned dec);

/* v with `from` implied decimals expressed with `to` (exact when to >= the digits v needs). */
int64_t runreport_rescale(int64_t v, unsigned from, unsigned to);

/*
 * Whole months from the first day of the budget year (1 April) to the
 * contract's last day, counting a part month as a whole one: an end on
 * 31 March of the same year is 12, on 30 April 1.  Negative (or 0) for
 * an end before the year.
 */
int runreport_months_to_end(int year, int32_t end);

/*
 * The ledger figures of rr: for each CCG the five categories,
 * planned_spend, allocation, contingency, nonrecurrent_reserve and
 * headroom (RR_LEDGER_MEASURES per CCG, in that order).  Returns an
 * array of n_ccgs * RR_LEDGER_MEASURES (free() it); strings borrowed.
 */
#define RR_LEDGER_MEASURES 10
struct ledger_figure *runreport_ledger_figures(const struct runreport *rr,
					       size_t *n);

/* Most years one series can hold: the reviewed years and the budget year. */
#define RR_MAX_YEARS 21

/* One yearly series (a CCG's category, or its total) and its projection. */
struct rr_series {
	size_t n;			/* points: reviewed years with payments, then the budget year */
	int year[RR_MAX_YEARS];
	double value[RR_MAX_YEARS];	/* pence */
	struct trend_projection proj;	/* proj.n_ahead == 0: not projected (proj.fit.flags say why) */
};

/* What the pure stage produces: every table, and the results behind them. */
struct rr_tables {
	struct rtable *summary, *categories, *history, *practices, *outliers,
		      *contracts, *projections, *risk, *tornado, *scenarios,
		      *trend_check, *parameters;
	/* (n_ccgs + 1) x (N_CATS + 1): per CCG then the dataset total; per category then the total */
	struct rr_series *series;
	struct mc_result mc[RISK_N_SCENARIOS];
	struct mc_tornado tornado_result;
	/* per practice */
	double *per_weighted;		/* £ per weighted patient last year; NaN = not assessed */
	bool *is_low, *is_high, *mpig_dependent;
	/* per CCG */
	double *median, *fence_lo, *fence_hi;	/* £ per weighted patient; NaN = too few practices */
	size_t n_outliers, n_mpig_dependent, n_ending_soon, n_ending;
	int first_year;			/* first reviewed year */
	double mc_seconds;		/* wall time of the three simulations */
};

/*
 * Builds every table of rr and runs its Monte Carlo (three scenarios)
 * and tornado.  Pure apart from the diag_info() progress lines.  Returns
 * ST_OK, or the status of a failed simulation (ST_CONFIG, ST_USAGE,
 * ST_INTERNAL, after reporting).  Release t with runreport_tables_release()
 * whatever the return.
 */
enum status runreport_tables_build(const struct runreport *rr,
				   struct rr_tables *t);

void runreport_tables_release(struct rr_tables *t);

/* ------------------------------------------------------------------ */
/* The whole stage                                                      */

/*
 * Does steps 1 to 7 above.  Returns ST_OK when the folder was published
 * (a ledger failure is only a warning); ST_LOCKED after reporting that
 * another run holds the folder's lock (without --wait); the status of a
 * failed simulation or writer (ST_NOOUTPUT, ST_IO, ST_NOINPUT, ST_DATA,
 * ST_CONFIG, ST_INTERNAL), after reporting, in which case the previous
 * folder is left exactly as it was.
 */
enum status runreport_write(const struct runreport *rr);

/* "<parent of out_dir>/ledger.sqlite".  Release with free(). */
char *runreport_ledger_path(const char *out_dir);

#endif

/*
 * pbudget.h - the payments-only budget (issue 4): year Y's delegated
 * primary care budget for every CCG from the published NHS payments of
 * the years before Y only, by the pound-based forms of the transfer
 * methodology's rules (docs/methodology.md §2, parameters §3, money
 * that moved between lines §3.1), with a notional allocation when no
 * published one is supplied, and a backtest against what was paid.
 *
 * Where it sits: after the payments import (payments.h reads the files,
 * with the line split pb_split() asks for); pure computation, no I/O.
 * The command is cmd_run_payments() (src/cli/cmd_run_payments.c).
 *
 * The rules, per practice of year Y-1 (attributed to its CCG in Y-1):
 *   core     GMS: (global sum + PMS balance) x global sum price ratio
 *              (net of the out-of-hours deduction) x list growth;
 *            PMS: the same x last year's growth of PMS contract value
 *              instead (uplift net of the PMS premium released);
 *            APMS and unknown: last year's (fixed-term contract value);
 *            MPIG x (7 - k(Y)) / (7 - k(Y-1)), k = years since 2013/14.
 *   enhanced per-head services x list growth x rate ratio; activity
 *            services x rate ratio (learning disabilities £116 -> £140
 *            in 2017/18); local ES as last year; a service that moved
 *            into the global sum keeps a quarter paid in arrears in its
 *            first year without it, nothing after.
 *   qof      x point value ratio x list growth x national average list
 *            ratio (the contractor population index in pounds).
 *   premises last year's reimbursements.
 *   discretionary  the region's total of last year, apportioned to its
 *            CCGs by weighted list (largest remainder).
 * List growth is England's registered list growth from Y-2 to Y-1.
 * Every rate and assumption is a parameter with its source (struct
 * pb_params); amounts are pence, scaled by exact integer ratios.
 */
#ifndef PCBUDGET_PBUDGET_H
#define PCBUDGET_PBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payments.h"
#include "status.h"

/* ------------------------------------------------------------------ */
/* Parameters                                                           */

/* One financial year's rates (methodology §3). */
struct pb_year_params {
	int start;			/* 2016 for 2016/17 */
	int64_t global_sum;		/* pence per weighted patient, annual mean */
	int64_t ooh_ppm;		/* out-of-hours deduction, millionths */
	int64_t qof_point;		/* pence per QOF point */
	int64_t average_list;		/* national average list (QOF CPI) */
	int64_t allocation;		/* national primary medical care allocation, pence; 0 = unknown */
	const char *source;
};

/* A payment line that ended (its money moved into the global sum). */
struct pb_ended {
	const char *header;	/* normalised column header */
	int first_year;		/* first year without it */
	const char *source;
};

/* A change in an activity or per-head rate. */
struct pb_rate_change {
	const char *header;
	int year;		/* year the new rate applies */
	int64_t from, to;	/* pence */
	const char *source;
};

struct pb_params {
	const struct pb_year_params *years;
	size_t n_years;
	const struct pb_ended *ended;
	size_t n_ended;
	const struct pb_rate_change *rates;
	size_t n_rates;
	int64_t arrears_ppm;		/* share of an ended line still paid (250000) */
	int64_t contingency_ppm;	/* 0.5% of the allocation */
	int64_t reserve_ppm;		/* 1% non-recurrent reserve */
	int mpig_base_year;		/* 2013: phased out in sevenths from 2014/15 */
};

/* The built-in defaults, each with its source. */
extern const struct pb_params pb_default_params;

/* The rates of year `start`, or NULL. */
const struct pb_year_params *pb_year(const struct pb_params *p, int start);

/* ------------------------------------------------------------------ */
/* The split of payment lines the rules need                             */

/*
 * The split to put in struct pay_options before reading the files
 * (a static object; do not free).
 */
const struct pay_split *pb_split(void);

/* ------------------------------------------------------------------ */
/* The budget                                                           */

enum pb_cat { PB_CORE, PB_ENHANCED, PB_QOF, PB_PREMISES, PB_DISCRETIONARY, PB_N_CATS };

struct pb_ccg {
	const char *code, *name, *region;	/* borrowed from year Y-1 */
	size_t practices;
	int64_t registered, weighted;		/* Y-1, 10^-9 patients */
	int64_t budget[PB_N_CATS];		/* pence */
	int64_t budget_total;
	int64_t last_year;			/* the five categories paid in Y-1 */
	int64_t allocation;
	bool allocation_notional;		/* last_year x national allocation growth */
	int64_t contingency, reserve, headroom;
};

/*
 * A practice of Y-1 and its budget for Y.  Discretionary is 0 here: it
 * is apportioned to CCGs, not practices.  The same money is also split
 * by what moves it (the risk model of the run report): list_linked (GMS
 * and PMS contract value, per-head enhanced services), qof, es_activity
 * (activity and local enhanced services, lines without a rule) and
 * fixed (MPIG, APMS and unknown contracts, other core lines, ended
 * services' arrears, premises); the four add up to total.
 */
struct pb_practice {
	size_t base;				/* index into base->p */
	size_t ccg;				/* index into ccgs */
	int64_t budget[PB_N_CATS];
	int64_t total;
	int64_t mpig;				/* of budget[PB_CORE] */
	int64_t list_linked, qof, es_activity, fixed;
};

/* The figures a run derived from the data, for the report. */
struct pb_derived {
	int64_t list_now, list_before;		/* England's registered lists, Y-1 and Y-2 */
	int64_t pms_now, pms_before;		/* continuing PMS practices' contract value */
	bool have_before;			/* Y-2 was read */
};

struct pb_result {
	int year;			/* Y */
	const struct pay_year *base;	/* Y-1 (borrowed) */
	struct pb_ccg *ccgs;		/* CCG code order */
	size_t n;
	struct pb_ccg england;
	struct pb_derived derived;
	struct pb_practice *practices;	/* base->n, in base order (owned) */
	size_t n_practices;
};

void pb_result_init(struct pb_result *r);
void pb_result_release(struct pb_result *r);

/*
 * Builds year `year`'s budget from years[0..n) (sorted by year, read
 * with pb_split()), using only the years before `year`: Y-1 must be
 * there, Y-2 is used for growth when there.  Returns ST_OK, or
 * ST_CONFIG after reporting a year without parameters, or ST_DATA if Y-1
 * is missing or was read without the split.
 */
enum status pb_build(struct pb_result *r, const struct pay_year *years,
		     size_t n, int year, const struct pb_params *p);

/* ------------------------------------------------------------------ */
/* Backtest                                                             */

struct pb_check {
	const char *code;
	int64_t actual, budget, naive;	/* pence */
	int64_t budget_err_ppm, naive_err_ppm;	/* |x - actual| / actual */
};

struct pb_backtest {
	struct pb_check *ccgs;
	size_t n;
	double mape_budget, mape_naive;	/* percent */
	size_t skipped;			/* CCGs with nothing paid in Y */
};

void pb_backtest_release(struct pb_backtest *b);

/*
 * Compares r with what was paid in `actual` (year Y): each practice of Y
 * counts for its CCG in Y-1 (or its own code if it was not there); the
 * budget total (five categories) and the naive forecast (last year's
 * five categories) against the five categories paid.
 */
void pb_backtest(struct pb_backtest *b, const struct pb_result *r,
		 const struct pay_year *actual);

#endif

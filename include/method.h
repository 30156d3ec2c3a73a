/*
 * method.h - the delegated budget transfer methodology
 * (docs: ../shared/docs/methodology.md §2), as pure functions.
 *
 * The stage after the dataset: a validated struct dataset and the
 * parameters resolved for the budget year go in, a struct budget comes
 * out: the five categories per practice and per CCG, contingency,
 * non-recurrent reserve, headroom, distance from target, QOF cash
 * phasing, and one derivation row for every component of every figure
 * (rule, formula with the actual numbers, parameters used, amount), so
 * a user can ask why a pound is there.  Nothing here reads or writes a
 * file.
 *
 * Arithmetic is exact: money in int64 pence, rates in ppm (millionths),
 * weighted lists in billionths, products in 128-bit integers, and each
 * rule rounds once, at its end, half away from zero.  Apportionments
 * (area lines to CCGs, CCG shares to practices) use money_apportion(),
 * so parts add up to the penny.  A category's amount is by construction
 * the sum of its components; method_compute() also checks that
 * practices add up to their CCG and CCGs to the total.
 */
#ifndef PCBUDGET_METHOD_H
#define PCBUDGET_METHOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "dates.h"
#include "params.h"
#include "status.h"

/* Products of money, rates and lists are formed in 128 bits. */
__extension__ typedef __int128 method_i128;

/* ------------------------------------------------------------------ */
/* Parameters                                                           */

/* Every parameter the methodology knows, with defaults by year (param_specs.c). */
extern const struct param_spec method_param_specs[];
extern const size_t method_n_param_specs;

/* The parameters of one budget year, resolved (file value or default). */
struct method_params {
	int year;				/* 2017 = 2017/18 */
	char section[DATE_BUFSZ];		/* "2017/18" */
	int64_t global_sum_price;		/* pence per weighted patient */
	int64_t ooh_deduction;			/* ppm of the global sum */
	int64_t qof_point_value;		/* pence per point */
	int64_t national_average_list;		/* millionths of a patient */
	int64_t qof_points_available;
	int64_t qof_aspiration_share;		/* ppm */
	int64_t pms_uplift, apms_uplift;	/* ppm */
	int64_t es_activity_growth, les_growth;	/* ppm */
	int64_t rent_review_uplift;		/* ppm */
	bool pipeline_probability_weighted;
	int64_t contingency_rate;		/* ppm of the allocation */
	int64_t nonrecurrent_reserve_rate;	/* ppm of the allocation */
	int64_t nonrecurrent_uncommitted_share;	/* ppm of the reserve */
	int64_t contract_warning_months;	/* flag contracts ending this soon */
	bool has_national_allocation;
	int64_t national_allocation;		/* pence */
	bool has_national_weighted_population;
	int64_t national_weighted_population;	/* millionths of a person */
};

/*
 * Resolves every parameter for the budget year from p (file values over
 * defaults).  A year with neither a [year] section nor built-in defaults
 * is one error; otherwise each missing value is reported where the
 * year's section is.  Then values no rule can use are reported at the
 * value (or the section): a share outside 0-100%, a price, list or
 * point count not above 0, an uplift or growth below -100%, a warning
 * horizon outside 0-1200 months.  Returns ST_OK, ST_DATA (a parameter
 * missing for the budget year is a data error, exit 65) or ST_CONFIG
 * (a value out of range: a bad parameter file, exit 78).
 */
enum status method_params_load(const struct params *p, int year,
			       struct method_params *mp);

/* ------------------------------------------------------------------ */
/* Rules: one function per rule, each returns pence and fills a deriv   */

#define DERIV_RULE_MAX 64
#define DERIV_FORMULA_MAX 320
#define DERIV_PARAMS_MAX 200

/* How one component was worked out. */
struct deriv {
	char rule[DERIV_RULE_MAX];		/* "GMS global sum" */
	char formula[DERIV_FORMULA_MAX];	/* "5209.497 weighted patients x £85.35 x (1 - 4.9%)" */
	char params[DERIV_PARAMS_MAX];		/* "[2017/18] global_sum_price=85.35 ooh_deduction=4.9%" */
	int64_t amount;				/* pence */
	bool overflow;				/* a product or the amount did not fit (amount 0) */
};

/*
 * Rounds num/den to the nearest integer, half away from zero (den > 0).
 * The one rounding every rule applies at its end.
 */
int64_t method_div_round(method_i128 num, method_i128 den);

/*
 * Same rounding, checked: stores num/den in *out and returns true, or
 * returns false (out untouched) when den is 0 or the result does not
 * fit in int64 (|result| > INT64_MAX).
 */
bool method_div_fits(method_i128 num, method_i128 den, int64_t *out);

/*
 * Every rule below fills d and returns d->amount.  Products are checked:
 * when a product or the amount does not fit (inputs far beyond any real
 * budget), the amount is 0 and d->overflow is set, never a wrapped value.
 */

/*
 * GMS global sum (§2.1): weighted × price × (1 − ooh_deduction) when the
 * practice opted out of out-of-hours, weighted × price otherwise.
 * weighted in billionths, price in pence, ooh in ppm.
 */
int64_t rule_gms_global_sum(int64_t weighted, int64_t price, int64_t ooh_ppm,
			    bool opted_out, const char *section,
			    struct deriv *d);

/*
 * MPIG correction factor (§2.1), phased out in sevenths from 2014/15:
 * cf × max(0, 7 − k)/7 with k = year − 2013 (and the whole cf before
 * 2014/15).  year is the budget year's starting calendar year.
 */
int64_t rule_mpig(int64_t cf, int year, struct deriv *d);

/* PMS contract baseline uplifted in line with GMS: baseline × (1 + uplift). */
int64_t rule_pms_baseline(int64_t baseline, int64_t uplift_ppm,
			  const char *section, struct deriv *d);

/*
 * PMS premium released by the budget year (a negative amount):
 * −premium × k/n × (1 + uplift), premium = max(0, baseline − GMS
 * equivalent), k = years of release reached (year − start + 1, between
 * 0 and n).  has_release false: no release, 0.
 */
int64_t rule_pms_premium_release(int64_t baseline, int64_t gms_equivalent,
				 bool has_release, int release_start,
				 int release_years, int year,
				 int64_t uplift_ppm, const char *section,
				 struct deriv *d);

/*
 * APMS contract value: value × (1 + uplift).  The formula notes an end
 * date within warn_months of the budget year's start (re-procurement).
 */
int64_t rule_apms(int64_t value, int64_t uplift_ppm, bool has_end,
		  int32_t end, int year, int64_t warn_months,
		  const char *section, struct deriv *d);

/* Per-head enhanced service (§2.2): rate × registered list. */
int64_t rule_es_per_head(const char *service, int64_t rate,
			 int64_t registered, const char *rate_source,
			 struct deriv *d);

/*
 * Activity enhanced service priced from last year's activity:
 * units × rate × (1 + growth); units in millionths.
 */
int64_t rule_es_activity(const char *service, int64_t units, int64_t rate,
			 int64_t growth_ppm, const char *rate_source,
			 const char *section, struct deriv *d);

/*
 * A service budgeted from last year's payment (activity DES without
 * units, or a LES): payment × (1 + growth).  is_les picks the rule name
 * and the growth parameter named in the derivation.
 */
int64_t rule_es_last_year(const char *service, int64_t payment,
			  int64_t growth_ppm, bool is_les,
			  const char *section, struct deriv *d);

/*
 * QOF aspiration budget (§2.3): points × point value × CPI × prevalence,
 * CPI = registered / national average list.  points in hundredths,
 * national average list and prevalence in millionths.
 */
int64_t rule_qof(int64_t points, int64_t point_value, int64_t registered,
		 int64_t national_average_list, int64_t prevalence,
		 const char *section, struct deriv *d);

/*
 * QOF cash phasing: monthly aspiration payment = budget × share / 12
 * (rounded once); the year-end balance is what is left:
 * budget − 12 × monthly, so the thirteen payments add up exactly.
 */
void rule_qof_phasing(int64_t budget, int64_t share_ppm, int64_t *monthly,
		      int64_t *balance);

/*
 * Current premises reimbursement (§2.4): the annual amount, plus the
 * assumed uplift for the days of the budget year from a rent review
 * that falls due in it: amount + amount × uplift × days_after / days.
 */
int64_t rule_premises(enum premises_type type, int64_t amount,
		      bool has_review, int32_t review, int year,
		      int64_t uplift_ppm, const char *section,
		      struct deriv *d);

/*
 * Pipeline premises scheme (§2.4): annual cost × months live in the
 * budget year / 12 (× probability when weighted).  A scheme starting on
 * the 1st is live from that month, otherwise from the next one.
 */
int64_t rule_pipeline(const char *scheme, int64_t annual_cost, int32_t start,
		      int year, int64_t probability, bool weighted,
		      const char *section, struct deriv *d);

/*
 * Part-year adjustment for a practice open only days of the year's
 * year_days: −full × (year_days − days) / year_days (0 when open all year).
 */
int64_t rule_part_year(int64_t full, int days, int year_days,
		       struct deriv *d);

/*
 * True if a contract with an end date ends within warn_months of the
 * budget year's start (1 April): re-procurement falls in the planning
 * horizon.
 */
bool method_ends_within(bool has_end, int32_t end, int year,
			int64_t warn_months);

/* amount × rate (ppm), rounded: contingency and reserve. */
int64_t rule_share(int64_t amount, int64_t rate_ppm);

/*
 * Distance from target in hundredths of a percent (basis points):
 * (allocation − target) / target × 10000, rounded, into *bp.  target > 0.
 * Returns false (bp untouched) if it does not fit in int64.
 */
bool rule_distance_from_target(int64_t allocation, int64_t target, int64_t *bp);

/* ------------------------------------------------------------------ */
/* The budget                                                           */

/* One practice, CCG or the total. */
struct budget_line {
	int64_t cat[N_CATS];		/* pence */
	int64_t total;			/* sum of cat */
	int64_t les;			/* of which local enhanced services (in CAT_ES) */
	int64_t qof_monthly;		/* QOF aspiration paid each month */
	int64_t qof_balance;		/* QOF paid after year end */
	int64_t pms_released;		/* PMS premium released (a positive amount) */
	int64_t last_year;		/* the five categories last year (history) */
	bool has_last_year;
};

struct budget_ccg {
	struct budget_line line;
	int64_t planned;		/* sum of the five categories */
	int64_t allocation;
	int64_t contingency;
	int64_t reserve;		/* non-recurrent reserve */
	int64_t reserve_uncommitted;
	int64_t headroom;		/* allocation - planned - contingency - reserve */
	bool has_target;
	int64_t target;
	int64_t distance_bp;		/* hundredths of a percent */
	size_t n_practices;		/* in the budget */
};

/* Where a derivation row belongs. */
struct derivation {
	long practice;			/* index in the dataset, -1 = a CCG-level row */
	size_t ccg;
	const char *category;		/* category_names[], or "allocation", "contingency", ... */
	struct deriv d;
};

struct budget {
	int year;
	size_t n_practices, n_ccgs;
	struct budget_line *practices;	/* parallel to dataset.practices */
	struct budget_ccg *ccgs;	/* parallel to dataset.ccgs */
	struct budget_ccg total;
	struct derivation *rows;
	size_t n_rows, alloc_rows;
	bool overflow;			/* scratch for method_compute(): a sum did not fit */
};

/* Zeroes b so budget_release() is safe. */
void budget_init(struct budget *b);

/* Frees what b holds; leaves it initialised. */
void budget_release(struct budget *b);

/*
 * Applies the methodology to the validated dataset with the year's
 * parameters, filling b (initialised, empty).  Pure: no I/O, except
 * that a control total that does not reconcile is reported as an
 * internal error ("... does not reconcile") and returns ST_INTERNAL,
 * and that a figure too large for int64 pence (inputs far beyond any
 * real budget, e.g. a misplaced decimal point) is reported for each
 * practice, else each CCG, else the total where it happens:
 *     pcbudget: error: practice 'A00001': a figure is too large to
 *     compute in pence (over £92,233,720,368,547,758.07)
 * and returns ST_DATA; b then holds nothing to use.  Returns ST_OK
 * otherwise.
 */
enum status method_compute(const struct dataset *ds,
			   const struct method_params *mp, struct budget *b);

/*
 * Checks b's control totals: each practice's categories against its
 * derivations, practices against their CCG, CCGs against the total,
 * planned spend, headroom.  Reports the first failure and returns -1,
 * else 0.
 */
int method_reconcile(const struct dataset *ds, const struct budget *b);

#endif

/*
 * backtest.h - forecast each CCG's delegated spend for a past year from
 * the years before it, and score the forecasts against what was paid.
 *
 * Where it sits: the risk stage, fed by the payments importer.  The input
 * is a panel: for consecutive financial years, every practice's payments
 * in the five delegated categories, with its CCG in that year.  For a
 * target year y and every CCG c of year y (practices attributed to their
 * year-y CCG):
 *   actual(c, y) = what c's practices were paid in y (five categories)
 *   naive(c, y)  = what the same practices were paid in y - 1
 *                  (practices new in y count 0; closed ones are not in c)
 * and the projection uses years before y only:
 *   L(c, t)   = ln(actual(c, t) / naive(c, t))        growth of CCG c in t
 *   nat(t)    = ln(sum actual / sum naive)            national growth in t
 *   d(c, t)   = L(c, t) - nat(t)                      CCG deviation
 *   mu        = mean of nat(t), t < y
 *   s         = sd of nat(t), t < y (prior_nat_sd when fewer than 2 years),
 *               times sqrt(1 + 1/k), k = number of years: a new year's
 *               national growth is uncertain, and so is its mean
 *   predictive log growth ~ mu + D + s Z,  D drawn from the pooled d(c, t),
 *                                           Z standard normal
 *               (a kernel-smoothed empirical distribution; its CDF is
 *                the mean of Phi((x - mu - d) / s) over the deviations)
 *   centre    = its median; p50 = naive x exp(centre)
 *   intervals = centre + quantiles (type 7) of the errors L - centre this
 *               same method made in the earlier target years (split
 *               conformal: "in earlier years, 80% of CCGs landed within
 *               ..."); for the first target year, which has no earlier
 *               errors, the predictive distribution's own quantiles.
 * Pure computation: no I/O; money in int64 pence; statistics in double.
 */
#ifndef PCBUDGET_BACKTEST_H
#define PCBUDGET_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The five delegated categories of methodology §2. */
enum bt_category {
	BT_CORE_CONTRACT,
	BT_ENHANCED_SERVICES,
	BT_QOF,
	BT_PREMISES,
	BT_DISCRETIONARY,
	BT_N_CATEGORIES
};

/* One practice in one year.  Strings are borrowed from the caller. */
struct bt_practice {
	const char *code;	/* practice code, stable across years */
	const char *ccg;	/* its CCG (Sub-ICB) in this year */
	int64_t pence[BT_N_CATEGORIES];
};

/* One financial year: start_year 2016 means 2016/17. */
struct bt_year {
	int start_year;
	const struct bt_practice *practices;	/* borrowed */
	size_t n_practices;
};

/* Consecutive years in ascending order (borrowed). */
struct bt_panel {
	const struct bt_year *years;
	size_t n_years;
};

struct bt_options {
	double prior_nat_sd;	/* sd of national log growth while < 2 years are known */
};

/* The default options: prior_nat_sd 0.02 ([A], docs/risk.md). */
struct bt_options bt_default_options(void);

enum bt_flags {
	BT_NO_HISTORY = 1u << 0,	/* naive is 0: no practice of c was paid in y - 1 */
	BT_NOT_POSITIVE = 1u << 1	/* actual or naive < 0 (actual 0 too): no growth ratio */
};

/* One CCG in one target year.  Pence. */
struct bt_row {
	int target_year;	/* start year: 2016 = 2016/17 */
	const char *ccg;	/* borrowed from the panel */
	unsigned flags;		/* enum bt_flags */
	int64_t actual;
	int64_t naive;
	bool has_budget;	/* set by the caller with budget */
	int64_t budget;		/* the budget engine's figure for (ccg, year) */
	bool projected;		/* p50 .. hi95 are valid: only when naive > 0 */
	int64_t p50, lo80, hi80, lo95, hi95;
};

struct bt_result {
	struct bt_row *rows;	/* owned; by target year, then CCG code */
	size_t n_rows, alloc_rows;
};

void bt_result_init(struct bt_result *r);
void bt_result_release(struct bt_result *r);

/*
 * Builds rows for every target year whose start year is in
 * [first, last] and that has at least two earlier years in the panel
 * (one growth ratio), for every CCG of that year.  Returns 0, or -1
 * after reporting (through diag) years that are not consecutive and
 * ascending, a practice listed twice in a year, or a target year outside
 * the panel.  The rows borrow CCG codes from the panel.
 */
int backtest_run(const struct bt_panel *panel, int first, int last,
		 const struct bt_options *opt, struct bt_result *out);

/* Accuracy and calibration over a set of rows. */
struct bt_summary {
	size_t n_rows;		/* rows scored: projected, with actual > 0 */
	double mape_p50;	/* mean |p50 - actual| / actual */
	double mape_naive;	/* mean |naive - actual| / actual, same rows */
	size_t n_budget;	/* of those, rows with a budget */
	double mape_budget;	/* over the rows with a budget; NaN if none */
	double cover80;		/* share with lo80 <= actual <= hi80 */
	double cover95;
};

/*
 * Scores rows[0..n) whose target year is `year` (or every row when year
 * is 0).  Values are NaN when no row qualifies.
 */
void backtest_summarise(const struct bt_row *rows, size_t n, int year,
			struct bt_summary *s);

/*
 * The p-quantile (0 < p < 1) of the mixture mu + D + s Z, D uniform over
 * devs[0..n), Z standard normal, s > 0, n >= 1: x with
 * mean(Phi((x - mu - devs[i]) / s)) = p, found by bisection to 1e-12.
 * NaN when an argument is out of range.
 */
double backtest_mixture_quantile(const double *devs, size_t n, double mu,
				 double s, double p);

#endif

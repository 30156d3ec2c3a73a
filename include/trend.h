/*
 * trend.h - linear trend over yearly values with prediction intervals.
 *
 * Where it sits: the history review and the backtest hand a series of
 * yearly totals (one CCG, one budget category) to this module, which
 * fits a straight line by ordinary least squares (GSL gsl_fit_linear) on
 * centred years and projects it 1 to TREND_MAX_AHEAD years beyond the
 * last year, with 80% and 95% prediction intervals.  Pure computation:
 * no I/O, no allocation, no diagnostics; problems are returned as flags.
 *
 * The model, for n points (x_i, y_i), x = the year, y = the amount:
 *     y = a + b (x - xbar) + e,      e ~ N(0, s^2), independent,
 *     Sxx = sum (x_i - xbar)^2,      s^2 = SSE / (n - 2),
 *     yhat(x0)    = a + b (x0 - xbar),
 *     se_mean(x0) = s sqrt(1/n + (x0 - xbar)^2 / Sxx)   (the fitted line),
 *     se_pred(x0) = s sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx) (a new year),
 *     interval    = yhat -/+ t(1 - alpha/2; n - 2) se_pred.
 * Centring the years keeps the intercept meaningful (the level at the
 * mean year) and the fit well conditioned.
 *
 * Nothing is projected silently: fewer than 3 points, years that are all
 * equal, or any non-finite input or result set a flag in TREND_NOT_PROJECTED
 * and leave the forecasts empty.  Three points are projected but flagged
 * TREND_WEAK_N3: with one degree of freedom t(0.975) is 12.7 and the
 * intervals are very wide.
 */
#ifndef PCBUDGET_TREND_H
#define PCBUDGET_TREND_H

#include <stddef.h>

/* Years ahead that trend_project() can fill. */
#define TREND_MAX_AHEAD 5

enum trend_flags {
	TREND_TOO_FEW_POINTS = 1u << 0,	/* n < 3: not projected */
	TREND_ALL_EQUAL_YEARS = 1u << 1,	/* Sxx = 0: no slope, not projected */
	TREND_NONFINITE = 1u << 2,	/* NaN/inf in input or result: not projected */
	TREND_WEAK_N3 = 1u << 3		/* n = 3, 1 df: projected, very wide intervals */
};

/* The flags that mean "no projection was made". */
#define TREND_NOT_PROJECTED \
	(TREND_TOO_FEW_POINTS | TREND_ALL_EQUAL_YEARS | TREND_NONFINITE)

/*
 * A fitted line.  Valid (usable by trend_forecast) only when
 * (flags & TREND_NOT_PROJECTED) == 0; otherwise the numbers are
 * whatever could be computed and must not be reported as a trend.
 */
struct trend_fit {
	unsigned flags;		/* enum trend_flags */
	size_t n;		/* points used */
	double x_mean;		/* the centre: mean year */
	double y_mean;
	double intercept;	/* a: fitted value at x_mean */
	double slope;		/* b: change per unit of x (per year) */
	double cov00, cov01, cov11;	/* covariance of (a, b), scaled by s^2 */
	double sumsq;		/* SSE, sum of squared residuals */
	double s2;		/* residual variance SSE / (n - 2) */
	double sxx;		/* sum of squared centred x */
	double df;		/* degrees of freedom n - 2 */
};

/* One projected year. */
struct trend_forecast {
	double x;		/* the year projected */
	double yhat;		/* point forecast on the line */
	double se_mean;		/* standard error of the line at x */
	double se_pred;		/* standard error of a new observation at x */
	double lo80, hi80;	/* 80% prediction interval */
	double lo95, hi95;	/* 95% prediction interval */
};

/* A fit and its forecasts for the years after the last observed one. */
struct trend_projection {
	struct trend_fit fit;
	size_t n_ahead;		/* forecasts filled; 0 when not projected */
	struct trend_forecast ahead[TREND_MAX_AHEAD];	/* ahead[h-1] = last year + h */
};

/*
 * Fits y on (x - mean x) for the n points of x[] and y[] (borrowed).
 * Fills *fit, including its flags.  Returns 0 when the fit can be used
 * for forecasts, -1 when a flag in TREND_NOT_PROJECTED is set (fit->flags
 * says why).  Years need not be sorted or distinct.
 */
int trend_fit(const double *x, const double *y, size_t n,
	      struct trend_fit *fit);

/*
 * The forecast at x0 from a usable fit: point, standard errors and the
 * 80% and 95% prediction intervals.  Returns 0, or -1 (out filled with
 * NaN) if the fit is not usable or a result is not finite.
 */
int trend_forecast(const struct trend_fit *fit, double x0,
		   struct trend_forecast *out);

/*
 * Fits x[], y[] and projects the years max(x) + 1 .. max(x) + n_ahead
 * (n_ahead 1..TREND_MAX_AHEAD).  out->n_ahead is n_ahead on success and
 * 0 when nothing was projected.  Returns 0, or -1 with out->fit.flags
 * saying why (TREND_NONFINITE also covers a non-finite forecast and an
 * n_ahead out of range is reported as -1 with no flag).
 */
int trend_project(const double *x, const double *y, size_t n,
		  unsigned n_ahead, struct trend_projection *out);

/*
 * A short reason for the most serious flag in flags, for a report
 * column: "fewer than 3 years", "all years equal", "non-finite value",
 * "only 3 years: intervals very wide", or "" for none.  Static string.
 */
const char *trend_flag_reason(unsigned flags);

/*
 * The two-sided Student t multiplier t(1 - alpha/2; df) for a central
 * interval of coverage `level` (0 < level < 1), df > 0; NaN when either
 * is out of range.  (gsl_cdf_tdist_Pinv, which does not validate.)
 */
double trend_t_multiplier(double level, double df);

#endif

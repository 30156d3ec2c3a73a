/*
 * trend.c - straight-line trends with prediction intervals (see trend.h).
 *
 * Part of the risk stage: the history review and the backtest call it on
 * yearly CCG totals.  GSL does the least squares (gsl_fit_linear) and the
 * standard error of the line (gsl_fit_linear_est); we add the residual
 * variance for a prediction interval and check what GSL does not:
 * gsl_fit_linear "succeeds" with equal x (NaN coefficients) and with n = 2
 * (NaN covariance), so n >= 3, Sxx > 0 and finiteness are checked here.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trend.h"
#include "xalloc.h"

double trend_t_multiplier(double level, double df)
{
	if (!(level > 0.0 && level < 1.0) || !(df > 0.0) || !isfinite(df))
		return NAN;
	return gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, df);
}

static void fit_reset(struct trend_fit *fit, size_t n)
{
	fit->flags = 0;
	fit->n = n;
	fit->x_mean = fit->y_mean = NAN;
	fit->intercept = fit->slope = NAN;
	fit->cov00 = fit->cov01 = fit->cov11 = NAN;
	fit->sumsq = fit->s2 = fit->sxx = NAN;
	fit->df = n >= 2 ? (double)n - 2.0 : (double)NAN;
}

int trend_fit(const double *x, const double *y, size_t n,
	      struct trend_fit *fit)
{
	double *xc = NULL;
	double sx = 0.0, sy = 0.0, sxx = 0.0;
	int rc = -1;

	fit_reset(fit, n);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			fit->flags |= TREND_NONFINITE;
		sx += x[i];
		sy += y[i];
	}
	if (n < 3)
		fit->flags |= TREND_TOO_FEW_POINTS;
	else if (n == 3)
		fit->flags |= TREND_WEAK_N3;
	if (n == 0 || (fit->flags & TREND_NONFINITE))
		return -1;

	fit->x_mean = sx / (double)n;
	fit->y_mean = sy / (double)n;
	xc = xmalloc(n * sizeof(*xc));
	for (size_t i = 0; i < n; i++) {
		xc[i] = x[i] - fit->x_mean;
		sxx += xc[i] * xc[i];
	}
	fit->sxx = sxx;
	if (!(sxx > 0.0))
		fit->flags |= TREND_ALL_EQUAL_YEARS;
	if (fit->flags & TREND_NOT_PROJECTED)
		goto out;

	if (gsl_fit_linear(xc, 1, y, 1, n, &fit->intercept, &fit->slope,
			   &fit->cov00, &fit->cov01, &fit->cov11,
			   &fit->sumsq) != GSL_SUCCESS) {
		fit->flags |= TREND_NONFINITE;
		goto out;
	}
	fit->s2 = fit->sumsq / fit->df;
	if (!isfinite(fit->intercept) || !isfinite(fit->slope) ||
	    !isfinite(fit->cov00) || !isfinite(fit->cov01) ||
	    !isfinite(fit->cov11) || !isfinite(fit->s2)) {
		fit->flags |= TREND_NONFINITE;
		goto out;
	}
	rc = 0;
out:
	free(xc);
	return rc;
}

static void forecast_nan(struct trend_forecast *out, double x0)
{
	out->x = x0;
	out->yhat = out->se_mean = out->se_pred = NAN;
	out->lo80 = out->hi80 = out->lo95 = out->hi95 = NAN;
}

int trend_forecast(const struct trend_fit *fit, double x0,
		   struct trend_forecast *out)
{
	double t80, t95, se_pred;

	forecast_nan(out, x0);
	if ((fit->flags & TREND_NOT_PROJECTED) || !isfinite(x0))
		return -1;
	if (gsl_fit_linear_est(x0 - fit->x_mean, fit->intercept, fit->slope,
			       fit->cov00, fit->cov01, fit->cov11,
			       &out->yhat, &out->se_mean) != GSL_SUCCESS)
		goto bad;
	/* a new year's value varies around the line by s as well */
	se_pred = sqrt(out->se_mean * out->se_mean + fit->s2);
	t80 = trend_t_multiplier(0.80, fit->df);
	t95 = trend_t_multiplier(0.95, fit->df);
	out->se_pred = se_pred;
	out->lo80 = out->yhat - t80 * se_pred;
	out->hi80 = out->yhat + t80 * se_pred;
	out->lo95 = out->yhat - t95 * se_pred;
	out->hi95 = out->yhat + t95 * se_pred;
	if (isfinite(out->yhat) && isfinite(out->se_mean) &&
	    isfinite(se_pred) && isfinite(out->lo80) && isfinite(out->hi80) &&
	    isfinite(out->lo95) && isfinite(out->hi95))
		return 0;
bad:
	forecast_nan(out, x0);
	return -1;
}

int trend_project(const double *x, const double *y, size_t n,
		  unsigned n_ahead, struct trend_projection *out)
{
	double last = -INFINITY;

	memset(out, 0, sizeof(*out));
	if (trend_fit(x, y, n, &out->fit) != 0)
		return -1;
	if (n_ahead < 1 || n_ahead > TREND_MAX_AHEAD)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (x[i] > last)
			last = x[i];
	for (unsigned h = 1; h <= n_ahead; h++) {
		if (trend_forecast(&out->fit, last + h, &out->ahead[h - 1]) != 0) {
			out->fit.flags |= TREND_NONFINITE;
			out->n_ahead = 0;
			return -1;
		}
	}
	out->n_ahead = n_ahead;
	return 0;
}

const char *trend_flag_reason(unsigned flags)
{
	if (flags & TREND_NONFINITE)
		return "non-finite value";
	if (flags & TREND_TOO_FEW_POINTS)
		return "fewer than 3 years";
	if (flags & TREND_ALL_EQUAL_YEARS)
		return "all years equal";
	if (flags & TREND_WEAK_N3)
		return "only 3 years: intervals very wide";
	return "";
}

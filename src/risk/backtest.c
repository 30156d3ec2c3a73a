/*
 * backtest.c - CCG forecasts for past years from earlier years only, and
 * their scores (see backtest.h for the method).
 *
 * Part of the risk stage.  Steps:
 *   1. per year: practices sorted by code (to find last year's payments)
 *      and grouped by CCG: actual and naive per CCG, exact in pence;
 *   2. per year t >= 1: L(c, t), nat(t) and the deviations d(c, t);
 *   3. per target year, in order: the predictive median (centre) from the
 *      earlier years; the errors of earlier targets give the intervals.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "diag.h"
#include "xalloc.h"

struct bt_options bt_default_options(void)
{
	struct bt_options o = { 0.02 };

	return o;
}

void bt_result_init(struct bt_result *r)
{
	memset(r, 0, sizeof(*r));
}

void bt_result_release(struct bt_result *r)
{
	free(r->rows);
	bt_result_init(r);
}

/* ---- per-year aggregation -------------------------------------------- */

struct ccg_year {
	const char *ccg;
	int64_t actual, naive;
	double log_ratio;	/* L(c, t) when valid */
	bool valid;		/* actual > 0 and naive > 0 */
};

struct year_agg {
	const struct bt_year *year;
	const struct bt_practice **by_code;	/* the practices sorted by code */
	struct ccg_year *ccgs;	/* sorted by code */
	size_t n_ccgs;
	double nat;		/* national log growth (t >= 1) */
	bool has_nat;
};

static int cmp_code(const void *a, const void *b)
{
	const struct bt_practice *const *p = a, *const *q = b;

	return strcmp((*p)->code, (*q)->code);
}

static int cmp_ccg(const void *a, const void *b)
{
	const struct bt_practice *const *p = a, *const *q = b;
	int c = strcmp((*p)->ccg, (*q)->ccg);

	return c ? c : strcmp((*p)->code, (*q)->code);
}

/* An array of pointers to y's practices, sorted with cmp (free()). */
static const struct bt_practice **sorted_practices(const struct bt_year *y,
						   int (*cmp)(const void *, const void *))
{
	size_t n = y->n_practices;
	const struct bt_practice **v = xreallocarray(NULL, n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = &y->practices[i];
	qsort(v, n, sizeof(*v), cmp);
	return v;
}

static int practice_total(const struct bt_practice *p, int64_t *out)
{
	int64_t sum = 0;

	for (int k = 0; k < BT_N_CATEGORIES; k++)
		if (__builtin_add_overflow(sum, p->pence[k], &sum))
			return -1;
	*out = sum;
	return 0;
}

/* The year's practice with this code, or NULL. */
static const struct bt_practice *find_practice(const struct year_agg *ya,
					       const char *code)
{
	size_t lo = 0, hi = ya->year->n_practices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bt_practice *p = ya->by_code[mid];
		int c = strcmp(p->code, code);

		if (c == 0)
			return p;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Sorts year t's practices and checks codes are unique. */
static int index_year(struct year_agg *ya, const struct bt_year *y)
{
	ya->year = y;
	ya->by_code = sorted_practices(y, cmp_code);
	for (size_t i = 1; i < y->n_practices; i++)
		if (strcmp(ya->by_code[i]->code, ya->by_code[i - 1]->code) == 0)
			return diag_error("year %d/%02d: practice '%s' is listed twice",
					  y->start_year, (y->start_year + 1) % 100,
					  ya->by_code[i]->code);
	return 0;
}

/* Groups year t by CCG; prev is year t - 1 (or NULL). */
static int aggregate_year(struct year_agg *ya, const struct year_agg *prev)
{
	const struct bt_year *y = ya->year;
	size_t n = y->n_practices, alloc = 0;
	const struct bt_practice **by_ccg = sorted_practices(y, cmp_ccg);
	int64_t sum_a = 0, sum_n = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct bt_practice *p = by_ccg[i];
		const struct bt_practice *q;
		struct ccg_year *c;
		int64_t t;

		if (ya->n_ccgs == 0 ||
		    strcmp(ya->ccgs[ya->n_ccgs - 1].ccg, p->ccg) != 0) {
			ALLOC_GROW(ya->ccgs, ya->n_ccgs + 1, alloc);
			c = &ya->ccgs[ya->n_ccgs++];
			memset(c, 0, sizeof(*c));
			c->ccg = p->ccg;
		}
		c = &ya->ccgs[ya->n_ccgs - 1];
		if (practice_total(p, &t) != 0 ||
		    __builtin_add_overflow(c->actual, t, &c->actual))
			rc = -1;
		if (prev && (q = find_practice(prev, p->code)) != NULL &&
		    (practice_total(q, &t) != 0 ||
		     __builtin_add_overflow(c->naive, t, &c->naive)))
			rc = -1;
	}
	free(by_ccg);
	if (rc != 0)
		return diag_error("year %d/%02d: payments too large to add up",
				  y->start_year, (y->start_year + 1) % 100);
	if (!prev)
		return 0;
	for (size_t i = 0; i < ya->n_ccgs; i++) {
		struct ccg_year *c = &ya->ccgs[i];

		c->valid = c->actual > 0 && c->naive > 0;
		if (!c->valid)
			continue;
		c->log_ratio = log((double)c->actual / (double)c->naive);
		if (__builtin_add_overflow(sum_a, c->actual, &sum_a) ||
		    __builtin_add_overflow(sum_n, c->naive, &sum_n))
			return diag_error("year %d/%02d: payments too large to add up",
					  y->start_year, (y->start_year + 1) % 100);
	}
	if (sum_a > 0 && sum_n > 0) {
		ya->nat = log((double)sum_a / (double)sum_n);
		ya->has_nat = true;
	}
	return 0;
}

/* ---- the predictive distribution ------------------------------------ */

double backtest_mixture_quantile(const double *devs, size_t n, double mu,
				 double s, double p)
{
	double lo, hi, dmin, dmax;

	if (n == 0 || !(s > 0.0) || !isfinite(s) || !isfinite(mu) ||
	    !(p > 0.0 && p < 1.0))
		return nan("");
	dmin = dmax = devs[0];
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(devs[i]))
			return nan("");
		dmin = fmin(dmin, devs[i]);
		dmax = fmax(dmax, devs[i]);
	}
	/* Phi(-40) and Phi(40) are 0 and 1 in double: the root is inside */
	lo = mu + dmin - 40.0 * s;
	hi = mu + dmax + 40.0 * s;
	for (int it = 0; it < 200 && hi - lo > 1e-12; it++) {
		double mid = lo + (hi - lo) / 2.0, f = 0.0;

		for (size_t i = 0; i < n; i++)
			f += gsl_cdf_ugaussian_P((mid - mu - devs[i]) / s);
		if (f / (double)n < p)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2.0;
}

/* Rounds double pence to int64, half away from zero; -1 out of range. */
static int to_pence(double x, int64_t *out)
{
	if (!isfinite(x) || fabs(x) >= 9.0e15)
		return -1;
	*out = (int64_t)llround(x);
	return 0;
}

static void row_project(struct bt_row *row, const double q[5])
{
	double nv = (double)row->naive;

	row->projected = to_pence(nv * exp(q[2]), &row->p50) == 0 &&
			 to_pence(nv * exp(q[1]), &row->lo80) == 0 &&
			 to_pence(nv * exp(q[3]), &row->hi80) == 0 &&
			 to_pence(nv * exp(q[0]), &row->lo95) == 0 &&
			 to_pence(nv * exp(q[4]), &row->hi95) == 0;
	if (!row->projected)
		row->p50 = row->lo80 = row->hi80 = row->lo95 = row->hi95 = 0;
}

/* ---- the run ---------------------------------------------------------- */

int backtest_run(const struct bt_panel *panel, int first, int last,
		 const struct bt_options *opt, struct bt_result *out)
{
	static const double levels[5] = { 0.025, 0.10, 0.50, 0.90, 0.975 };
	size_t ny = panel->n_years, t_last;
	struct year_agg *ya = NULL;
	double *devs = NULL, *errs = NULL, *sorted = NULL, *nats = NULL;
	size_t n_devs = 0, n_errs = 0, alloc_devs = 0, alloc_errs = 0;
	int rc = -1;

	bt_result_init(out);
	for (size_t i = 1; i < ny; i++)
		if (panel->years[i].start_year != panel->years[i - 1].start_year + 1) {
			diag_error("the panel's years must be consecutive and ascending "
				   "(%d follows %d)", panel->years[i].start_year,
				   panel->years[i - 1].start_year);
			return -1;
		}
	if (ny < 3 || first > last || first < panel->years[2].start_year ||
	    last > panel->years[ny - 1].start_year) {
		diag_error("target years %d to %d: each needs two earlier years in the "
			   "panel, which covers %d to %d", first, last,
			   ny ? panel->years[0].start_year : 0,
			   ny ? panel->years[ny - 1].start_year : 0);
		return -1;
	}
	t_last = (size_t)(last - panel->years[0].start_year);

	ya = xcalloc(t_last + 1, sizeof(*ya));
	for (size_t t = 0; t <= t_last; t++)
		if (index_year(&ya[t], &panel->years[t]) != 0 ||
		    aggregate_year(&ya[t], t ? &ya[t - 1] : NULL) != 0)
			goto out;
	nats = xcalloc(t_last + 1, sizeof(double));

	for (size_t y = 2; y <= t_last; y++) {
		size_t k = 0;
		double mu, s_nat, s, centre, q[5];

		/* what is known before year y: ratios of years 1 .. y - 1 */
		{
			const struct year_agg *a = &ya[y - 1];

			for (size_t i = 0; i < a->n_ccgs; i++)
				if (a->ccgs[i].valid) {
					ALLOC_GROW(devs, n_devs + 1, alloc_devs);
					devs[n_devs++] = a->ccgs[i].log_ratio - a->nat;
				}
		}
		for (size_t t = 1; t < y; t++)
			if (ya[t].has_nat)
				nats[k++] = ya[t].nat;
		if (k == 0 || n_devs == 0) {
			diag_error("year %d/%02d: no CCG has payments in two consecutive "
				   "earlier years", panel->years[y].start_year,
				   (panel->years[y].start_year + 1) % 100);
			goto out;
		}
		mu = gsl_stats_mean(nats, 1, k);
		s_nat = k >= 2 ? gsl_stats_sd(nats, 1, k) : opt->prior_nat_sd;
		if (!(s_nat > 0.0))
			s_nat = opt->prior_nat_sd;
		s = s_nat * sqrt(1.0 + 1.0 / (double)k);
		centre = backtest_mixture_quantile(devs, n_devs, mu, s, 0.5);
		if (n_errs > 0) {
			sorted = xreallocarray(sorted, n_errs, sizeof(double));
			memcpy(sorted, errs, n_errs * sizeof(double));
			gsl_sort(sorted, 1, n_errs);
			for (int l = 0; l < 5; l++)
				q[l] = centre + gsl_stats_quantile_from_sorted_data(
						sorted, 1, n_errs, levels[l]);
			q[2] = centre;
		} else {
			for (int l = 0; l < 5; l++)
				q[l] = backtest_mixture_quantile(devs, n_devs, mu, s, levels[l]);
		}

		if (panel->years[y].start_year >= first) {
			for (size_t i = 0; i < ya[y].n_ccgs; i++) {
				const struct ccg_year *c = &ya[y].ccgs[i];
				struct bt_row *row;

				ALLOC_GROW(out->rows, out->n_rows + 1, out->alloc_rows);
				row = &out->rows[out->n_rows++];
				memset(row, 0, sizeof(*row));
				row->target_year = panel->years[y].start_year;
				row->ccg = c->ccg;
				row->actual = c->actual;
				row->naive = c->naive;
				if (c->naive == 0)
					row->flags |= BT_NO_HISTORY;
				else if (c->naive < 0)
					row->flags |= BT_NOT_POSITIVE;
				if (c->actual <= 0)
					row->flags |= BT_NOT_POSITIVE;
				if (c->naive > 0)
					row_project(row, q);
			}
		}
		/* this year's errors serve the later years */
		for (size_t i = 0; i < ya[y].n_ccgs; i++)
			if (ya[y].ccgs[i].valid) {
				ALLOC_GROW(errs, n_errs + 1, alloc_errs);
				errs[n_errs++] = ya[y].ccgs[i].log_ratio - centre;
			}
	}
	rc = 0;
out:
	if (ya)
		for (size_t t = 0; t <= t_last; t++) {
			free((void *)ya[t].by_code);
			free(ya[t].ccgs);
		}
	free(ya);
	free(devs);
	free(errs);
	free(sorted);
	free(nats);
	if (rc != 0)
		bt_result_release(out);
	return rc;
}

void backtest_summarise(const struct bt_row *rows, size_t n, int year,
			struct bt_summary *s)
{
	double ape_p = 0.0, ape_n = 0.0, ape_b = 0.0;
	size_t in80 = 0, in95 = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const struct bt_row *r = &rows[i];
		double a = (double)r->actual;

		if ((year && r->target_year != year) || !r->projected || r->actual <= 0)
			continue;
		s->n_rows++;
		ape_p += fabs((double)r->p50 - a) / a;
		ape_n += fabs((double)r->naive - a) / a;
		if (r->has_budget) {
			s->n_budget++;
			ape_b += fabs((double)r->budget - a) / a;
		}
		in80 += r->lo80 <= r->actual && r->actual <= r->hi80;
		in95 += r->lo95 <= r->actual && r->actual <= r->hi95;
	}
	s->mape_p50 = s->n_rows ? ape_p / (double)s->n_rows : nan("");
	s->mape_naive = s->n_rows ? ape_n / (double)s->n_rows : nan("");
	s->mape_budget = s->n_budget ? ape_b / (double)s->n_budget : nan("");
	s->cover80 = s->n_rows ? (double)in80 / (double)s->n_rows : nan("");
	s->cover95 = s->n_rows ? (double)in95 / (double)s->n_rows : nan("");
}

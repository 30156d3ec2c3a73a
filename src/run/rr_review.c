/*
 * rr_review.c - the history review of a run report: what was paid, per
 * CCG and year, per patient and year on year; the practices that stand
 * out; MPIG dependence, PMS premium, list growth; contracts ending soon;
 * the parameters table.
 *
 * Part of the run report (runreport.h), its pure first step: a struct
 * runreport goes in, report tables (rtable.h) come out.  Money stays in
 * int64 pence; only the outlier statistics and growth rates are doubles.
 */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "money.h"
#include "rr_internal.h"
#include "runreport.h"
#include "xalloc.h"

__extension__ typedef __int128 i128;

/* ------------------------------------------------------------------ */
/* Parameters                                                           */

const struct param_spec runreport_param_specs[] = {
	{ "report", "history_years", PARAM_INT, "3", "years",
	  "methodology §1 [V]: due diligence reviews 3 years of historical financial performance",
	  "past years reviewed in the report and fitted by the trend (with the budget year)" },
	{ "report", "outlier_fence_k", PARAM_DECIMAL, "1.5", "interquartile ranges",
	  "[A] Tukey's fences (Tukey 1977), the usual k",
	  "a practice stands out when its funding per weighted patient lies beyond Q1 - k IQR or Q3 + k IQR of its CCG" },
	{ "report", "mpig_dependency_share", PARAM_RATE, "5%", "share of the practice's budget",
	  "[A] MPIG is phased out by 2020/21 (methodology §2.1 [V]); losing 5% of income is material",
	  "a practice is MPIG-dependent when its MPIG correction factor is at least this share of its budget" },
	{ "report", "contract_soon_months", PARAM_INT, "12", "months",
	  "issue 5 [A]: contracts ending within 12 and 24 months",
	  "contracts ending within this many months of the budget year's start are flagged as warnings (contract_warning_months as notes)" },
};
const size_t runreport_n_param_specs =
	sizeof(runreport_param_specs) / sizeof(runreport_param_specs[0]);

int runreport_params_load(const struct params *p, struct runreport *rr)
{
	int64_t v;
	int rc = 0;

	if (params_int(p, "report", "history_years", &v))
		return -1;
	if (v < 1 || v > RR_MAX_YEARS - 1)
		rc = diag_error("parameter 'history_years' in [report] must be from 1 to %d (got %lld)",
				RR_MAX_YEARS - 1, (long long)v);
	else
		rr->history_years = (unsigned)v;
	if (params_decimal_micro(p, "report", "outlier_fence_k", &v))
		return -1;
	if (v <= 0 || v > 10000000)
		rc = diag_error("parameter 'outlier_fence_k' in [report] must be above 0 and at most 10");
	else
		rr->outlier_k = (double)v / 1e6;
	if (params_rate_ppm(p, "report", "mpig_dependency_share", &v))
		return -1;
	if (v <= 0 || v > 1000000)
		rc = diag_error("parameter 'mpig_dependency_share' in [report] must be above 0%% and at most 100%%");
	else
		rr->mpig_dependency_ppm = v;
	if (params_int(p, "report", "contract_soon_months", &v))
		return -1;
	if (v < 1 || v > 120)
		rc = diag_error("parameter 'contract_soon_months' in [report] must be from 1 to 120 (got %lld)",
				(long long)v);
	else
		rr->contract_soon_months = (int)v;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Small pure pieces                                                    */

static const int64_t pow10[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
};

int64_t runreport_per_head(int64_t amount, int64_t people, unsigned decimals)
{
	i128 num, q, r;

	if (people <= 0 || decimals > 12)
		return 0;
	num = (i128)amount * pow10[decimals];
	q = num / people;
	r = num % people;
	/* half away from zero */
	if (r < 0)
		r = -r;
	if (2 * r >= people)
		q += amount < 0 ? -1 : 1;
	return (int64_t)q;
}

size_t runreport_tukey(const double *v, size_t n, double k, double *median,
		       double *lo, double *hi, bool *is_low, bool *is_high)
{
	double *s, q1, q3;
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		is_low[i] = is_high[i] = false;
	*median = *lo = *hi = nan("");
	if (n < 4)
		return 0;
	s = xreallocarray(NULL, n, sizeof(double));
	memcpy(s, v, n * sizeof(double));
	gsl_sort(s, 1, n);
	/* gsl's quantile_from_sorted_data is type 7: s[(n-1)f] interpolated */
	q1 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
	*median = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.5);
	q3 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75);
	free(s);
	*lo = q1 - k * (q3 - q1);
	*hi = q3 + k * (q3 - q1);
	for (size_t i = 0; i < n; i++) {
		is_low[i] = v[i] < *lo;
		is_high[i] = v[i] > *hi;
		out += is_low[i] || is_high[i];
	}
	return out;
}

int runreport_months_to_end(int year, int32_t end)
{
	int y, m, d;

	date_to_ymd(end, &y, &m, &d);
	return (y - year) * 12 + (m - 4) + 1;
}

static const char *const ledger_extra[] = {
	"planned_spend", "allocation", "contingency", "nonrecurrent_reserve", "headroom",
};

struct ledger_figure *runreport_ledger_figures(const struct runreport *rr, size_t *n)
{
	struct ledger_figure *f = xcalloc(rr->n_ccgs * RR_LEDGER_MEASURES + 1, sizeof(*f));
	size_t k = 0;

	for (size_t c = 0; c < rr->n_ccgs; c++) {
		const struct rr_ccg *cc = &rr->ccgs[c];
		const int64_t extra[] = { cc->planned, cc->allocation, cc->contingency,
					  cc->reserve, cc->headroom };

		for (int cat = 0; cat < N_CATS; cat++)
			f[k++] = (struct ledger_figure){ cc->code, category_names[cat],
							 cc->budget[cat] };
		for (size_t e = 0; e < 5; e++)
			f[k++] = (struct ledger_figure){ cc->code, ledger_extra[e], extra[e] };
	}
	*n = k;
	return f;
}

/* Digits after the point that v (with dec implied decimals) needs. */
static unsigned decimals_needed(int64_t v, unsigned dec)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	while (dec > 0 && u % 10 == 0) {
		u /= 10;
		dec--;
	}
	return dec;
}

unsigned runreport_fixed_decimals(const int64_t *v, size_t n, unsigned dec)
{
	unsigned need = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = decimals_needed(v[i], dec);

		if (d > need)
			need = d;
	}
	return need;
}

int64_t runreport_rescale(int64_t v, unsigned from, unsigned to)
{
	/* exact when to >= the digits v needs (rr_fixed_decimals) */
	return to >= from ? v * pow10[to - from] : v / pow10[from - to];
}

char *rr_fy(int year, char buf[DATE_BUFSZ])
{
	return fy_format(year, buf);
}

/* ------------------------------------------------------------------ */
/* Aggregation: one CCG in one year                                     */

struct year_total {
	size_t rows;
	int64_t paid[N_CATS + 1];	/* the categories and their total */
	int64_t registered, weighted;	/* sums, when every row has them */
	bool has_registered, has_weighted;
};

/*
 * What the practices of CCG c (c == n_ccgs: every CCG) were paid in
 * year, with their lists.
 */
static void year_total(const struct runreport *rr, size_t c, int year,
		       struct year_total *t)
{
	memset(t, 0, sizeof(*t));
	t->has_registered = t->has_weighted = true;
	for (size_t i = 0; i < rr->n_history; i++) {
		const struct rr_history *h = &rr->history[i];

		if (h->year != year || (c < rr->n_ccgs && rr->practices[h->practice].ccg != c))
			continue;
		t->rows++;
		for (int k = 0; k < N_CATS; k++) {
			t->paid[k] += h->paid[k];
			t->paid[N_CATS] += h->paid[k];
		}
		t->has_registered &= h->has_registered;
		t->has_weighted &= h->has_weighted;
		t->registered += h->registered;
		t->weighted += h->weighted;
	}
	if (!t->rows)
		t->has_registered = t->has_weighted = false;
}

/* The budget year's figures of CCG c (n_ccgs: all) in the same shape. */
static void budget_total(const struct runreport *rr, size_t c, struct year_total *t)
{
	memset(t, 0, sizeof(*t));
	t->has_registered = t->has_weighted = true;
	for (size_t k = 0; k < rr->n_ccgs; k++) {
		if (c < rr->n_ccgs && k != c)
			continue;
		for (int cat = 0; cat < N_CATS; cat++) {
			t->paid[cat] += rr->ccgs[k].budget[cat];
			t->paid[N_CATS] += rr->ccgs[k].budget[cat];
		}
	}
	for (size_t i = 0; i < rr->n_practices; i++) {
		const struct rr_practice *p = &rr->practices[i];

		if (!p->in_budget || (c < rr->n_ccgs && p->ccg != c))
			continue;
		t->rows++;
		t->registered += p->registered;
		t->weighted += p->weighted;
	}
}

static const char *cat_name(int k)
{
	return k < N_CATS ? category_names[k] : "total";
}

/* ------------------------------------------------------------------ */
/* history: per CCG, year and category                                  */

void rr_build_history(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *h = rtable_new("history", "Payments by CCG, year and category, and the budget");
	size_t c_ccg, c_year, c_basis, c_cat, c_amount, c_reg, c_w, c_preg, c_pw, c_chg, c_chgp,
	       c_list;
	int first = rr->year - (int)rr->history_years;
	size_t n_rows_max = (rr->n_ccgs + 1) * (rr->history_years + 1);
	struct year_total *tot = xcalloc(n_rows_max + 1, sizeof(*tot));
	int64_t *weighted_values = xcalloc(n_rows_max + 1, sizeof(int64_t));
	unsigned wdec;
	size_t n_w = 0;

	t->first_year = first;
	/* first pass: the totals, and how many decimals the weighted lists need */
	for (size_t c = 0; c <= rr->n_ccgs; c++) {
		for (unsigned k = 0; k <= rr->history_years; k++) {
			struct year_total *yt = &tot[c * (rr->history_years + 1) + k];

			if (k < rr->history_years)
				year_total(rr, c, first + (int)k, yt);
			else
				budget_total(rr, c, yt);
			if (yt->has_weighted)
				weighted_values[n_w++] = yt->weighted;
		}
	}
	wdec = runreport_fixed_decimals(weighted_values, n_w, WEIGHTED_DECIMALS);
	free(weighted_values);

	c_ccg = rtable_add_col(h, "ccg_code", "CCG", RCOL_CODE, 0);
	c_year = rtable_add_col(h, "year", "Year", RCOL_CODE, 0);
	c_basis = rtable_add_col(h, "basis", "Basis", RCOL_CODE, 0);
	c_cat = rtable_add_col(h, "category", "Category", RCOL_CODE, 0);
	c_amount = rtable_add_col(h, "amount", "Amount", RCOL_MONEY, 0);
	c_reg = rtable_add_col(h, "registered_list", "Registered list", RCOL_INT, 0);
	c_w = rtable_add_col(h, "weighted_list", "Weighted list", RCOL_FIXED, wdec);
	c_preg = rtable_add_col(h, "per_registered_patient", "£ per registered patient",
				RCOL_MONEY, 0);
	c_pw = rtable_add_col(h, "per_weighted_patient", "£ per weighted patient", RCOL_MONEY, 0);
	c_chg = rtable_add_col(h, "change", "Change on the year before", RCOL_MONEY, 0);
	c_chgp = rtable_add_col(h, "change_percent", "Change %", RCOL_PERCENT, 1);
	c_list = rtable_add_col(h, "list_change_percent", "Registered list change %",
				RCOL_PERCENT, 1);

	/* one block per CCG; the dataset total only when there are several CCGs */
	for (size_t c = 0; c <= rr->n_ccgs; c++) {
		const char *code = c < rr->n_ccgs ? rr->ccgs[c].code : "TOTAL";

		if (c == rr->n_ccgs && rr->n_ccgs < 2)
			break;
		for (int cat = 0; cat <= N_CATS; cat++) {
			const struct year_total *prev = NULL;

			for (unsigned k = 0; k <= rr->history_years; k++) {
				const struct year_total *yt = &tot[c * (rr->history_years + 1) + k];
				int year = first + (int)k;
				char fy[DATE_BUFSZ];
				size_t r;

				if (!yt->rows && k < rr->history_years)
					continue;	/* no payments that year */
				r = rtable_add_row(h);
				if (cat == N_CATS)
					rtable_set_row_flags(h, r, RROW_TOTAL);
				rtable_set_text(h, r, c_ccg, code);
				rtable_set_text(h, r, c_year, rr_fy(year, fy));
				rtable_set_text(h, r, c_basis, k < rr->history_years ? "paid" : "budget");
				rtable_set_text(h, r, c_cat, cat_name(cat));
				rtable_set_money(h, r, c_amount, yt->paid[cat]);
				if (yt->has_registered) {
					rtable_set_int(h, r, c_reg, yt->registered);
					if (yt->registered > 0)
						rtable_set_money(h, r, c_preg,
								 runreport_per_head(yt->paid[cat],
										    yt->registered, 0));
				}
				if (yt->has_weighted) {
					rtable_set_fixed(h, r, c_w,
							 runreport_rescale(yt->weighted, WEIGHTED_DECIMALS, wdec));
					if (yt->weighted > 0)
						rtable_set_money(h, r, c_pw,
								 runreport_per_head(yt->paid[cat],
										    yt->weighted,
										    WEIGHTED_DECIMALS));
				}
				if (prev) {
					rtable_set_money(h, r, c_chg, yt->paid[cat] - prev->paid[cat]);
					if (prev->paid[cat] > 0)
						rtable_set_percent(h, r, c_chgp,
								   (double)(yt->paid[cat] - prev->paid[cat]) /
								   (double)prev->paid[cat]);
					if (yt->has_registered && prev->has_registered &&
					    prev->registered > 0)
						rtable_set_percent(h, r, c_list,
								   (double)(yt->registered - prev->registered) /
								   (double)prev->registered);
				}
				prev = yt;
				/* the series the trend fits */
				{
					struct rr_series *s = &t->series[c * (N_CATS + 1) + (size_t)cat];

					if (s->n < RR_MAX_YEARS) {
						s->year[s->n] = year;
						s->value[s->n] = (double)yt->paid[cat];
						s->n++;
					}
				}
			}
		}
	}
	/* the total's series is needed for the charts even with one CCG */
	if (rr->n_ccgs < 2) {
		for (int cat = 0; cat <= N_CATS; cat++)
			for (unsigned k = 0; k <= rr->history_years; k++) {
				const struct year_total *yt = &tot[rr->n_ccgs * (rr->history_years + 1) + k];
				struct rr_series *s = &t->series[rr->n_ccgs * (N_CATS + 1) + (size_t)cat];

				if (!yt->rows && k < rr->history_years)
					continue;
				s->year[s->n] = first + (int)k;
				s->value[s->n] = (double)yt->paid[cat];
				s->n++;
			}
	}
	rtable_set_note(h, "Paid: what the CCG's practices were paid that year (practice_history.csv), "
		       "each practice counted in its CCG of the budget year so that years compare like "
		       "for like; closed practices count in the years they were paid. Budget: the budget "
		       "year, practices open in it. Per patient: the amount divided by the CCG's lists "
		       "that year, where every practice's list is known.");
	free(tot);
	t->history = h;
}

/* ------------------------------------------------------------------ */
/* categories: the budget against last year                             */

void rr_build_categories(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *tab = rtable_new("categories", "Budget by category and CCG, against last year");
	size_t c_ccg = rtable_add_col(tab, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_cat = rtable_add_col(tab, "category", "Category", RCOL_CODE, 0);
	size_t c_last = rtable_add_col(tab, "last_year", "Paid last year", RCOL_MONEY, 0);
	size_t c_budget = rtable_add_col(tab, "budget", "Budget", RCOL_MONEY, 0);
	size_t c_chg = rtable_add_col(tab, "change", "Change", RCOL_MONEY, 0);
	size_t c_chgp = rtable_add_col(tab, "change_percent", "Change %", RCOL_PERCENT, 1);
	size_t c_share = rtable_add_col(tab, "share_of_planned", "Share of planned spend",
					RCOL_PERCENT, 1);

	for (size_t c = 0; c < rr->n_ccgs; c++) {
		struct year_total last;
		bool has_last;

		year_total(rr, c, rr->year - 1, &last);
		has_last = last.rows > 0;
		for (int cat = 0; cat <= N_CATS; cat++) {
			int64_t b = cat < N_CATS ? rr->ccgs[c].budget[cat] : rr->ccgs[c].planned;
			size_t r = rtable_add_row(tab);

			if (cat == N_CATS)
				rtable_set_row_flags(tab, r, RROW_TOTAL);
			rtable_set_text(tab, r, c_ccg, rr->ccgs[c].code);
			rtable_set_text(tab, r, c_cat, cat < N_CATS ? category_names[cat] : "planned_spend");
			rtable_set_money(tab, r, c_budget, b);
			if (has_last) {
				rtable_set_money(tab, r, c_last, last.paid[cat]);
				rtable_set_money(tab, r, c_chg, b - last.paid[cat]);
				if (last.paid[cat] > 0)
					rtable_set_percent(tab, r, c_chgp,
							   (double)(b - last.paid[cat]) /
							   (double)last.paid[cat]);
			}
			if (rr->ccgs[c].planned > 0)
				rtable_set_percent(tab, r, c_share,
						   (double)b / (double)rr->ccgs[c].planned);
		}
	}
	rtable_set_note(tab, "Paid last year: practice_history.csv, other = discretionary. "
		       "Budget: the methodology's five categories for the budget year.");
	t->categories = tab;
}

/* ------------------------------------------------------------------ */
/* practices: lists, funding per weighted patient, outliers, MPIG, PMS  */

void rr_build_practices(const struct runreport *rr, struct rr_tables *t)
{
	size_t np = rr->n_practices, nc = rr->n_ccgs;
	const struct rr_history **last = xcalloc(np + 1, sizeof(*last));
	const struct rr_history **first = xcalloc(np + 1, sizeof(*first));
	int64_t *wl = xcalloc(np + 1, sizeof(int64_t));
	double *vals = xcalloc(np + 1, sizeof(double));
	size_t *idx = xcalloc(np + 1, sizeof(size_t));
	bool *lo = xcalloc(np + 1, sizeof(bool)), *hi = xcalloc(np + 1, sizeof(bool));
	bool *from_budget_list = xcalloc(np + 1, sizeof(bool));
	struct rtable *tab, *out;
	size_t c_ccg, c_code, c_name, c_type, c_reg, c_w, c_growth, c_total, c_bpw, c_paid,
	       c_ppw, c_basis, c_med, c_flag, c_mpig, c_mpigs, c_dep, c_prem, c_rel, c_rem;
	size_t o_ccg, o_code, o_name, o_val, o_med, o_lo, o_hi, o_dir, o_ratio;
	unsigned wdec;

	t->per_weighted = xcalloc(np + 1, sizeof(double));
	t->is_low = xcalloc(np + 1, sizeof(bool));
	t->is_high = xcalloc(np + 1, sizeof(bool));
	t->mpig_dependent = xcalloc(np + 1, sizeof(bool));
	t->median = xcalloc(nc + 1, sizeof(double));
	t->fence_lo = xcalloc(nc + 1, sizeof(double));
	t->fence_hi = xcalloc(nc + 1, sizeof(double));

	/* last year's row and the first reviewed year's row with a list */
	for (size_t i = 0; i < rr->n_history; i++) {
		const struct rr_history *h = &rr->history[i];

		if (h->year == rr->year - 1)
			last[h->practice] = h;
		if (h->year >= t->first_year && h->year < rr->year && h->has_registered &&
		    (!first[h->practice] || h->year < first[h->practice]->year))
			first[h->practice] = h;
	}
	/* funding per weighted patient last year */
	for (size_t i = 0; i < np; i++) {
		const struct rr_practice *p = &rr->practices[i];
		int64_t w = 0, paid = 0;

		t->per_weighted[i] = nan("");
		if (!p->in_budget || !last[i])
			continue;
		if (last[i]->has_weighted) {
			w = last[i]->weighted;
		} else {
			w = p->weighted;	/* the history has no list: the budget year's */
			from_budget_list[i] = true;
		}
		for (int k = 0; k < N_CATS; k++)
			paid += last[i]->paid[k];
		if (w > 0)
			t->per_weighted[i] = (double)runreport_per_head(paid, w, WEIGHTED_DECIMALS) /
					     100.0;
	}
	/* Tukey's fences per CCG */
	for (size_t c = 0; c < nc; c++) {
		size_t n = 0;

		for (size_t i = 0; i < np; i++)
			if (rr->practices[i].ccg == c && isfinite(t->per_weighted[i])) {
				idx[n] = i;
				vals[n++] = t->per_weighted[i];
			}
		t->n_outliers += runreport_tukey(vals, n, rr->outlier_k, &t->median[c],
						 &t->fence_lo[c], &t->fence_hi[c], lo, hi);
		for (size_t k = 0; k < n; k++) {
			t->is_low[idx[k]] = lo[k];
			t->is_high[idx[k]] = hi[k];
		}
	}
	for (size_t i = 0; i < np; i++) {
		const struct rr_practice *p = &rr->practices[i];

		wl[i] = p->weighted;
		if (p->in_budget && p->total > 0 && p->mpig > 0 &&
		    (i128)p->mpig * 1000000 >= (i128)rr->mpig_dependency_ppm * p->total) {
			t->mpig_dependent[i] = true;
			t->n_mpig_dependent++;
		}
	}
	wdec = runreport_fixed_decimals(wl, np, WEIGHTED_DECIMALS);

	tab = rtable_new("practices", "Practices: lists, funding per weighted patient, MPIG and PMS premium");
	c_ccg = rtable_add_col(tab, "ccg_code", "CCG", RCOL_CODE, 0);
	c_code = rtable_add_col(tab, "practice_code", "Practice", RCOL_CODE, 0);
	c_name = rtable_add_col(tab, "practice_name", "Name", RCOL_TEXT, 0);
	c_type = rtable_add_col(tab, "contract_type", "Contract", RCOL_CODE, 0);
	c_reg = rtable_add_col(tab, "registered_list", "Registered list", RCOL_INT, 0);
	c_w = rtable_add_col(tab, "weighted_list", "Weighted list", RCOL_FIXED, wdec);
	c_growth = rtable_add_col(tab, "list_growth_percent", "List growth % a year", RCOL_PERCENT, 2);
	c_total = rtable_add_col(tab, "budget", "Budget", RCOL_MONEY, 0);
	c_bpw = rtable_add_col(tab, "budget_per_weighted_patient", "Budget £ per weighted patient",
			       RCOL_MONEY, 0);
	c_paid = rtable_add_col(tab, "paid_last_year", "Paid last year", RCOL_MONEY, 0);
	c_ppw = rtable_add_col(tab, "paid_per_weighted_patient", "Paid £ per weighted patient",
			       RCOL_MONEY, 0);
	c_basis = rtable_add_col(tab, "list_basis", "List used", RCOL_CODE, 0);
	c_med = rtable_add_col(tab, "ccg_median_per_weighted_patient", "CCG median £",
			       RCOL_MONEY, 0);
	c_flag = rtable_add_col(tab, "outlier", "Stands out", RCOL_CODE, 0);
	c_mpig = rtable_add_col(tab, "mpig", "MPIG", RCOL_MONEY, 0);
	c_mpigs = rtable_add_col(tab, "mpig_share", "MPIG share of budget", RCOL_PERCENT, 1);
	c_dep = rtable_add_col(tab, "mpig_dependent", "MPIG-dependent", RCOL_CODE, 0);
	c_prem = rtable_add_col(tab, "pms_premium", "PMS premium", RCOL_MONEY, 0);
	c_rel = rtable_add_col(tab, "pms_premium_released", "Released by the budget year",
			       RCOL_MONEY, 0);
	c_rem = rtable_add_col(tab, "pms_premium_remaining", "Still to release", RCOL_MONEY, 0);

	out = rtable_new("outliers", "Practices that stand out: funding per weighted patient last year");
	o_ccg = rtable_add_col(out, "ccg_code", "CCG", RCOL_CODE, 0);
	o_code = rtable_add_col(out, "practice_code", "Practice", RCOL_CODE, 0);
	o_name = rtable_add_col(out, "practice_name", "Name", RCOL_TEXT, 0);
	o_val = rtable_add_col(out, "paid_per_weighted_patient", "£ per weighted patient",
			       RCOL_MONEY, 0);
	o_med = rtable_add_col(out, "ccg_median", "CCG median", RCOL_MONEY, 0);
	o_lo = rtable_add_col(out, "fence_low", "Lower fence", RCOL_MONEY, 0);
	o_hi = rtable_add_col(out, "fence_high", "Upper fence", RCOL_MONEY, 0);
	o_dir = rtable_add_col(out, "direction", "Direction", RCOL_CODE, 0);
	o_ratio = rtable_add_col(out, "ratio_to_median", "Ratio to the median", RCOL_PERCENT, 1);

	for (size_t c = 0; c < nc; c++) {
		for (size_t i = 0; i < np; i++) {
			const struct rr_practice *p = &rr->practices[i];
			size_t r;
			int64_t v;

			if (p->ccg != c)
				continue;
			r = rtable_add_row(tab);
			rtable_set_text(tab, r, c_ccg, rr->ccgs[c].code);
			rtable_set_text(tab, r, c_code, p->code);
			rtable_set_text(tab, r, c_name, p->name);
			rtable_set_text(tab, r, c_type, p->contract_type);
			rtable_set_int(tab, r, c_reg, p->registered);
			rtable_set_fixed(tab, r, c_w, runreport_rescale(p->weighted, WEIGHTED_DECIMALS, wdec));
			if (first[i] && first[i]->registered > 0 && p->registered > 0 && p->in_budget)
				rtable_set_percent(tab, r, c_growth,
						   pow((double)p->registered / (double)first[i]->registered,
						       1.0 / (double)(rr->year - first[i]->year)) - 1.0);
			if (p->in_budget) {
				rtable_set_money(tab, r, c_total, p->total);
				if (p->weighted > 0)
					rtable_set_money(tab, r, c_bpw,
							 runreport_per_head(p->total, p->weighted,
									    WEIGHTED_DECIMALS));
			}
			if (last[i]) {
				int64_t paid = 0;

				for (int k = 0; k < N_CATS; k++)
					paid += last[i]->paid[k];
				rtable_set_money(tab, r, c_paid, paid);
			}
			if (isfinite(t->per_weighted[i])) {
				money_from_double(t->per_weighted[i], &v);
				rtable_set_money(tab, r, c_ppw, v);
				rtable_set_text(tab, r, c_basis, from_budget_list[i] ?
						"budget_year_list" : "last_year_list");
				if (isfinite(t->median[c]) && money_from_double(t->median[c], &v) == 0)
					rtable_set_money(tab, r, c_med, v);
				rtable_set_text(tab, r, c_flag, t->is_high[i] ? "high" :
						t->is_low[i] ? "low" : "no");
			}
			if (p->in_budget) {
				rtable_set_money(tab, r, c_mpig, p->mpig);
				if (p->total > 0)
					rtable_set_percent(tab, r, c_mpigs,
							   (double)p->mpig / (double)p->total);
				rtable_set_text(tab, r, c_dep, t->mpig_dependent[i] ? "yes" : "no");
			}
			if (p->pms_premium > 0) {
				rtable_set_money(tab, r, c_prem, p->pms_premium);
				rtable_set_money(tab, r, c_rel, p->pms_released);
				rtable_set_money(tab, r, c_rem, p->pms_premium - p->pms_released);
			}
			if (t->is_low[i] || t->is_high[i]) {
				size_t o = rtable_add_row(out);

				rtable_set_text(out, o, o_ccg, rr->ccgs[c].code);
				rtable_set_text(out, o, o_code, p->code);
				rtable_set_text(out, o, o_name, p->name);
				if (money_from_double(t->per_weighted[i], &v) == 0)
					rtable_set_money(out, o, o_val, v);
				if (money_from_double(t->median[c], &v) == 0)
					rtable_set_money(out, o, o_med, v);
				if (money_from_double(t->fence_lo[c], &v) == 0)
					rtable_set_money(out, o, o_lo, v);
				if (money_from_double(t->fence_hi[c], &v) == 0)
					rtable_set_money(out, o, o_hi, v);
				rtable_set_text(out, o, o_dir, t->is_high[i] ? "above" : "below");
				if (t->median[c] > 0)
					rtable_set_percent(out, o, o_ratio,
							   t->per_weighted[i] / t->median[c]);
			}
		}
	}
	{
		char note[512], share[MONEY_BUFSZ];

		snprintf(note, sizeof(note),
			 "Funding per weighted patient: the five categories paid last year "
			 "divided by the practice's weighted list that year (the budget year's "
			 "list where the history has none, column list_basis). A practice stands "
			 "out when it lies beyond Tukey's fences of its CCG, Q1 - %g IQR and "
			 "Q3 + %g IQR (quartiles of type 7, as R's default), computed over the "
			 "CCG's practices in the budget with a history row for last year "
			 "(at least 4).", rr->outlier_k, rr->outlier_k);
		rtable_set_note(out, note);
		snprintf(note, sizeof(note),
			 "List growth: compound yearly growth of the registered list from the "
			 "first reviewed year with a list to the budget year. MPIG-dependent: the "
			 "MPIG correction factor (phased out by 2020/21) is at least %s%% of the "
			 "practice's budget. PMS premium: the premium over the GMS equivalent "
			 "(budget-year prices), what the review has released by the budget year, "
			 "and what is still to be released.",
			 fixed_format(rr->mpig_dependency_ppm, 4, share));
		rtable_set_note(tab, note);
	}
	free(last);
	free(first);
	free(wl);
	free(vals);
	free(idx);
	free(lo);
	free(hi);
	free(from_budget_list);
	t->practices = tab;
	t->outliers = out;
}

/* ------------------------------------------------------------------ */
/* contracts ending within 12 and 24 months                             */

void rr_build_contracts(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *tab = rtable_new("contracts_ending", "Contracts ending soon");
	size_t c_ccg = rtable_add_col(tab, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_code = rtable_add_col(tab, "practice_code", "Practice", RCOL_CODE, 0);
	size_t c_name = rtable_add_col(tab, "practice_name", "Name", RCOL_TEXT, 0);
	size_t c_id = rtable_add_col(tab, "contract_id", "Contract", RCOL_CODE, 0);
	size_t c_type = rtable_add_col(tab, "contract_type", "Type", RCOL_CODE, 0);
	size_t c_end = rtable_add_col(tab, "end_date", "Ends", RCOL_DATE, 0);
	size_t c_months = rtable_add_col(tab, "months_from_year_start", "Months from 1 April",
					 RCOL_INT, 0);
	size_t c_within = rtable_add_col(tab, "ends_within_months", "Ends within (months)",
					 RCOL_INT, 0);
	size_t c_value = rtable_add_col(tab, "annual_value", "Annual value", RCOL_MONEY, 0);
	char note[256];

	for (size_t c = 0; c < rr->n_ccgs; c++) {
		for (size_t k = 0; k < rr->n_contracts; k++) {
			const struct rr_contract *co = &rr->contracts[k];
			const struct rr_practice *p = &rr->practices[co->practice];
			int m = runreport_months_to_end(rr->year, co->end);
			size_t r;

			if (p->ccg != c || !p->in_budget || m > rr->contract_warning_months || m < 1)
				continue;
			r = rtable_add_row(tab);
			rtable_set_text(tab, r, c_ccg, rr->ccgs[c].code);
			rtable_set_text(tab, r, c_code, p->code);
			rtable_set_text(tab, r, c_name, p->name);
			rtable_set_text(tab, r, c_id, co->id);
			rtable_set_text(tab, r, c_type, co->type);
			rtable_set_date(tab, r, c_end, co->end);
			rtable_set_int(tab, r, c_months, m);
			rtable_set_int(tab, r, c_within, m <= rr->contract_soon_months ?
				       rr->contract_soon_months : rr->contract_warning_months);
			rtable_set_money(tab, r, c_value, co->annual_value);
			t->n_ending++;
			t->n_ending_soon += m <= rr->contract_soon_months;
		}
	}
	snprintf(note, sizeof(note),
		 "Contracts of practices in the budget whose end date falls within %d months "
		 "of 1 April of the budget year (those within %d months are flagged as "
		 "warnings): re-procurement or renewal falls in the planning horizon.",
		 rr->contract_warning_months, rr->contract_soon_months);
	rtable_set_note(tab, note);
	t->contracts = tab;
}

/* ------------------------------------------------------------------ */
/* parameters                                                           */

void rr_build_parameters(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *tab = rtable_new("parameters", "Parameters used");
	size_t c_sec = rtable_add_col(tab, "section", "Section", RCOL_CODE, 0);
	size_t c_key = rtable_add_col(tab, "key", "Key", RCOL_CODE, 0);
	size_t c_val = rtable_add_col(tab, "value", "Value", RCOL_TEXT, 0);
	size_t c_origin = rtable_add_col(tab, "origin", "Origin", RCOL_TEXT, 0);
	size_t c_src = rtable_add_col(tab, "source", "Source of the default", RCOL_TEXT, 0);

	for (size_t i = 0; i < rr->n_params; i++) {
		const struct report_param *p = &rr->params[i];
		size_t r = rtable_add_row(tab);

		rtable_set_text(tab, r, c_sec, p->section);
		rtable_set_text(tab, r, c_key, p->key);
		rtable_set_text(tab, r, c_val, p->value);
		rtable_set_text(tab, r, c_origin, p->origin);
		rtable_set_text(tab, r, c_src, p->source);
	}
	rtable_set_note(tab, "Origin: the parameter file and line the value was read from, "
		       "\"default\" for a built-in default, or the command-line option that set it. "
		       "Sources: [V] published, [D] computed from the NHS Payments data, "
		       "[A] assumption.");
	t->parameters = tab;
}

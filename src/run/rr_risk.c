/*
 * rr_risk.c - the forward-looking half of a run report: trend
 * projections with their in-sample check, the Monte Carlo of the budget
 * year with its tornado and scenarios, and the headline summary table.
 *
 * Part of the run report (runreport.h), after the history review
 * (rr_review.c) has filled the yearly series.  The statistics are
 * doubles (trend.h, mc.h); every amount goes back to pence through
 * money_from_double() before it reaches a table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "diag.h"
#include "money.h"
#include "rr_internal.h"
#include "runreport.h"
#include "xalloc.h"

/* Pence (a double) to a money cell; a non-finite value leaves it empty. */
static void set_pence(struct rtable *t, size_t r, size_t c, double pence)
{
	int64_t v;

	if (isfinite(pence) && money_from_double(pence / 100.0, &v) == 0)
		rtable_set_money(t, r, c, v);
}

/* A fraction to a FIXED cell with 4 decimals (0.1234). */
static void set_fraction4(struct rtable *t, size_t r, size_t c, double x)
{
	if (isfinite(x))
		rtable_set_fixed(t, r, c, (int64_t)llround(x * 10000.0));
}

static const char *cat_name(size_t k)
{
	return k < N_CATS ? category_names[k] : "total";
}

static const char *ccg_code(const struct runreport *rr, size_t c)
{
	return c < rr->n_ccgs ? rr->ccgs[c].code : "TOTAL";
}

/* ------------------------------------------------------------------ */
/* projections and the trend's in-sample check                          */

void rr_build_projections(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *p = rtable_new("projections", "Projected spend by CCG and category");
	struct rtable *k = rtable_new("trend_check", "The trend's in-sample check");
	size_t p_ccg = rtable_add_col(p, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t p_cat = rtable_add_col(p, "category", "Category", RCOL_CODE, 0);
	size_t p_year = rtable_add_col(p, "year", "Year", RCOL_CODE, 0);
	size_t p_h = rtable_add_col(p, "years_ahead", "Years ahead", RCOL_INT, 0);
	size_t p_n = rtable_add_col(p, "points", "Years fitted", RCOL_INT, 0);
	size_t p_y = rtable_add_col(p, "projection", "Projection", RCOL_MONEY, 0);
	size_t p_lo80 = rtable_add_col(p, "lo80", "80% low", RCOL_MONEY, 0);
	size_t p_hi80 = rtable_add_col(p, "hi80", "80% high", RCOL_MONEY, 0);
	size_t p_lo95 = rtable_add_col(p, "lo95", "95% low", RCOL_MONEY, 0);
	size_t p_hi95 = rtable_add_col(p, "hi95", "95% high", RCOL_MONEY, 0);
	size_t p_alloc = rtable_add_col(p, "allocation", "Allocation", RCOL_MONEY, 0);
	size_t p_flag = rtable_add_col(p, "flag", "Flag", RCOL_TEXT, 0);
	size_t k_ccg = rtable_add_col(k, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t k_cat = rtable_add_col(k, "category", "Category", RCOL_CODE, 0);
	size_t k_first = rtable_add_col(k, "first_year", "From", RCOL_CODE, 0);
	size_t k_last = rtable_add_col(k, "last_year", "To", RCOL_CODE, 0);
	size_t k_n = rtable_add_col(k, "points", "Years fitted", RCOL_INT, 0);
	size_t k_slope = rtable_add_col(k, "slope_per_year", "Trend per year", RCOL_MONEY, 0);
	size_t k_sd = rtable_add_col(k, "residual_sd", "Residual sd", RCOL_MONEY, 0);
	size_t k_mape = rtable_add_col(k, "in_sample_mape", "Mean absolute % error in sample",
				       RCOL_PERCENT, 2);
	size_t k_flag = rtable_add_col(k, "flag", "Flag", RCOL_TEXT, 0);

	for (size_t c = 0; c <= rr->n_ccgs; c++) {
		bool shown = c < rr->n_ccgs || rr->n_ccgs >= 2;

		for (size_t cat = 0; cat <= N_CATS; cat++) {
			struct rr_series *s = &t->series[c * (N_CATS + 1) + cat];
			double x[RR_MAX_YEARS];
			const char *flag;
			char fy[DATE_BUFSZ];
			size_t r;

			for (size_t i = 0; i < s->n; i++)
				x[i] = s->year[i];
			memset(&s->proj, 0, sizeof(s->proj));
			trend_project(x, s->value, s->n, TREND_MAX_AHEAD, &s->proj);
			if (!shown)
				continue;
			flag = trend_flag_reason(s->proj.fit.flags);
			for (unsigned h = 1; h <= TREND_MAX_AHEAD; h++) {
				const struct trend_forecast *f = &s->proj.ahead[h - 1];
				int year = rr->year + (int)h;

				r = rtable_add_row(p);
				if (cat == N_CATS)
					rtable_set_row_flags(p, r, RROW_TOTAL);
				rtable_set_text(p, r, p_ccg, ccg_code(rr, c));
				rtable_set_text(p, r, p_cat, cat_name(cat));
				rtable_set_text(p, r, p_year, rr_fy(year, fy));
				rtable_set_int(p, r, p_h, h);
				rtable_set_int(p, r, p_n, (int64_t)s->n);
				if (s->proj.n_ahead >= h) {
					set_pence(p, r, p_y, f->yhat);
					set_pence(p, r, p_lo80, f->lo80);
					set_pence(p, r, p_hi80, f->hi80);
					set_pence(p, r, p_lo95, f->lo95);
					set_pence(p, r, p_hi95, f->hi95);
				}
				if (cat == N_CATS) {
					bool known = true;
					int64_t a = 0;

					for (size_t g = 0; g < rr->n_ccgs; g++) {
						if (c < rr->n_ccgs && g != c)
							continue;
						known &= rr->ccgs[g].has_allocation_ahead[h - 1];
						a += rr->ccgs[g].allocation_ahead[h - 1];
					}
					if (known)
						rtable_set_money(p, r, p_alloc, a);
				}
				if (*flag)
					rtable_set_text(p, r, p_flag, flag);
			}
			r = rtable_add_row(k);
			if (cat == N_CATS)
				rtable_set_row_flags(k, r, RROW_TOTAL);
			rtable_set_text(k, r, k_ccg, ccg_code(rr, c));
			rtable_set_text(k, r, k_cat, cat_name(cat));
			if (s->n) {
				rtable_set_text(k, r, k_first, rr_fy(s->year[0], fy));
				rtable_set_text(k, r, k_last, rr_fy(s->year[s->n - 1], fy));
			}
			rtable_set_int(k, r, k_n, (int64_t)s->n);
			if (s->proj.n_ahead) {
				const struct trend_fit *fit = &s->proj.fit;
				double sum = 0.0;
				size_t n_pct = 0;

				set_pence(k, r, k_slope, fit->slope);
				set_pence(k, r, k_sd, sqrt(fit->s2));
				for (size_t i = 0; i < s->n; i++) {
					double fitted = fit->intercept + fit->slope * (x[i] - fit->x_mean);

					if (fabs(s->value[i]) > 0.0) {
						sum += fabs(s->value[i] - fitted) / fabs(s->value[i]);
						n_pct++;
					}
				}
				if (n_pct)
					rtable_set_percent(k, r, k_mape, sum / (double)n_pct);
			}
			if (*flag)
				rtable_set_text(k, r, k_flag, flag);
		}
	}
	{
		char note[600];

		snprintf(note, sizeof(note),
			 "A straight line fitted by least squares to the reviewed years' "
			 "payments and the budget year (%u years at most), projected 1 to %d years "
			 "beyond the budget year, with 80%% and 95%% prediction intervals "
			 "(Student t, n - 2 degrees of freedom); a falling line's interval can "
			 "reach below zero. Fewer than 3 years are not projected; exactly 3 give "
			 "very wide intervals; the flag says so. "
			 "Allocation: the total rows' allocation where known%s%s.",
			 rr->history_years + 1, TREND_MAX_AHEAD,
			 rr->allocation_ahead_note ? "; " : "",
			 rr->allocation_ahead_note ? rr->allocation_ahead_note : "");
		rtable_set_note(p, note);
	}
	rtable_set_note(k, "How well the straight line fits the years it was fitted to: the "
		       "slope, the residual standard deviation, and the mean absolute percentage "
		       "gap between the line and each year. An in-sample check only: it says "
		       "nothing about years the line has not seen (that is the backtest's job).");
	t->projections = p;
	t->trend_check = k;
}

/* ------------------------------------------------------------------ */
/* Monte Carlo, tornado, scenarios                                      */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct mc_summary *summary_of(const struct mc_result *res, size_t g)
{
	return g < res->n_groups ? &res->groups[g] : &res->total;
}

struct tornado_row {
	enum mc_driver driver;
	int64_t swing;
};

static int cmp_tornado(const void *a, const void *b)
{
	const struct tornado_row *x = a, *y = b;

	if (x->swing != y->swing)
		return x->swing > y->swing ? -1 : 1;
	return (int)x->driver - (int)y->driver;
}

enum status rr_build_risk(const struct runreport *rr, struct rr_tables *t)
{
	const struct mc_model *m = rr->model;
	struct rtable *risk, *tor, *sc;
	size_t r_ccg, r_alloc, r_p5, r_p50, r_p80, r_p95, r_mean, r_pa, r_pc, r_pcr, r_es;
	size_t s_ccg, s_alloc, s_cols[RISK_N_SCENARIOS][5];
	size_t t_ccg, t_drv, t_unit, t_lo, t_hi, t_slo, t_sb, t_shi, t_sw;
	enum status st = ST_OK;
	double t0;

	if (!m || m->n_groups != rr->n_ccgs)
		BUG("run report: the risk model has %zu groups for %zu CCGs",
		    m ? m->n_groups : 0, rr->n_ccgs);
	diag_info("Monte Carlo: %zu iterations of the budget year, 3 scenarios, seed %llu",
		  rr->mc.iterations, (unsigned long long)rr->mc.seed);
	t0 = now_seconds();
	for (int s = 0; s < RISK_N_SCENARIOS && st == ST_OK; s++)
		st = mc_run(m, &rr->scenarios[s], &rr->mc, &t->mc[s]);
	t->mc_seconds = now_seconds() - t0;
	if (st != ST_OK)
		return st;
	diag_info("Monte Carlo done in %.2f s on %d thread%s", t->mc_seconds, t->mc[0].threads,
		  t->mc[0].threads == 1 ? "" : "s");
	st = mc_tornado(m, &rr->scenarios[RISK_BASE], &t->tornado_result);
	if (st != ST_OK)
		return st;

	risk = rtable_new("risk_by_ccg", "Simulated spend in the budget year against the allocation");
	r_ccg = rtable_add_col(risk, "ccg_code", "CCG", RCOL_CODE, 0);
	r_alloc = rtable_add_col(risk, "allocation", "Allocation", RCOL_MONEY, 0);
	r_p5 = rtable_add_col(risk, "p5", "P5", RCOL_MONEY, 0);
	r_p50 = rtable_add_col(risk, "p50", "P50", RCOL_MONEY, 0);
	r_p80 = rtable_add_col(risk, "p80", "P80", RCOL_MONEY, 0);
	r_p95 = rtable_add_col(risk, "p95", "P95", RCOL_MONEY, 0);
	r_mean = rtable_add_col(risk, "mean", "Mean", RCOL_MONEY, 0);
	r_pa = rtable_add_col(risk, "prob_over_allocation", "P(spend > allocation)", RCOL_FIXED, 4);
	r_pc = rtable_add_col(risk, "prob_over_contingency", "P(spend + contingency > allocation)",
			      RCOL_FIXED, 4);
	r_pcr = rtable_add_col(risk, "prob_over_contingency_and_reserve",
			       "P(spend + contingency + reserve > allocation)", RCOL_FIXED, 4);
	r_es = rtable_add_col(risk, "expected_shortfall", "Expected shortfall", RCOL_MONEY, 0);
	for (size_t g = 0; g <= m->n_groups; g++) {
		const struct mc_summary *s = summary_of(&t->mc[RISK_BASE], g);
		size_t r = rtable_add_row(risk);

		if (g == m->n_groups)
			rtable_set_row_flags(risk, r, RROW_TOTAL);
		rtable_set_text(risk, r, r_ccg, ccg_code(rr, g));
		rtable_set_money(risk, r, r_alloc, s->allocation);
		rtable_set_money(risk, r, r_p5, s->p5);
		rtable_set_money(risk, r, r_p50, s->p50);
		rtable_set_money(risk, r, r_p80, s->p80);
		rtable_set_money(risk, r, r_p95, s->p95);
		rtable_set_money(risk, r, r_mean, s->mean);
		set_fraction4(risk, r, r_pa, s->prob_over_allocation);
		set_fraction4(risk, r, r_pc, s->prob_over_contingency);
		set_fraction4(risk, r, r_pcr, s->prob_over_contingency_and_reserve);
		rtable_set_money(risk, r, r_es, s->expected_shortfall);
	}
	rtable_set_note(risk, "Quantiles of simulated spend (type 7) and its mean; probabilities "
		       "as fractions: that the spend exceeds the allocation, that it exceeds the "
		       "allocation less the contingency (the contingency is drawn on), and less "
		       "the contingency and the reserve (the business rule fails). Expected "
		       "shortfall: the mean of max(0, spend - allocation) over all simulated years.");

	tor = rtable_new("tornado", "Risk drivers: spend with each driver at its 10th and 90th percentile");
	t_ccg = rtable_add_col(tor, "ccg_code", "CCG", RCOL_CODE, 0);
	t_drv = rtable_add_col(tor, "driver", "Driver", RCOL_CODE, 0);
	t_unit = rtable_add_col(tor, "unit", "Setting", RCOL_TEXT, 0);
	t_lo = rtable_add_col(tor, "low_value", "Low setting", RCOL_FIXED, 4);
	t_hi = rtable_add_col(tor, "high_value", "High setting", RCOL_FIXED, 4);
	t_slo = rtable_add_col(tor, "spend_low", "Spend at low", RCOL_MONEY, 0);
	t_sb = rtable_add_col(tor, "spend_base", "Spend at base", RCOL_MONEY, 0);
	t_shi = rtable_add_col(tor, "spend_high", "Spend at high", RCOL_MONEY, 0);
	t_sw = rtable_add_col(tor, "swing", "Swing", RCOL_MONEY, 0);
	/* the total block only when it differs from the one CCG */
	for (size_t g = 0; g <= m->n_groups && (g < m->n_groups || m->n_groups > 1); g++) {
		struct tornado_row rows[MC_N_DRIVERS];

		for (int d = 0; d < MC_N_DRIVERS; d++) {
			const struct mc_tornado_bar *b = &t->tornado_result.bars[d];
			int64_t sw = b->high[g] - b->low[g];

			rows[d] = (struct tornado_row){ b->driver, sw < 0 ? -sw : sw };
		}
		qsort(rows, MC_N_DRIVERS, sizeof(rows[0]), cmp_tornado);
		for (int d = 0; d < MC_N_DRIVERS; d++) {
			const struct mc_tornado_bar *b = &t->tornado_result.bars[rows[d].driver];
			size_t r = rtable_add_row(tor);

			rtable_set_text(tor, r, t_ccg, ccg_code(rr, g));
			rtable_set_text(tor, r, t_drv, mc_driver_name(b->driver));
			rtable_set_text(tor, r, t_unit, mc_driver_unit(b->driver));
			set_fraction4(tor, r, t_lo, b->low_value);
			set_fraction4(tor, r, t_hi, b->high_value);
			rtable_set_money(tor, r, t_slo, b->low[g]);
			rtable_set_money(tor, r, t_sb, t->tornado_result.base[g]);
			rtable_set_money(tor, r, t_shi, b->high[g]);
			rtable_set_money(tor, r, t_sw, rows[d].swing);
		}
	}
	rtable_set_note(tor, "Each driver in turn at the 10th and the 90th percentile of its "
		       "CCG-wide part, every other driver at its mean, no random draws "
		       "(docs/risk.md). Sorted by swing, widest first; a swing of 0 means the "
		       "budget has no money exposed to that driver.");

	sc = rtable_new("scenarios", "Scenarios side by side: base, optimistic, pessimistic");
	s_ccg = rtable_add_col(sc, "ccg_code", "CCG", RCOL_CODE, 0);
	s_alloc = rtable_add_col(sc, "allocation", "Allocation", RCOL_MONEY, 0);
	for (int s = 0; s < RISK_N_SCENARIOS; s++) {
		static const char *const what[] = { "mean", "p50", "p95", "prob_over_allocation",
						    "expected_shortfall" };
		static const char *const label[] = { "mean", "P50", "P95", "P(spend > allocation)",
						     "expected shortfall" };

		for (int k = 0; k < 5; k++) {
			char name[64], header[96];

			snprintf(name, sizeof(name), "%s_%s", risk_scenario_name((enum risk_scenario)s),
				 what[k]);
			snprintf(header, sizeof(header), "%s: %s",
				 risk_scenario_name((enum risk_scenario)s), label[k]);
			s_cols[s][k] = rtable_add_col(sc, name, header, k == 3 ? RCOL_FIXED : RCOL_MONEY,
						      k == 3 ? 4 : 0);
		}
	}
	for (size_t g = 0; g <= m->n_groups; g++) {
		size_t r = rtable_add_row(sc);

		if (g == m->n_groups)
			rtable_set_row_flags(sc, r, RROW_TOTAL);
		rtable_set_text(sc, r, s_ccg, ccg_code(rr, g));
		rtable_set_money(sc, r, s_alloc, summary_of(&t->mc[RISK_BASE], g)->allocation);
		for (int s = 0; s < RISK_N_SCENARIOS; s++) {
			const struct mc_summary *x = summary_of(&t->mc[s], g);

			rtable_set_money(sc, r, s_cols[s][0], x->mean);
			rtable_set_money(sc, r, s_cols[s][1], x->p50);
			rtable_set_money(sc, r, s_cols[s][2], x->p95);
			set_fraction4(sc, r, s_cols[s][3], x->prob_over_allocation);
			rtable_set_money(sc, r, s_cols[s][4], x->expected_shortfall);
		}
	}
	rtable_set_note(sc, "The same model and seed (common random numbers) with the central "
		       "values of [risk_optimistic] and [risk_pessimistic] in place of [risk]'s; "
		       "optimistic means less spend.");
	t->risk = risk;
	t->tornado = tor;
	t->scenarios = sc;
	return ST_OK;
}

/* ------------------------------------------------------------------ */
/* summary: the headline per CCG                                        */

void rr_build_summary(const struct runreport *rr, struct rr_tables *t)
{
	struct rtable *s = rtable_new("summary", "Headline by CCG");
	size_t c_ccg = rtable_add_col(s, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_name = rtable_add_col(s, "ccg_name", "Name", RCOL_TEXT, 0);
	size_t c_n = rtable_add_col(s, "practices", "Practices", RCOL_INT, 0);
	size_t c_alloc = rtable_add_col(s, "allocation", rr->allocation_notional ?
					"Allocation (notional)" : "Allocation", RCOL_MONEY, 0);
	size_t c_plan = rtable_add_col(s, "planned_spend", "Planned spend", RCOL_MONEY, 0);
	size_t c_cont = rtable_add_col(s, "contingency", "Contingency", RCOL_MONEY, 0);
	size_t c_res = rtable_add_col(s, "nonrecurrent_reserve", "Non-recurrent reserve",
				      RCOL_MONEY, 0);
	size_t c_head = rtable_add_col(s, "headroom", "Headroom", RCOL_MONEY, 0);
	size_t c_headp = rtable_add_col(s, "headroom_percent", "Headroom % of allocation",
					RCOL_PERCENT, 2);
	size_t c_mean = rtable_add_col(s, "mean_simulated_spend", "Mean simulated spend",
				       RCOL_MONEY, 0);
	size_t c_pa = rtable_add_col(s, "prob_over_allocation", "P(spend > allocation)",
				     RCOL_FIXED, 4);
	size_t c_pcr = rtable_add_col(s, "prob_over_contingency_and_reserve",
				      "P(spend + contingency + reserve > allocation)", RCOL_FIXED, 4);
	struct rr_ccg total;

	memset(&total, 0, sizeof(total));
	for (size_t c = 0; c < rr->n_ccgs; c++) {
		total.n_practices += rr->ccgs[c].n_practices;
		total.allocation += rr->ccgs[c].allocation;
		total.planned += rr->ccgs[c].planned;
		total.contingency += rr->ccgs[c].contingency;
		total.reserve += rr->ccgs[c].reserve;
		total.headroom += rr->ccgs[c].headroom;
	}
	for (size_t c = 0; c <= rr->n_ccgs; c++) {
		const struct rr_ccg *cc = c < rr->n_ccgs ? &rr->ccgs[c] : &total;
		const struct mc_summary *ms = summary_of(&t->mc[RISK_BASE], c);
		size_t r = rtable_add_row(s);

		if (c == rr->n_ccgs)
			rtable_set_row_flags(s, r, RROW_TOTAL);
		rtable_set_text(s, r, c_ccg, ccg_code(rr, c));
		rtable_set_text(s, r, c_name, c < rr->n_ccgs ? cc->name : "all CCGs in the report");
		rtable_set_int(s, r, c_n, (int64_t)cc->n_practices);
		rtable_set_money(s, r, c_alloc, cc->allocation);
		rtable_set_money(s, r, c_plan, cc->planned);
		rtable_set_money(s, r, c_cont, cc->contingency);
		rtable_set_money(s, r, c_res, cc->reserve);
		rtable_set_money(s, r, c_head, cc->headroom);
		if (cc->allocation > 0)
			rtable_set_percent(s, r, c_headp,
					   (double)cc->headroom / (double)cc->allocation);
		rtable_set_money(s, r, c_mean, ms->mean);
		set_fraction4(s, r, c_pa, ms->prob_over_allocation);
		set_fraction4(s, r, c_pcr, ms->prob_over_contingency_and_reserve);
	}
	rtable_set_note(s, rr->allocation_notional ?
		       "The allocation is notional: no published allocation was given (see the "
		       "budget table). Headroom = allocation - planned spend - contingency - "
		       "non-recurrent reserve (methodology §2.6). Simulated spend and "
		       "probabilities: the Monte Carlo's base scenario (risk_by_ccg)." :
		       "Headroom = allocation - planned spend - contingency - non-recurrent "
		       "reserve (methodology §2.6). Simulated spend and probabilities: the Monte "
		       "Carlo's base scenario (risk_by_ccg).");
	t->summary = s;
}

/* ------------------------------------------------------------------ */

enum status runreport_tables_build(const struct runreport *rr, struct rr_tables *t)
{
	enum status st;

	memset(t, 0, sizeof(*t));
	t->series = xcalloc((rr->n_ccgs + 1) * (N_CATS + 1), sizeof(*t->series));
	diag_info("history review: %u year%s before %d/%02d", rr->history_years,
		  rr->history_years == 1 ? "" : "s", rr->year, (rr->year + 1) % 100);
	rr_build_history(rr, t);
	rr_build_categories(rr, t);
	rr_build_practices(rr, t);
	rr_build_contracts(rr, t);
	diag_info("projections: %d years ahead", TREND_MAX_AHEAD);
	rr_build_projections(rr, t);
	st = rr_build_risk(rr, t);
	if (st != ST_OK)
		return st;
	rr_build_summary(rr, t);
	rr_build_parameters(rr, t);
	return ST_OK;
}

void runreport_tables_release(struct rr_tables *t)
{
	struct rtable *all[] = { t->summary, t->categories, t->history, t->practices, t->outliers,
				 t->contracts, t->projections, t->risk, t->tornado, t->scenarios,
				 t->trend_check, t->parameters };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		rtable_free(all[i]);
	for (int s = 0; s < RISK_N_SCENARIOS; s++)
		mc_result_release(&t->mc[s]);
	mc_tornado_release(&t->tornado_result);
	free(t->series);
	free(t->per_weighted);
	free(t->is_low);
	free(t->is_high);
	free(t->mpig_dependent);
	free(t->median);
	free(t->fence_lo);
	free(t->fence_hi);
	memset(t, 0, sizeof(*t));
}

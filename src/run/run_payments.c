/*
 * run_payments.c - payments mode of "pcbudget run" described for the run
 * report: the payments-only budget of every CCG (pbudget.c), the
 * practice-year history of the files read, the budget and backtest
 * tables, the parameters and inputs, and the risk model built from
 * pbudget's split of each practice's budget.
 *
 * Between the payments-only budget (pbudget.c) and the run report
 * (runreport.c); see run_payments.h for the mapping onto the risk
 * drivers.  No file is read here; all money stays in pence.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"
#include "risk_params.h"
#include "run_payments.h"
#include "sbuf.h"
#include "strmap.h"
#include "xalloc.h"

#define keepf(owner, ...) strlist_keepf(&(owner)->strings, __VA_ARGS__)

static void note(struct run_payments *rp, enum report_severity sev, const char *text)
{
	ALLOC_GROW(rp->notes, rp->n_notes + 1, rp->alloc_notes);
	rp->notes[rp->n_notes++] = (struct rr_note){ sev, text };
}

__extension__ typedef __int128 i128;

/* v * num / den, rounded half away from zero; den > 0. */
static int64_t scale(int64_t v, int64_t num, int64_t den)
{
	i128 x = (i128)v * num, q;
	int neg = x < 0;

	if (neg)
		x = -x;
	q = (2 * x + den) / (2 * (i128)den);
	return (int64_t)(neg ? -q : q);
}

static const char *fy(struct run_payments *rp, int year)
{
	char buf[8];

	pay_year_label(year, buf);
	return keepf(rp, "%s", buf);
}

/* ------------------------------------------------------------------ */
/* parameters                                                           */

static void add_param(struct run_payments *rp, const char *section, const char *key,
		      const char *value, const char *origin, const char *source)
{
	ALLOC_GROW(rp->params, rp->n_params + 1, rp->alloc_params);
	rp->params[rp->n_params++] = (struct report_param){ section, key, value, origin, source };
}

static void describe(struct run_payments *rp, const char *section, const char *key)
{
	struct param_origin o;
	const char *src;

	if (!params_describe(&rp->p, section, key, &o)) {
		add_param(rp, section, key, NULL, "not set",
			  o.spec && o.spec->source && *o.spec->source ? o.spec->source : NULL);
		return;
	}
	src = o.spec && o.spec->source && *o.spec->source ? o.spec->source : NULL;
	if (o.from_file)
		add_param(rp, section, key, o.text, keepf(rp, "%s:%lu", rp->p.path, o.line), src);
	else
		add_param(rp, section, key, o.text, "default", src);
}

static void override(struct run_payments *rp, const char *section, const char *key,
		     const char *value, const char *origin)
{
	for (size_t i = 0; i < rp->n_params; i++) {
		struct report_param *q = &rp->params[i];

		if (!strcmp(q->section, section) && !strcmp(q->key, key)) {
			q->value = value;
			q->origin = origin;
			return;
		}
	}
	add_param(rp, section, key, value, origin, NULL);
}

static const char *pence(struct run_payments *rp, int64_t v)
{
	char buf[MONEY_BUFSZ];

	return keepf(rp, "%s", money_format(v, buf));
}

static const char *ppm(struct run_payments *rp, int64_t v)
{
	char buf[MONEY_BUFSZ];

	return keepf(rp, "%s%%", fixed_format(v, 4, buf));
}

static void list_params(struct run_payments *rp, const struct pb_result *r,
			const struct pb_params *pp)
{
	static const char builtin[] = "built in (pbudget.c)";
	const char *sec;

	for (int y = r->year - 1; y <= r->year; y++) {
		const struct pb_year_params *py = pb_year(pp, y);

		if (!py)
			continue;
		sec = fy(rp, y);
		add_param(rp, sec, "global_sum", pence(rp, py->global_sum), builtin, py->source);
		add_param(rp, sec, "out_of_hours_deduction", ppm(rp, py->ooh_ppm), builtin,
			  py->source);
		add_param(rp, sec, "qof_point_value", pence(rp, py->qof_point), builtin, py->source);
		add_param(rp, sec, "qof_average_list", keepf(rp, "%lld", (long long)py->average_list),
			  builtin, py->source);
		add_param(rp, sec, "national_allocation", pence(rp, py->allocation), builtin,
			  py->source);
	}
	for (size_t i = 0; i < pp->n_ended; i++)
		add_param(rp, "payments", keepf(rp, "ended: %s", pp->ended[i].header),
			  keepf(rp, "from %s", fy(rp, pp->ended[i].first_year)), builtin,
			  pp->ended[i].source);
	for (size_t i = 0; i < pp->n_rates; i++)
		add_param(rp, "payments", keepf(rp, "rate: %s", pp->rates[i].header),
			  keepf(rp, "%s -> %s from %s", pence(rp, pp->rates[i].from),
				pence(rp, pp->rates[i].to), fy(rp, pp->rates[i].year)),
			  builtin, pp->rates[i].source);
	add_param(rp, "payments", "arrears_share", ppm(rp, pp->arrears_ppm), builtin,
		  "an ended service's last quarter is paid in arrears [A]");
	add_param(rp, "payments", "contingency_rate", ppm(rp, pp->contingency_ppm), builtin,
		  "0.5% of the allocation [V] methodology §2.6");
	add_param(rp, "payments", "nonrecurrent_reserve_rate", ppm(rp, pp->reserve_ppm), builtin,
		  "1% of the allocation [V] methodology §2.6");
	add_param(rp, "payments", "mpig_base_year", fy(rp, pp->mpig_base_year), builtin,
		  "MPIG phased out in sevenths from 2014/15 [V] methodology §2.1");
	if (r->derived.have_before) {
		add_param(rp, "derived", "list_growth",
			  keepf(rp, "%lld / %lld", (long long)r->derived.list_now,
				(long long)r->derived.list_before),
			  "the payment files", "England's registered lists of the two years "
			  "before the budget year, 10^-9 patients [D]");
		add_param(rp, "derived", "pms_growth",
			  keepf(rp, "%lld / %lld", (long long)r->derived.pms_now,
				(long long)r->derived.pms_before),
			  "the payment files", "contract value of practices PMS in both years "
			  "before the budget year, pence [D]");
	} else {
		add_param(rp, "derived", "list_growth", "1", "the payment files",
			  "no year before the base year was read");
		add_param(rp, "derived", "pms_growth", "1", "the payment files",
			  "no year before the base year was read");
	}
	for (size_t i = 0; i < risk_n_param_specs; i++)
		describe(rp, risk_param_specs[i].section, risk_param_specs[i].key);
	for (size_t i = 0; i < runreport_n_param_specs; i++)
		describe(rp, runreport_param_specs[i].section, runreport_param_specs[i].key);
}


enum status run_payments_load_params(struct run_payments *rp,
				     const struct run_payments_options *opt)
{
	struct runreport *rr = &rp->rr;
	enum status st = ST_OK;
	int rc = 0;

	memset(rp, 0, sizeof(*rp));
	mc_model_init(&rp->model);
	params_init(&rp->p, risk_param_specs, risk_n_param_specs);
	params_add_specs(&rp->p, runreport_param_specs, runreport_n_param_specs);
	rp->have_p = true;
	if (opt->params_path) {
		st = params_load(&rp->p, opt->params_path);
		if (st != ST_OK)
			return st;
	}
	if (runreport_params_load(&rp->p, rr))
		rc = -1;
	if (risk_params_resolve(RISK_BASE, risk_params_from_file, &rp->p, &rr->scenarios[RISK_BASE])) {
		rc = -1;
	} else {
		for (int s = RISK_BASE + 1; s < RISK_N_SCENARIOS; s++)
			if (risk_params_resolve((enum risk_scenario)s, risk_params_from_file, &rp->p,
						&rr->scenarios[s]))
				rc = -1;
	}
	if (risk_config_resolve(risk_params_from_file, &rp->p, &rr->mc))
		rc = -1;
	return rc ? ST_CONFIG : ST_OK;
}

/* ------------------------------------------------------------------ */
/* the mode's own tables                                                */

static void build_budget(struct run_payments *rp, const struct pb_result *r)
{
	static const char *const cats[PB_N_CATS] = {
		"core_contract", "enhanced_services", "qof", "premises", "discretionary",
	};
	struct rtable *t = rtable_new("budget", "Budget by CCG from the payments (notional allocation)");
	int64_t *v = xcalloc(2 * (r->n + 1), sizeof(int64_t));
	size_t c_year, c_code, c_name, c_region, c_n, c_reg, c_w, c_cat[PB_N_CATS], c_tot, c_last,
	       c_alloc, c_basis, c_cont, c_res, c_head;
	unsigned dreg, dw;
	const char *year = fy(rp, r->year);

	for (size_t i = 0; i <= r->n; i++) {
		const struct pb_ccg *c = i < r->n ? &r->ccgs[i] : &r->england;

		v[i] = c->registered;
		v[r->n + 1 + i] = c->weighted;
	}
	dreg = runreport_fixed_decimals(v, r->n + 1, PAY_LIST_DECIMALS);
	dw = runreport_fixed_decimals(v + r->n + 1, r->n + 1, PAY_LIST_DECIMALS);
	free(v);
	c_year = rtable_add_col(t, "year", "Year", RCOL_CODE, 0);
	c_code = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	c_name = rtable_add_col(t, "ccg_name", "Name", RCOL_TEXT, 0);
	c_region = rtable_add_col(t, "region_code", "Region", RCOL_CODE, 0);
	c_n = rtable_add_col(t, "practices", "Practices", RCOL_INT, 0);
	c_reg = rtable_add_col(t, "registered_patients", "Registered patients", RCOL_FIXED, dreg);
	c_w = rtable_add_col(t, "weighted_patients", "Weighted patients", RCOL_FIXED, dw);
	for (size_t k = 0; k < PB_N_CATS; k++)
		c_cat[k] = rtable_add_col(t, cats[k], NULL, RCOL_MONEY, 0);
	c_tot = rtable_add_col(t, "budget_total", "Budget", RCOL_MONEY, 0);
	c_last = rtable_add_col(t, "last_year_actual", "Paid last year", RCOL_MONEY, 0);
	c_alloc = rtable_add_col(t, "allocation", "Allocation (notional)", RCOL_MONEY, 0);
	c_basis = rtable_add_col(t, "allocation_basis", "Allocation basis", RCOL_CODE, 0);
	c_cont = rtable_add_col(t, "contingency", "Contingency", RCOL_MONEY, 0);
	c_res = rtable_add_col(t, "non_recurrent_reserve", "Non-recurrent reserve", RCOL_MONEY, 0);
	c_head = rtable_add_col(t, "headroom", "Headroom", RCOL_MONEY, 0);
	for (size_t i = 0; i <= r->n; i++) {
		const struct pb_ccg *c = i < r->n ? &r->ccgs[i] : &r->england;
		size_t row = rtable_add_row(t);

		if (i == r->n)
			rtable_set_row_flags(t, row, RROW_TOTAL);
		rtable_set_text(t, row, c_year, year);
		rtable_set_text(t, row, c_code, c->code);
		rtable_set_text(t, row, c_name, c->name);
		if (c->region && *c->region)
			rtable_set_text(t, row, c_region, c->region);
		rtable_set_int(t, row, c_n, (int64_t)c->practices);
		rtable_set_fixed(t, row, c_reg, runreport_rescale(c->registered, PAY_LIST_DECIMALS, dreg));
		rtable_set_fixed(t, row, c_w, runreport_rescale(c->weighted, PAY_LIST_DECIMALS, dw));
		for (size_t k = 0; k < PB_N_CATS; k++)
			rtable_set_money(t, row, c_cat[k], c->budget[k]);
		rtable_set_money(t, row, c_tot, c->budget_total);
		rtable_set_money(t, row, c_last, c->last_year);
		rtable_set_money(t, row, c_alloc, c->allocation);
		rtable_set_text(t, row, c_basis, c->allocation_notional ? "notional" : "published");
		rtable_set_money(t, row, c_cont, c->contingency);
		rtable_set_money(t, row, c_res, c->reserve);
		rtable_set_money(t, row, c_head, c->headroom);
	}
	rtable_set_note(t, keepf(rp, "Every CCG of %s with its practices of that year; the last "
				 "row is England. allocation_basis 'notional': no published "
				 "allocation was read, so each CCG's allocation is its %s spend "
				 "on the five categories grown by the national primary medical care "
				 "allocation %s / %s (methodology §3). headroom = allocation - "
				 "budget_total - contingency - non_recurrent_reserve.",
				 fy(rp, r->year - 1), fy(rp, r->year - 1), year,
				 fy(rp, r->year - 1)));
	rp->budget = t;
}

static void build_by_practice(struct run_payments *rp, const struct pb_result *r)
{
	static const char *const cats[PB_N_CATS] = {
		"core_contract", "enhanced_services", "qof", "premises", "discretionary",
	};
	const struct pay_year *b = r->base;
	struct rtable *t = rtable_new("budget_by_practice", "Budget by practice from the payments");
	size_t c_code, c_name, c_ccg, c_type, c_cat[PB_N_CATS - 1], c_tot, c_mpig, c_ll, c_q,
	       c_es, c_fix;

	c_code = rtable_add_col(t, "practice_code", "Practice", RCOL_CODE, 0);
	c_name = rtable_add_col(t, "practice_name", "Name", RCOL_TEXT, 0);
	c_ccg = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	c_type = rtable_add_col(t, "contract_type", "Contract", RCOL_CODE, 0);
	for (size_t k = 0; k + 1 < PB_N_CATS; k++)
		c_cat[k] = rtable_add_col(t, cats[k], NULL, RCOL_MONEY, 0);
	c_tot = rtable_add_col(t, "total", "Total", RCOL_MONEY, 0);
	c_mpig = rtable_add_col(t, "of_which_mpig", "Of which MPIG", RCOL_MONEY, 0);
	c_ll = rtable_add_col(t, "risk_list_linked", "Moves with the list", RCOL_MONEY, 0);
	c_q = rtable_add_col(t, "risk_qof", "Moves with QOF", RCOL_MONEY, 0);
	c_es = rtable_add_col(t, "risk_es_activity", "Moves with activity", RCOL_MONEY, 0);
	c_fix = rtable_add_col(t, "risk_fixed", "Not risked", RCOL_MONEY, 0);
	for (size_t i = 0; i < r->n_practices; i++) {
		const struct pb_practice *x = &r->practices[i];
		const struct pay_practice *pr = &b->p[x->base];
		size_t row = rtable_add_row(t);

		rtable_set_text(t, row, c_code, pay_text(b, pr, PAY_PRACTICE_CODE));
		rtable_set_text(t, row, c_name, pay_text(b, pr, PAY_PRACTICE_NAME));
		rtable_set_text(t, row, c_ccg, r->ccgs[x->ccg].code);
		rtable_set_text(t, row, c_type, pay_contract_name((enum pay_contract)pr->contract));
		for (size_t k = 0; k + 1 < PB_N_CATS; k++)
			rtable_set_money(t, row, c_cat[k], x->budget[k]);
		rtable_set_money(t, row, c_tot, x->total);
		rtable_set_money(t, row, c_mpig, x->mpig);
		rtable_set_money(t, row, c_ll, x->list_linked);
		rtable_set_money(t, row, c_q, x->qof);
		rtable_set_money(t, row, c_es, x->es_activity);
		rtable_set_money(t, row, c_fix, x->fixed);
	}
	rtable_set_note(t, "Each practice of the base year, by its CCG then: the four categories "
		       "pbudget works out per practice (discretionary is apportioned to CCGs, "
		       "see the budget table), and the same total split by the risk driver that "
		       "moves it in the Monte Carlo.");
	rp->by_practice = t;
}

static void build_backtest(struct run_payments *rp, const struct pb_backtest *bt)
{
	struct rtable *t = rtable_new("backtest", "Backtest: the budget against what was paid");
	size_t c_code = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_act = rtable_add_col(t, "actual", "Paid", RCOL_MONEY, 0);
	size_t c_bud = rtable_add_col(t, "budget", "Budget", RCOL_MONEY, 0);
	size_t c_nai = rtable_add_col(t, "naive", "Same as last year", RCOL_MONEY, 0);
	size_t c_be = rtable_add_col(t, "budget_error_pct", "Budget error %", RCOL_FIXED, 4);
	size_t c_ne = rtable_add_col(t, "naive_error_pct", "Naive error %", RCOL_FIXED, 4);
	size_t row;

	for (size_t i = 0; i < bt->n; i++) {
		const struct pb_check *k = &bt->ccgs[i];

		row = rtable_add_row(t);
		rtable_set_text(t, row, c_code, k->code);
		rtable_set_money(t, row, c_act, k->actual);
		rtable_set_money(t, row, c_bud, k->budget);
		rtable_set_money(t, row, c_nai, k->naive);
		if (k->actual > 0) {
			rtable_set_fixed(t, row, c_be, k->budget_err_ppm);
			rtable_set_fixed(t, row, c_ne, k->naive_err_ppm);
		}
	}
	row = rtable_add_row(t);
	rtable_set_row_flags(t, row, RROW_TOTAL);
	rtable_set_text(t, row, c_code, "MAPE");
	rtable_set_fixed(t, row, c_be, llround(bt->mape_budget * 10000.0));
	rtable_set_fixed(t, row, c_ne, llround(bt->mape_naive * 10000.0));
	rtable_set_note(t, "Each practice paid in the budget year counts for its CCG in the base "
		       "year (or its own CCG code when it is new); errors are |budget - paid| / "
		       "paid in percent; MAPE is their mean over the CCGs with payments, beside "
		       "the naive 'same as last year' forecast.");
	rp->backtest = t;
}

/* ------------------------------------------------------------------ */
/* practices, history and the risk model                                */

static int64_t whole_patients(int64_t v)
{
	return (v + (v >= 0 ? 500000000 : -500000000)) / 1000000000;
}

static enum status build_practices(struct run_payments *rp, const struct pb_result *r,
				   const struct pay_year *years, size_t n)
{
	const struct pay_year *b = r->base;
	struct strmap codes, ccgs;
	size_t np = r->n_practices, alloc = np + 1, nh = 0, alloc_h = 0, lost = 0;
	int64_t lost_paid = 0;

	strmap_init(&codes, np + 1);
	strmap_init(&ccgs, r->n + 1);
	for (size_t c = 0; c < r->n; c++) {
		bool found;

		strmap_put(&ccgs, r->ccgs[c].code, c, &found);
	}
	rp->practices = xcalloc(alloc, sizeof(*rp->practices));
	for (size_t i = 0; i < np; i++) {
		const struct pb_practice *x = &r->practices[i];
		const struct pay_practice *pr = &b->p[x->base];
		struct rr_practice *q = &rp->practices[i];
		bool found;

		q->code = pay_text(b, pr, PAY_PRACTICE_CODE);
		q->name = pay_text(b, pr, PAY_PRACTICE_NAME);
		q->ccg = x->ccg;
		q->contract_type = pay_contract_name((enum pay_contract)pr->contract);
		q->in_budget = true;
		q->registered = whole_patients(pr->registered);
		q->weighted = pr->weighted;
		for (int k = 0; k < N_CATS; k++)
			q->budget[k] = x->budget[k];
		q->total = x->total;
		q->mpig = x->mpig;
		strmap_put(&codes, q->code, i, &found);
	}
	/* the years read, newest first: a closed practice takes its latest CCG */
	for (size_t y = n; y-- > 0;) {
		const struct pay_year *py = &years[y];

		if (py->start >= r->year)
			continue;
		for (size_t j = 0; j < py->n; j++) {
			const struct pay_practice *pr = &py->p[j];
			const char *code = pay_text(py, pr, PAY_PRACTICE_CODE);
			const size_t *k = strmap_get(&codes, code);
			struct rr_history *h;
			size_t idx;

			if (!k) {
				const size_t *c = strmap_get(&ccgs, pay_text(py, pr, PAY_CCG_CODE));
				struct rr_practice *q;
				bool found;

				if (!c) {
					lost++;
					for (size_t m = 0; m < PAY_N_BUDGET; m++)
						lost_paid += pr->m[m];
					continue;
				}
				ALLOC_GROW(rp->practices, np + 1, alloc);
				idx = np++;
				q = &rp->practices[idx];
				memset(q, 0, sizeof(*q));
				q->code = code;
				q->name = pay_text(py, pr, PAY_PRACTICE_NAME);
				q->ccg = *c;
				q->contract_type = pay_contract_name((enum pay_contract)pr->contract);
				q->registered = whole_patients(pr->registered);
				q->weighted = pr->weighted;
				strmap_put(&codes, code, idx, &found);
			} else {
				idx = *k;
			}
			ALLOC_GROW(rp->history, nh + 1, alloc_h);
			h = &rp->history[nh++];
			memset(h, 0, sizeof(*h));
			h->year = py->start;
			h->practice = idx;
			for (int m = 0; m < N_CATS; m++)
				h->paid[m] = pr->m[m];
			h->has_registered = h->has_weighted = true;
			h->registered = whole_patients(pr->registered);
			h->weighted = pr->weighted;
		}
	}
	rp->rr.practices = rp->practices;
	rp->rr.n_practices = np;
	rp->rr.history = rp->history;
	rp->rr.n_history = nh;
	if (np > r->n_practices)
		note(rp, REPORT_NOTE, keepf(rp, "%zu practice%s paid in earlier years but not in %s "
					    "(closed or merged) %s in the history review under "
					    "the CCG of their latest year, with no budget",
					    np - r->n_practices, np - r->n_practices == 1 ? "" : "s",
					    fy(rp, r->year - 1),
					    np - r->n_practices == 1 ? "is" : "are"));
	if (lost) {
		char a[MONEY_BUFSZ];

		note(rp, REPORT_WARNING, keepf(rp, "%zu practice-year%s of practices whose CCG "
					       "no longer exists in %s (%s paid) %s not in the "
					       "history review; the inputs' control totals count them",
					       lost, lost == 1 ? "" : "s", fy(rp, r->year - 1),
					       money_format_gbp(lost_paid, a),
					       lost == 1 ? "is" : "are"));
	}
	strmap_release(&codes);
	strmap_release(&ccgs);
	return ST_OK;
}

static enum status build_model(struct run_payments *rp, const struct pb_result *r,
			       int64_t out[4])
{
	enum status st = ST_OK;
	int64_t *sum = xcalloc(r->n + 1, sizeof(int64_t));

	memset(out, 0, 4 * sizeof(int64_t));
	for (size_t c = 0; c < r->n; c++) {
		const struct pb_ccg *cc = &r->ccgs[c];

		if (mc_model_add_group(&rp->model, cc->code, cc->allocation, cc->contingency,
				       cc->reserve, cc->budget[PB_DISCRETIONARY]) < 0) {
			diag_error("internal error: cannot add CCG '%s' to the risk model", cc->code);
			st = ST_INTERNAL;
			goto out;
		}
		sum[c] = cc->budget[PB_DISCRETIONARY];
	}
	for (size_t i = 0; i < r->n_practices; i++) {
		const struct pb_practice *x = &r->practices[i];
		struct mc_unit u = { .group = x->ccg, .fixed = x->fixed,
				     .list_linked = x->list_linked, .qof = x->qof,
				     .es_activity = x->es_activity };
		const char *code = pay_text(r->base, &r->base->p[x->base], PAY_PRACTICE_CODE);

		if (x->fixed + x->list_linked + x->qof + x->es_activity != x->total) {
			diag_error("internal error: the risk model of practice '%s' does not add "
				   "up to its budget", code);
			st = ST_INTERNAL;
			goto out;
		}
		if (mc_model_add_unit(&rp->model, &u) != 0) {
			diag_error("internal error: cannot add practice '%s' to the risk model", code);
			st = ST_INTERNAL;
			goto out;
		}
		sum[x->ccg] += x->total;
		out[0] += x->list_linked;
		out[1] += x->qof;
		out[2] += x->es_activity;
		out[3] += x->fixed;
	}
	for (size_t c = 0; c < r->n; c++)
		if (sum[c] != r->ccgs[c].budget_total ||
		    mc_model_planned(&rp->model, c) != r->ccgs[c].budget_total) {
			diag_error("internal error: the practices of CCG '%s' do not add up to its "
				   "budget", r->ccgs[c].code);
			st = ST_INTERNAL;
			goto out;
		}
out:
	free(sum);
	return st;
}

/* ------------------------------------------------------------------ */
/* inputs                                                               */

static void add_input(struct run_payments *rp, const struct pay_year *y, const char *role,
		      struct report_total *tot)
{
	struct report_input *in = &rp->inputs[rp->n_inputs++];
	static const char *const names[PAY_N_BUDGET] = {
		"core_contract", "enhanced_services", "qof", "premises", "discretionary",
	};

	for (size_t k = 0; k < PAY_N_BUDGET; k++)
		tot[k] = (struct report_total){ names[k], y->national.m[k] };
	*in = (struct report_input){ y->path, role, (int64_t)y->n, tot, PAY_N_BUDGET };
}

/* ------------------------------------------------------------------ */

enum status run_payments_prepare(struct run_payments *rp, const struct pb_result *r,
				 const struct pay_year *years, size_t n,
				 const struct pb_backtest *bt, const struct pay_year *actual,
				 const struct pb_params *pp,
				 const struct run_payments_options *opt)
{
	struct runreport *rr = &rp->rr;
	const struct pb_year_params *py = pb_year(pp, r->year);
	int64_t drv[4];
	char a[MONEY_BUFSZ], b1[MONEY_BUFSZ], c1[MONEY_BUFSZ], d1[MONEY_BUFSZ], e1[MONEY_BUFSZ];
	const char *base = fy(rp, r->year - 1), *year = fy(rp, r->year);
	enum status st;

	rr->mode = "payments";
	rr->dataset = "nhs-payments";
	rr->source = opt->dir;
	rr->year = r->year;
	rr->out_dir = opt->out_dir;
	rr->wait = opt->wait;
	rr->argc = opt->argc;
	rr->argv = opt->argv;
	rr->started = opt->started;
	rr->contingency_rate = pp->contingency_ppm;
	rr->reserve_rate = pp->reserve_ppm;
	rr->allocation_notional = true;
	rr->allocation_note = keepf(rp, "notional: no published allocation was read; each CCG's "
				    "%s spend on the five categories x the national primary "
				    "medical care allocation %s / %s (methodology §3)",
				    base, year, base);

	list_params(rp, r, pp);
	rr->mc.threads = opt->threads;
	if (opt->has_seed) {
		rr->mc.seed = opt->seed;
		override(rp, "risk", "seed", keepf(rp, "%llu", (unsigned long long)opt->seed),
			 "command line (--seed)");
	}
	if (opt->has_iterations) {
		rr->mc.iterations = opt->iterations;
		override(rp, "risk", "iterations", keepf(rp, "%zu", opt->iterations),
			 "command line (--iterations)");
	}
	/* the payments files cannot support these drivers: no exposure is given to them */
	override(rp, "risk", "rent_review_prob", NULL,
		 "payments mode: not modelled (no rent review dates in the payment files)");

	/* CCGs */
	rp->ccgs = xcalloc(r->n + 1, sizeof(*rp->ccgs));
	for (size_t c = 0; c < r->n; c++) {
		const struct pb_ccg *pc = &r->ccgs[c];
		struct rr_ccg *cc = &rp->ccgs[c];

		cc->code = pc->code;
		cc->name = pc->name;
		cc->n_practices = pc->practices;
		for (int k = 0; k < N_CATS; k++)
			cc->budget[k] = pc->budget[k];
		cc->planned = pc->budget_total;
		cc->allocation = pc->allocation;
		cc->contingency = pc->contingency;
		cc->reserve = pc->reserve;
		cc->reserve_uncommitted = pc->reserve;
		cc->headroom = pc->headroom;
		for (int h = 1; h <= TREND_MAX_AHEAD; h++) {
			const struct pb_year_params *ah = pb_year(pp, r->year + h);

			if (!ah || !ah->allocation || !py || !py->allocation)
				continue;
			cc->has_allocation_ahead[h - 1] = true;
			cc->allocation_ahead[h - 1] = scale(pc->allocation, ah->allocation,
							    py->allocation);
		}
	}
	rr->ccgs = rp->ccgs;
	rr->n_ccgs = r->n;
	rr->allocation_ahead_note = "later years are the notional allocation grown with the "
				    "national primary medical care allocation of each year "
				    "(methodology §3 [V]), where it is known";

	st = build_practices(rp, r, years, n);
	if (st != ST_OK)
		return st;
	note(rp, REPORT_NOTE, "The payment files carry no contract end dates: no contract is "
	     "listed as ending soon, and APMS re-procurement is not modelled");

	st = build_model(rp, r, drv);
	if (st != ST_OK)
		return st;
	rr->model = &rp->model;
	rr->risk_note = keepf(rp,
		"The model of the budget year comes from the payments-only budget of each "
		"practice: GMS and PMS contract value and per-head enhanced services (%s) move "
		"with list growth, QOF (%s) with achievement, activity and local enhanced "
		"services (%s) with volumes, and each CCG's discretionary apportionment (%s) is "
		"drawn as demand-led claims; MPIG, APMS and unknown contracts, other core lines, "
		"ended services' arrears and premises (%s) are not risked. Rent reviews, the "
		"premises pipeline, APMS re-procurement and PMS premium release are off: the "
		"payment files carry no review dates, schemes, contract end dates or premiums. "
		"The residual covers what the drivers do not explain.",
		money_format_gbp(drv[0], a), money_format_gbp(drv[1], b1),
		money_format_gbp(drv[2], c1), money_format_gbp(r->england.budget[PB_DISCRETIONARY],
							       d1),
		money_format_gbp(drv[3], e1));

	build_budget(rp, r);
	build_by_practice(rp, r);
	rp->mode_tables[0] = (struct rr_table){ rp->budget, "Budget by CCG from the payments",
						"The CCGs' budgets as budget.csv has them: the five "
						"categories, what was paid last year, the notional "
						"allocation, contingency, reserve and headroom; the "
						"last row is England.", 0, false };
	rp->mode_tables[1] = (struct rr_table){ rp->by_practice, "Budget by practice",
						"The page shows the first rows; "
						"budget_by_practice.csv and the workbook have them all.",
						60, false };
	rr->mode_tables = rp->mode_tables;
	rr->n_mode_tables = 2;
	if (bt) {
		build_backtest(rp, bt);
		rr->backtest = rp->backtest;
		rr->backtest_text = keepf(rp,
			"The budget against what was paid in %s (%s), CCG by CCG: mean absolute "
			"percentage error %.2f%% beside %.2f%% for the naive 'same as last year' "
			"forecast, over %zu CCGs with payments.", year, actual->path,
			bt->mape_budget, bt->mape_naive, bt->n - bt->skipped);
	}

	rp->method_notes[0] = keepf(rp,
		"Budget (docs/payments.md, methodology §2 and §3): from the published NHS "
		"Payments to General Practice of %s (and the year before for growth) only. Core "
		"contract: GMS global sum moved by the global sum price (net of out-of-hours) and "
		"England's list growth, PMS by the contract value growth of continuing PMS "
		"practices, APMS and unknown contracts as last year, MPIG phased out in sevenths; "
		"enhanced services: per-head ones with the list, activity ones at last year's "
		"volume and this year's rate, local ones as last year, services that moved into "
		"the global sum a quarter in arrears; QOF by point value, list and average list; "
		"premises as last year; discretionary as the region's last year, apportioned to "
		"CCGs by weighted list. Practices count for their CCG in %s.", base, base);
	rp->method_notes[1] = keepf(rp,
		"Allocation: %s. Contingency %s%% and non-recurrent reserve %s%% of it; headroom = "
		"allocation - planned spend - contingency - reserve.", rr->allocation_note,
		fixed_format(pp->contingency_ppm, 4, a), fixed_format(pp->reserve_ppm, 4, b1));
	rp->method_notes[2] = "Arithmetic: money in integer pence, scaled by exact integer "
			      "ratios with one rounding per line (half away from zero); "
			      "discretionary apportioned by largest remainder; practices add up "
			      "to their CCG and CCGs to England to the penny, or the run stops.";
	rr->method_notes = rp->method_notes;
	rr->n_method_notes = 3;
	rr->notes = rp->notes;
	rr->n_notes = rp->n_notes;
	rr->params = rp->params;
	rr->n_params = rp->n_params;

	rp->inputs = xcalloc(n + 3, sizeof(*rp->inputs));
	rp->totals = xcalloc((n + 2) * PAY_N_BUDGET, sizeof(*rp->totals));
	for (size_t i = 0; i < n; i++)
		add_input(rp, &years[i], years[i].start == r->year - 1 ? "NHS payments, the base year"
			  : "NHS payments, an earlier year (history, growth)",
			  &rp->totals[i * PAY_N_BUDGET]);
	if (bt)
		add_input(rp, actual, "NHS payments of the budget year (backtest only)",
			  &rp->totals[n * PAY_N_BUDGET]);
	if (opt->params_path)
		rp->inputs[rp->n_inputs++] = (struct report_input){ opt->params_path,
								    "parameters", -1, NULL, 0 };
	rr->inputs = rp->inputs;
	rr->n_inputs = rp->n_inputs;
	rp->info[0] = (struct report_kv){ "base_year", base };
	rp->info[1] = (struct report_kv){ "attribution", keepf(rp, "practices by their CCG in %s",
							       base) };
	rr->info = rp->info;
	rr->n_info = 2;
	return ST_OK;
}

void run_payments_release(struct run_payments *rp)
{
	free(rp->ccgs);
	free(rp->practices);
	free(rp->history);
	mc_model_release(&rp->model);
	rtable_free(rp->budget);
	rtable_free(rp->by_practice);
	rtable_free(rp->backtest);
	free(rp->params);
	free(rp->inputs);
	free(rp->totals);
	free(rp->notes);
	strlist_release(&rp->strings);
	if (rp->have_p)
		params_release(&rp->p);
	memset(rp, 0, sizeof(*rp));
}

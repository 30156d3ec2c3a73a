/*
 * run_dataset.c - dataset mode of "pcbudget run" described for the run
 * report: budget, history, contracts, the dataset's own tables, the
 * parameters and inputs, and the risk model built from the derivations.
 *
 * Between the methodology (method.c) and the run report (runreport.c);
 * see run_dataset.h for the mapping of the budget onto the risk drivers.
 * Nothing here reads a file except to count the inputs' control totals
 * from the dataset already in memory; all money stays in pence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "money.h"
#include "risk_params.h"
#include "run_dataset.h"
#include "sbuf.h"
#include "xalloc.h"

#define PPM 1000000

#define keepf(owner, ...) strlist_keepf(&(owner)->strings, __VA_ARGS__)

static void note(struct run_dataset *rd, enum report_severity sev, const char *text)
{
	ALLOC_GROW(rd->notes, rd->n_notes + 1, rd->alloc_notes);
	rd->notes[rd->n_notes++] = (struct rr_note){ sev, text };
}

/* ------------------------------------------------------------------ */
/* parameters                                                           */

static void add_param(struct run_dataset *rd, const char *section, const char *key,
		      const char *value, const char *origin, const char *source)
{
	ALLOC_GROW(rd->params, rd->n_params + 1, rd->alloc_params);
	rd->params[rd->n_params++] = (struct report_param){ section, key, value, origin, source };
}

/* One (section, key) as the parameter file resolves it. */
static void describe(struct run_dataset *rd, const struct params *p, const char *section,
		     const char *key)
{
	struct param_origin o;
	const char *src;

	if (!params_describe(p, section, key, &o)) {
		add_param(rd, section, key, NULL, "not set",
			  o.spec && o.spec->source && *o.spec->source ? o.spec->source : NULL);
		return;
	}
	src = o.spec && o.spec->source && *o.spec->source ? o.spec->source : NULL;
	if (o.from_file)
		add_param(rd, section, key, o.text, keepf(rd, "%s:%lu", p->path, o.line), src);
	else
		add_param(rd, section, key, o.text, "default", src);
}

static bool is_year_spec(const struct param_spec *s)
{
	return !strcmp(s->section, PARAM_YEARLY) || params_is_year(s->section);
}

/* True if a spec before specs[upto] already names this key for the years. */
static bool seen_key(const struct param_spec *specs, size_t upto, const char *key)
{
	for (size_t i = 0; i < upto; i++)
		if (is_year_spec(&specs[i]) && !strcmp(specs[i].key, key))
			return true;
	return false;
}

/*
 * Replaces (section, key) in the list with a value from elsewhere (the
 * command line, or the dataset), keeping the source of its default.
 */
static void override(struct run_dataset *rd, const char *section, const char *key,
		     const char *value, const char *origin)
{
	for (size_t i = 0; i < rd->n_params; i++) {
		struct report_param *rp = &rd->params[i];

		if (!strcmp(rp->section, section) && !strcmp(rp->key, key)) {
			rp->value = value;
			rp->origin = origin;
			return;
		}
	}
	add_param(rd, section, key, value, origin, NULL);
}

static void list_params(struct run_dataset *rd, const struct params *p,
			const struct method_params *mp, const struct run_dataset_options *opt)
{
	/* [run] */
	if (opt->year_from_cli)
		add_param(rd, "run", "budget_year", mp->section, "command line (--year)", NULL);
	else
		describe(rd, p, "run", "budget_year");
	/* the methodology's keys for the budget year */
	for (size_t i = 0; i < method_n_param_specs; i++) {
		const struct param_spec *s = &method_param_specs[i];

		if (is_year_spec(s) && !seen_key(method_param_specs, i, s->key))
			describe(rd, p, mp->section, s->key);
	}
	/* the risk model's sections, then the report's */
	for (size_t i = 0; i < risk_n_param_specs; i++)
		describe(rd, p, risk_param_specs[i].section, risk_param_specs[i].key);
	for (size_t i = 0; i < runreport_n_param_specs; i++)
		describe(rd, p, runreport_param_specs[i].section, runreport_param_specs[i].key);
}

/* risk_param_getter over the parameter file (docs/risk.md). */

/* ------------------------------------------------------------------ */
/* the dataset's own tables                                             */

static void build_by_practice(struct run_dataset *rd, const struct dataset *ds,
			      const struct budget *b)
{
	struct rtable *t = rtable_new("allocations_by_practice", "Budget by practice");
	int64_t *w = xcalloc(ds->n_practices + 1, sizeof(int64_t));
	unsigned wdec;
	size_t c_code, c_name, c_ccg, c_type, c_reg, c_w, c_days, c_cat[N_CATS], c_total, c_les,
	       c_qm, c_qb, c_pms, c_last;

	for (size_t i = 0; i < ds->n_practices; i++)
		w[i] = ds->practices[i].weighted;
	wdec = runreport_fixed_decimals(w, ds->n_practices, WEIGHTED_DECIMALS);
	c_code = rtable_add_col(t, "practice_code", "Practice", RCOL_CODE, 0);
	c_name = rtable_add_col(t, "practice_name", "Name", RCOL_TEXT, 0);
	c_ccg = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	c_type = rtable_add_col(t, "contract_type", "Contract", RCOL_CODE, 0);
	c_reg = rtable_add_col(t, "registered_list", "Registered list", RCOL_INT, 0);
	c_w = rtable_add_col(t, "weighted_list", "Weighted list", RCOL_FIXED, wdec);
	c_days = rtable_add_col(t, "days_open", "Days open", RCOL_INT, 0);
	for (int k = 0; k < N_CATS; k++)
		c_cat[k] = rtable_add_col(t, category_names[k], NULL, RCOL_MONEY, 0);
	c_total = rtable_add_col(t, "total", "Total", RCOL_MONEY, 0);
	c_les = rtable_add_col(t, "of_which_les", "Of which LES", RCOL_MONEY, 0);
	c_qm = rtable_add_col(t, "qof_monthly_aspiration", "QOF a month", RCOL_MONEY, 0);
	c_qb = rtable_add_col(t, "qof_year_end_balance", "QOF after year end", RCOL_MONEY, 0);
	c_pms = rtable_add_col(t, "pms_premium_released", "PMS premium released", RCOL_MONEY, 0);
	c_last = rtable_add_col(t, "last_year_total", "Paid last year", RCOL_MONEY, 0);
	for (size_t c = 0; c < ds->n_ccgs; c++)
		for (size_t i = 0; i < ds->n_practices; i++) {
			const struct ds_practice *pr = &ds->practices[i];
			const struct budget_line *l = &b->practices[i];
			size_t r;

			if (pr->ccg != c)
				continue;
			r = rtable_add_row(t);
			rtable_set_text(t, r, c_code, pr->code);
			rtable_set_text(t, r, c_name, pr->name);
			rtable_set_text(t, r, c_ccg, ds->ccgs[c].code);
			rtable_set_text(t, r, c_type, contract_type_names[pr->type]);
			rtable_set_int(t, r, c_reg, pr->registered);
			rtable_set_fixed(t, r, c_w, runreport_rescale(pr->weighted, WEIGHTED_DECIMALS, wdec));
			rtable_set_int(t, r, c_days, pr->days_open);
			for (int k = 0; k < N_CATS; k++)
				rtable_set_money(t, r, c_cat[k], l->cat[k]);
			rtable_set_money(t, r, c_total, l->total);
			rtable_set_money(t, r, c_les, l->les);
			rtable_set_money(t, r, c_qm, l->qof_monthly);
			rtable_set_money(t, r, c_qb, l->qof_balance);
			rtable_set_money(t, r, c_pms, l->pms_released);
			if (l->has_last_year)
				rtable_set_money(t, r, c_last, l->last_year);
		}
	rtable_set_note(t, "The five categories of methodology §2 per practice; derivations.csv "
		       "says how each pound was worked out. Memo columns: local enhanced services "
		       "within enhanced_services, QOF cash phasing, PMS premium released (to be "
		       "reinvested in the CCG area), and what the practice was paid last year.");
	free(w);
	rd->by_practice = t;
}

static void ccg_row(struct rtable *t, size_t r, const size_t *col, const struct budget_ccg *bc)
{
	rtable_set_int(t, r, col[0], (int64_t)bc->n_practices);
	for (int k = 0; k < N_CATS; k++)
		rtable_set_money(t, r, col[1 + k], bc->line.cat[k]);
	rtable_set_money(t, r, col[6], bc->planned);
	rtable_set_money(t, r, col[7], bc->allocation);
	rtable_set_money(t, r, col[8], bc->contingency);
	rtable_set_money(t, r, col[9], bc->reserve);
	rtable_set_money(t, r, col[10], bc->reserve_uncommitted);
	rtable_set_money(t, r, col[11], bc->headroom);
	if (bc->has_target) {
		rtable_set_money(t, r, col[12], bc->target);
		rtable_set_percent_ppm(t, r, col[13], bc->distance_bp * 100);
	}
	rtable_set_money(t, r, col[14], bc->line.les);
	rtable_set_money(t, r, col[15], bc->line.qof_monthly);
	rtable_set_money(t, r, col[16], bc->line.qof_balance);
	rtable_set_money(t, r, col[17], bc->line.pms_released);
	if (bc->line.has_last_year)
		rtable_set_money(t, r, col[18], bc->line.last_year);
}

static void build_by_ccg(struct run_dataset *rd, const struct dataset *ds, const struct budget *b)
{
	static const char *const names[] = {
		"practices", "core_contract", "enhanced_services", "qof", "premises", "other",
		"planned_spend", "allocation", "contingency", "nonrecurrent_reserve",
		"nonrecurrent_uncommitted", "headroom", "target", "distance_from_target",
		"of_which_les", "qof_monthly_aspiration", "qof_year_end_balance",
		"pms_premium_released", "last_year_total",
	};
	struct rtable *t = rtable_new("allocations_by_ccg", "Budget by CCG");
	size_t c_code = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_name = rtable_add_col(t, "ccg_name", "Name", RCOL_TEXT, 0);
	size_t col[19];

	for (size_t k = 0; k < 19; k++)
		col[k] = rtable_add_col(t, names[k], NULL, k == 0 ? RCOL_INT : k == 13 ?
					RCOL_PERCENT : RCOL_MONEY, k == 13 ? 2 : 0);
	for (size_t c = 0; c < ds->n_ccgs; c++) {
		size_t r = rtable_add_row(t);

		rtable_set_text(t, r, c_code, ds->ccgs[c].code);
		rtable_set_text(t, r, c_name, ds->ccgs[c].name);
		ccg_row(t, r, col, &b->ccgs[c]);
	}
	{
		size_t r = rtable_add_row(t);

		rtable_set_row_flags(t, r, RROW_TOTAL);
		rtable_set_text(t, r, c_code, "TOTAL");
		rtable_set_text(t, r, c_name, "all CCGs in the dataset");
		ccg_row(t, r, col, &b->total);
	}
	rtable_set_note(t, "headroom = allocation - planned_spend - contingency - "
		       "nonrecurrent_reserve; distance_from_target in percent (methodology §2.6).");
	rd->by_ccg = t;
}

static void build_derivations(struct run_dataset *rd, const struct dataset *ds,
			      const struct budget *b)
{
	struct rtable *t = rtable_new("derivations", "How every figure was worked out");
	size_t c_ccg = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
	size_t c_pr = rtable_add_col(t, "practice_code", "Practice", RCOL_CODE, 0);
	size_t c_cat = rtable_add_col(t, "category", "Category", RCOL_CODE, 0);
	size_t c_rule = rtable_add_col(t, "rule", "Rule", RCOL_TEXT, 0);
	size_t c_f = rtable_add_col(t, "formula", "Formula", RCOL_TEXT, 0);
	size_t c_p = rtable_add_col(t, "parameters", "Parameters", RCOL_TEXT, 0);
	/* pounds, or percent for distance_from_target: both two implied decimals */
	size_t c_amt = rtable_add_col(t, "amount", "Amount", RCOL_FIXED, 2);

	for (size_t k = 0; k < b->n_rows; k++) {
		const struct derivation *d = &b->rows[k];
		size_t r = rtable_add_row(t);

		rtable_set_text(t, r, c_ccg, ds->ccgs[d->ccg].code);
		if (d->practice >= 0)
			rtable_set_text(t, r, c_pr, ds->practices[d->practice].code);
		rtable_set_text(t, r, c_cat, d->category);
		rtable_set_text(t, r, c_rule, d->d.rule);
		rtable_set_text(t, r, c_f, d->d.formula);
		rtable_set_text(t, r, c_p, d->d.params);
		rtable_set_fixed(t, r, c_amt, d->d.amount);
	}
	rtable_set_note(t, "One row per component of every figure: the rule, the formula with "
		       "the actual numbers, the parameters used and the amount in pounds (for "
		       "distance_from_target, in percent).");
	rd->derivations = t;
}

/* ------------------------------------------------------------------ */
/* the risk model                                                       */

static bool is_rule(const struct derivation *d, const char *rule)
{
	return !strcmp(d->d.rule, rule);
}

/* Months after 1 April at which a scheme starting on `start` is live (0..12). */
static double scheme_start_month(int year, int32_t start)
{
	int y, m, d;
	int months;

	date_to_ymd(start, &y, &m, &d);
	months = (y - year) * 12 + (m - 4) + (d > 1);
	if (months < 0)
		months = 0;
	if (months > 12)
		months = 12;
	return months;
}

struct model_stats {
	size_t n_rent, n_apms, n_schemes, n_pms;
	int64_t rent, apms, pms, disc, uplift_left_out, pipeline_budget, pipeline_face;
};

static enum status build_model(struct run_dataset *rd, const struct dataset *ds,
			       const struct budget *b, const struct method_params *mp,
			       struct model_stats *ms)
{
	size_t np = ds->n_practices, nc = ds->n_ccgs;
	struct mc_unit *u = xcalloc(np + 1, sizeof(*u));
	int64_t *disc = xcalloc(nc + 1, sizeof(int64_t));
	int64_t *pipeline = xcalloc(np + 1, sizeof(int64_t));
	int64_t *left_out = xcalloc(np + 1, sizeof(int64_t));
	int year_days = fy_days(mp->year);
	enum status st = ST_OK;

	memset(ms, 0, sizeof(*ms));
	for (size_t i = 0; i < np; i++)
		u[i].group = ds->practices[i].ccg;

	/* every practice component to the driver that moves it */
	for (size_t k = 0; k < b->n_rows && st == ST_OK; k++) {
		const struct derivation *d = &b->rows[k];
		struct mc_unit *x;

		if (d->practice < 0)
			continue;
		x = &u[d->practice];
		if (!ds->practices[d->practice].days_open)
			continue;	/* not in the budget: "not open", zero */
		if (is_rule(d, "GMS global sum") || is_rule(d, "PMS contract baseline") ||
		    is_rule(d, "DES per head")) {
			x->list_linked += d->d.amount;
		} else if (is_rule(d, "QOF aspiration")) {
			x->qof += d->d.amount;
		} else if (is_rule(d, "DES activity") || is_rule(d, "DES last year's payment") ||
			   is_rule(d, "LES last year's payment")) {
			x->es_activity += d->d.amount;
		} else if (is_rule(d, "PMS premium released")) {
			x->fixed += d->d.amount;
			x->pms_release -= d->d.amount;
			ms->pms -= d->d.amount;
			ms->n_pms++;
		} else if (is_rule(d, "premises: pipeline scheme")) {
			pipeline[d->practice] += d->d.amount;
		} else if (is_rule(d, "area discretionary line")) {
			disc[ds->practices[d->practice].ccg] += d->d.amount;
		} else if (is_rule(d, "MPIG correction factor") || is_rule(d, "APMS contract value") ||
			   !strncmp(d->d.rule, "premises: ", 10) ||
			   is_rule(d, "part-year adjustment") || is_rule(d, "central premises pot") ||
			   is_rule(d, "DES") || is_rule(d, "LES")) {
			x->fixed += d->d.amount;
		} else {
			diag_error("internal error: the risk model does not know the rule '%s' "
				   "(practice '%s')", d->d.rule, ds->practices[d->practice].code);
			st = ST_INTERNAL;
		}
	}

	/* rent reviews due in the year: the days after the review are exposed */
	for (size_t k = 0; k < ds->n_premises && st == ST_OK; k++) {
		const struct ds_premises *pm = &ds->premises[k];
		struct deriv d;
		int64_t exposed, uplift;
		int after;

		if (!ds->practices[pm->practice].days_open || !pm->has_review ||
		    (pm->type != PREM_NOTIONAL_RENT && pm->type != PREM_LEASE_RENT) ||
		    pm->review < fy_start(mp->year) || pm->review > fy_end(mp->year))
			continue;
		after = (int)(fy_end(mp->year) - pm->review + 1);
		exposed = method_div_round((method_i128)pm->amount * after, year_days);
		uplift = rule_premises(pm->type, pm->amount, pm->has_review, pm->review, mp->year,
				       mp->rent_review_uplift, mp->section, &d) - pm->amount;
		u[pm->practice].fixed -= exposed + uplift;
		u[pm->practice].rent += exposed;
		left_out[pm->practice] += uplift;
		ms->n_rent++;
		ms->rent += exposed;
		ms->uplift_left_out += uplift;
	}

	/* APMS contracts ending within the year: the days after the end are re-procured */
	for (size_t k = 0; k < ds->n_contracts && st == ST_OK; k++) {
		const struct ds_contract *co = &ds->contracts[k];
		int64_t value, exposed;

		if (co->type != CONTRACT_APMS || !co->has_end ||
		    !ds->practices[co->practice].days_open || co->end >= fy_end(mp->year))
			continue;
		value = method_div_round((method_i128)co->annual_value * (PPM + mp->apms_uplift), PPM);
		exposed = method_div_round((method_i128)value * (fy_end(mp->year) - co->end),
					   year_days);
		u[co->practice].fixed -= exposed;
		u[co->practice].apms_ending += exposed;
		ms->n_apms++;
		ms->apms += exposed;
	}

	/* the CCGs, the practices, the schemes */
	for (size_t c = 0; c < nc && st == ST_OK; c++) {
		const struct budget_ccg *bc = &b->ccgs[c];

		if (disc[c] < 0 || mc_model_add_group(&rd->model, ds->ccgs[c].code, bc->allocation,
						      bc->contingency, bc->reserve, disc[c]) < 0) {
			diag_error("internal error: cannot add CCG '%s' to the risk model",
				   ds->ccgs[c].code);
			st = ST_INTERNAL;
		}
		ms->disc += disc[c];
	}
	for (size_t i = 0; i < np && st == ST_OK; i++) {
		const struct mc_unit *x = &u[i];
		int64_t sum = x->fixed + x->list_linked + x->qof + x->es_activity + x->rent +
			      x->apms_ending + pipeline[i] + left_out[i];

		if (!ds->practices[i].days_open)
			continue;
		/* discretionary shares sit with the CCG */
		for (size_t k = 0; k < b->n_rows; k++)
			if (b->rows[k].practice == (long)i &&
			    is_rule(&b->rows[k], "area discretionary line"))
				sum += b->rows[k].d.amount;
		if (sum != b->practices[i].total) {
			char a1[MONEY_BUFSZ], a2[MONEY_BUFSZ];

			diag_error("internal error: the risk model of practice '%s' adds up to %s, "
				   "its budget is %s", ds->practices[i].code, money_format(sum, a1),
				   money_format(b->practices[i].total, a2));
			st = ST_INTERNAL;
			break;
		}
		if (mc_model_add_unit(&rd->model, x) != 0) {
			diag_error("internal error: cannot add practice '%s' to the risk model",
				   ds->practices[i].code);
			st = ST_INTERNAL;
		}
		ms->pipeline_budget += pipeline[i];
	}
	for (size_t k = 0; k < ds->n_schemes && st == ST_OK; k++) {
		const struct ds_scheme *sc = &ds->schemes[k];
		struct mc_scheme m;

		if (!ds->practices[sc->practice].days_open)
			continue;
		m = (struct mc_scheme){ .group = ds->practices[sc->practice].ccg,
					.annual = sc->annual_cost,
					.start_month = scheme_start_month(mp->year, sc->start),
					.has_probability = true,
					.probability = (double)sc->probability / 1e6 };
		if (mc_model_add_scheme(&rd->model, &m) != 0) {
			diag_error("internal error: cannot add scheme '%s' to the risk model", sc->id);
			st = ST_INTERNAL;
			break;
		}
		ms->n_schemes++;
		ms->pipeline_face += method_div_round((method_i128)sc->annual_cost *
						      (12 - (int64_t)m.start_month), 12);
	}
	free(u);
	free(disc);
	free(pipeline);
	free(left_out);
	return st;
}

/* ------------------------------------------------------------------ */
/* inputs                                                               */

static void list_inputs(struct run_dataset *rd, const struct dataset *ds,
			const struct run_dataset_options *opt)
{
	size_t n = 0, nt = 0;
	struct report_total *tot;
	int64_t hist[N_CATS] = { 0 }, prem = 0, pipe = 0, alloc = 0, area = 0;

	while (dataset_files[n])
		n++;
	rd->inputs = xcalloc(n + 2, sizeof(*rd->inputs));
	rd->totals = tot = xcalloc(N_CATS + 8, sizeof(*tot));
	for (size_t i = 0; i < ds->n_history_rows; i++)
		for (int k = 0; k < N_CATS; k++)
			hist[k] += ds->history[i].paid[k];
	for (size_t i = 0; i < ds->n_premises; i++)
		prem += ds->premises[i].amount;
	for (size_t i = 0; i < ds->n_schemes; i++)
		pipe += ds->schemes[i].annual_cost;
	for (size_t c = 0; c < ds->n_ccgs; c++)
		alloc += ds->ccgs[c].allocation;
	for (size_t i = 0; i < ds->n_area_lines; i++)
		area += ds->area_lines[i].amount;
	for (size_t i = 0; i < n; i++) {
		const char *f = dataset_files[i];
		struct report_input *in = &rd->inputs[i];

		in->path = keepf(rd, "%s/%s", opt->dir, f);
		in->role = "dataset table";
		in->rows = -1;
		if (!strcmp(f, "practices.csv")) {
			in->rows = (int64_t)ds->n_practices;
		} else if (!strcmp(f, "contracts.csv")) {
			in->rows = (int64_t)ds->n_contracts;
		} else if (!strcmp(f, "es_catalogue.csv")) {
			in->rows = (int64_t)ds->n_services;
		} else if (!strcmp(f, "es_participation.csv")) {
			in->rows = (int64_t)ds->n_participation;
		} else if (!strcmp(f, "qof.csv")) {
			in->rows = (int64_t)ds->n_qof;
		} else if (!strcmp(f, "premises.csv")) {
			in->rows = (int64_t)ds->n_premises;
			tot[nt] = (struct report_total){ "annual_amount", prem };
			in->totals = &tot[nt++];
			in->n_totals = 1;
		} else if (!strcmp(f, "premises_pipeline.csv")) {
			in->rows = (int64_t)ds->n_schemes;
			tot[nt] = (struct report_total){ "annual_cost", pipe };
			in->totals = &tot[nt++];
			in->n_totals = 1;
		} else if (!strcmp(f, "allocations.csv")) {
			in->role = "dataset table (rows of the budget year used)";
			tot[nt] = (struct report_total){ "allocation_budget_year", alloc };
			in->totals = &tot[nt++];
			in->n_totals = 1;
		} else if (!strcmp(f, "area_budgets.csv")) {
			in->role = "dataset table (rows of the budget year used)";
			tot[nt] = (struct report_total){ "amount_budget_year", area };
			in->totals = &tot[nt++];
			in->n_totals = 1;
		} else if (!strcmp(f, "practice_history.csv")) {
			in->rows = (int64_t)ds->n_history;
			in->totals = &tot[nt];
			for (int k = 0; k < N_CATS; k++)
				tot[nt++] = (struct report_total){
					k == CAT_OTHER ? "discretionary" : category_names[k], hist[k] };
			in->n_totals = N_CATS;
		}
	}
	rd->inputs[n] = (struct report_input){ opt->params_path, "parameters", -1, NULL, 0 };
	rd->rr.inputs = rd->inputs;
	rd->rr.n_inputs = n + 1;
}

/* ------------------------------------------------------------------ */

enum status run_dataset_load_params(struct run_dataset *rd, const struct params *p,
				    const struct run_dataset_options *opt)
{
	struct runreport *rr = &rd->rr;
	void *g = (void *)(uintptr_t)p;	/* the getter only reads it */
	int rc = 0;

	memset(rd, 0, sizeof(*rd));
	mc_model_init(&rd->model);
	if (runreport_params_load(p, rr))
		rc = -1;
	/*
	 * The scenarios take [risk] and change its central values: when
	 * [risk] is bad, they would only repeat its errors.
	 */
	if (risk_params_resolve(RISK_BASE, risk_params_from_file, g, &rr->scenarios[RISK_BASE])) {
		rc = -1;
	} else {
		for (int s = RISK_BASE + 1; s < RISK_N_SCENARIOS; s++)
			if (risk_params_resolve((enum risk_scenario)s, risk_params_from_file, g,
						&rr->scenarios[s]))
				rc = -1;
	}
	if (risk_config_resolve(risk_params_from_file, g, &rr->mc))
		rc = -1;
	if (opt->has_history_years)
		rr->history_years = opt->history_years;
	rd->params_loaded = rc == 0;
	return rc ? ST_CONFIG : ST_OK;
}

enum status run_dataset_prepare(struct run_dataset *rd, const struct dataset *ds,
				const struct budget *b, const struct method_params *mp,
				const struct params *p,
				const struct run_dataset_options *opt)
{
	struct runreport *rr = &rd->rr;
	struct model_stats ms;
	enum status st;
	char a[MONEY_BUFSZ], b1[MONEY_BUFSZ], c1[MONEY_BUFSZ], d1[MONEY_BUFSZ], e1[MONEY_BUFSZ],
	     f1[MONEY_BUFSZ], g1[MONEY_BUFSZ], fy[DATE_BUFSZ];
	if (!rd->params_loaded) {
		memset(rd, 0, sizeof(*rd));
		mc_model_init(&rd->model);
	}
	rr->mode = "dataset";
	rr->dataset = opt->name;
	rr->source = opt->dir;
	rr->year = mp->year;
	rr->out_dir = opt->out_dir;
	rr->wait = opt->wait;
	rr->argc = opt->argc;
	rr->argv = opt->argv;
	rr->started = opt->started;
	rr->contingency_rate = mp->contingency_rate;
	rr->reserve_rate = mp->nonrecurrent_reserve_rate;
	rr->contract_warning_months = (int)mp->contract_warning_months;

	/* parameters: review, risk (three scenarios), run settings */
	if (!rd->params_loaded && run_dataset_load_params(rd, p, opt) != ST_OK)
		return ST_CONFIG;
	list_params(rd, p, mp, opt);
	rr->mc.threads = opt->threads;
	if (opt->has_seed) {
		rr->mc.seed = opt->seed;
		override(rd, "risk", "seed", keepf(rd, "%llu", (unsigned long long)opt->seed),
			 "command line (--seed)");
	}
	if (opt->has_iterations) {
		rr->mc.iterations = opt->iterations;
		override(rd, "risk", "iterations", keepf(rd, "%zu", opt->iterations),
			 "command line (--iterations)");
	}
	if (opt->has_history_years) {
		rr->history_years = opt->history_years;
		override(rd, "report", "history_years", keepf(rd, "%u", opt->history_years),
			 "command line (--history-years)");
	}
	/* review dates are known: a review due in the year happens */
	if (params_lookup(p, "risk", "rent_review_prob"))
		diag_warning("risk parameter 'rent_review_prob' in [risk] is not used in dataset "
			     "mode: premises.csv gives the review dates");
	for (int s = 0; s < RISK_N_SCENARIOS; s++)
		rr->scenarios[s].rent_review_prob = 1.0;
	override(rd, "risk", "rent_review_prob", "1",
		 "dataset mode: reviews due in the budget year (premises.csv next_review_date)");

	/* CCGs */
	rd->ccgs = xcalloc(ds->n_ccgs + 1, sizeof(*rd->ccgs));
	for (size_t c = 0; c < ds->n_ccgs; c++) {
		const struct budget_ccg *bc = &b->ccgs[c];
		struct rr_ccg *cc = &rd->ccgs[c];

		cc->code = ds->ccgs[c].code;
		cc->name = ds->ccgs[c].name;
		cc->n_practices = bc->n_practices;
		memcpy(cc->budget, bc->line.cat, sizeof(cc->budget));
		cc->planned = bc->planned;
		cc->allocation = bc->allocation;
		cc->contingency = bc->contingency;
		cc->reserve = bc->reserve;
		cc->reserve_uncommitted = bc->reserve_uncommitted;
		cc->headroom = bc->headroom;
		cc->has_target = bc->has_target;
		cc->target = bc->target;
		cc->distance_bp = bc->distance_bp;
		for (int h = 1; h <= TREND_MAX_AHEAD; h++) {
			int64_t nat;

			fy_format(mp->year + h, fy);
			if (!mp->has_national_allocation || mp->national_allocation <= 0 ||
			    !params_is_set(p, fy, "national_allocation") ||
			    params_money(p, fy, "national_allocation", &nat))
				continue;
			cc->has_allocation_ahead[h - 1] = true;
			cc->allocation_ahead[h - 1] = method_div_round(
				(method_i128)bc->allocation * nat, mp->national_allocation);
		}
		if (bc->has_target && (bc->distance_bp <= -500 || bc->distance_bp >= 500))
			note(rd, REPORT_NOTE, keepf(rd, "CCG %s's allocation is %s%% %s its target "
						    "(%s): pace of change will move it", cc->code,
						    fixed_format(bc->distance_bp < 0 ?
								 -bc->distance_bp : bc->distance_bp,
								 2, a),
						    bc->distance_bp < 0 ? "below" : "above",
						    money_format_gbp(bc->target, b1)));
	}
	rr->ccgs = rd->ccgs;
	rr->n_ccgs = ds->n_ccgs;
	rr->allocation_ahead_note = "later years are the budget year's allocation grown with "
				    "the national primary medical care allocation "
				    "(national_allocation of each year, methodology §3 [V]), "
				    "where it is known";

	/* practices */
	rd->practices = xcalloc(ds->n_practices + 1, sizeof(*rd->practices));
	for (size_t i = 0; i < ds->n_practices; i++) {
		const struct ds_practice *pr = &ds->practices[i];
		const struct ds_contract *co = &ds->contracts[pr->contract];
		struct rr_practice *x = &rd->practices[i];

		x->code = pr->code;
		x->name = pr->name;
		x->ccg = pr->ccg;
		x->contract_type = contract_type_names[pr->type];
		x->in_budget = pr->days_open > 0;
		x->registered = pr->registered;
		x->weighted = pr->weighted;
		memcpy(x->budget, b->practices[i].cat, sizeof(x->budget));
		x->total = b->practices[i].total;
		x->pms_released = b->practices[i].pms_released;
		if (x->in_budget && co->type == CONTRACT_PMS && co->annual_value > co->gms_equivalent)
			x->pms_premium = method_div_round(
				(method_i128)(co->annual_value - co->gms_equivalent) *
				(PPM + mp->pms_uplift), PPM);
	}
	for (size_t k = 0; k < b->n_rows; k++)
		if (b->rows[k].practice >= 0 && is_rule(&b->rows[k], "MPIG correction factor"))
			rd->practices[b->rows[k].practice].mpig += b->rows[k].d.amount;
	rr->practices = rd->practices;
	rr->n_practices = ds->n_practices;

	/* history and contracts */
	rd->history = xcalloc(ds->n_history_rows + 1, sizeof(*rd->history));
	for (size_t i = 0; i < ds->n_history_rows; i++) {
		const struct ds_history *h = &ds->history[i];

		rd->history[i] = (struct rr_history){
			.year = h->year, .practice = h->practice,
			.has_registered = h->has_registered, .has_weighted = h->has_weighted,
			.registered = h->registered, .weighted = h->weighted };
		memcpy(rd->history[i].paid, h->paid, sizeof(h->paid));
	}
	rr->history = rd->history;
	rr->n_history = ds->n_history_rows;
	rd->contracts = xcalloc(ds->n_contracts + 1, sizeof(*rd->contracts));
	for (size_t k = 0; k < ds->n_contracts; k++) {
		const struct ds_contract *co = &ds->contracts[k];

		if (!co->has_end)
			continue;
		rd->contracts[rr->n_contracts++] = (struct rr_contract){
			.id = co->id, .practice = co->practice, .type = contract_type_names[co->type],
			.end = co->end, .annual_value = b->practices[co->practice].cat[CAT_CORE] };
	}
	rr->contracts = rd->contracts;

	/* the risk model */
	st = build_model(rd, ds, b, mp, &ms);
	if (st != ST_OK)
		return st;
	rr->model = &rd->model;
	rr->risk_note = keepf(rd,
		"The model of the budget year comes from the budget's derivations: list-linked "
		"money (GMS global sum, PMS baselines, per-head DES) moves with list growth, QOF "
		"with achievement, activity DES and LES with volumes; %zu rent review%s due in %s "
		"expose %s (the rent for the days after the review; the budget's own uplift of %s "
		"is replaced by the model's draw, and every review due is taken to happen); %zu "
		"APMS contract%s ending within the year expose %s to re-procurement; %zu PMS "
		"premium release%s of %s may slip; %zu pipeline scheme%s (budgeted %s, %s at face "
		"value) arrive with their own probability and a delay; the CCG's share of the "
		"area's discretionary lines (%s) is drawn as demand-led claims. MPIG, rates, "
		"water, waste, other rent and the central premises pot are not risked.",
		ms.n_rent, ms.n_rent == 1 ? "" : "s", fy_format(mp->year, fy),
		money_format_gbp(ms.rent, a), money_format_gbp(ms.uplift_left_out, b1),
		ms.n_apms, ms.n_apms == 1 ? "" : "s", money_format_gbp(ms.apms, c1),
		ms.n_pms, ms.n_pms == 1 ? "" : "s", money_format_gbp(ms.pms, d1),
		ms.n_schemes, ms.n_schemes == 1 ? "" : "s",
		money_format_gbp(ms.pipeline_budget, e1), money_format_gbp(ms.pipeline_face, f1),
		money_format_gbp(ms.disc, g1));

	/* the dataset's tables */
	build_by_ccg(rd, ds, b);
	build_by_practice(rd, ds, b);
	build_derivations(rd, ds, b);
	rd->mode_tables[0] = (struct rr_table){ rd->by_ccg, "Budget by CCG (methodology §2)",
						"The CCG's budget, reserves, headroom and target, "
						"with the memo lines.", 0, false };
	rd->mode_tables[1] = (struct rr_table){ rd->by_practice, "Budget by practice",
						NULL, 60, false };
	rd->mode_tables[2] = (struct rr_table){ rd->derivations, "Derivations",
						"Every component of every figure, with its formula. "
						"The page shows the first rows; derivations.csv and "
						"the workbook have them all.", 40, false };
	rr->mode_tables = rd->mode_tables;
	rr->n_mode_tables = 3;

	rd->method_notes[0] = keepf(rd,
		"Budget (methodology §2, data/README.md): core contract (GMS global sum and MPIG, "
		"PMS baseline less the premium released, APMS value), enhanced services (per-head "
		"and activity DES, LES at last year's payment), QOF (points × point value × CPI), "
		"premises (current reimbursements with rent reviews, pipeline schemes, a share of "
		"the central pot) and other (shares of the area's discretionary lines); "
		"contingency %s%% and non-recurrent reserve %s%% of the allocation; headroom = "
		"allocation − planned spend − contingency − reserve.",
		fixed_format(mp->contingency_rate, 4, a),
		fixed_format(mp->nonrecurrent_reserve_rate, 4, b1));
	rd->method_notes[1] = keepf(rd,
		"Arithmetic: money in integer pence, rates in millionths, one rounding per rule "
		"(half away from zero), apportionments by largest remainder; practices add up to "
		"their CCG and CCGs to the total to the penny, or the run stops.");
	rr->method_notes = rd->method_notes;
	rr->n_method_notes = 2;
	rr->notes = rd->notes;
	rr->n_notes = rd->n_notes;
	rr->params = rd->params;
	rr->n_params = rd->n_params;
	list_inputs(rd, ds, opt);
	return ST_OK;
}

void run_dataset_release(struct run_dataset *rd)
{
	free(rd->ccgs);
	free(rd->practices);
	free(rd->history);
	free(rd->contracts);
	mc_model_release(&rd->model);
	rtable_free(rd->by_practice);
	rtable_free(rd->by_ccg);
	rtable_free(rd->derivations);
	free(rd->params);
	free(rd->inputs);
	free(rd->totals);
	free(rd->notes);
	strlist_release(&rd->strings);
	memset(rd, 0, sizeof(*rd));
}

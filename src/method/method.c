/*
 * method.c - applies the rules to a whole dataset: the five categories
 * per practice and per CCG, area apportionments, reserves, headroom,
 * target, QOF cash phasing, derivations, and the control totals.
 *
 * The computing stage of "pcbudget run", between the dataset loader and
 * the report writers.  No I/O: everything lands in a struct budget.
 * Derivation rows come out in reading order: CCG by CCG, the CCG's own
 * rows (allocation, area shares, reserves, headroom), then its
 * practices in dataset order, each in category order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "method.h"
#include "money.h"
#include "xalloc.h"

typedef method_i128 i128;

void budget_init(struct budget *b)
{
	memset(b, 0, sizeof(*b));
}

void budget_release(struct budget *b)
{
	free(b->practices);
	free(b->ccgs);
	free(b->rows);
	budget_init(b);
}

static void add_row(struct budget *b, long practice, size_t ccg,
		    const char *category, const struct deriv *d)
{
	ALLOC_GROW(b->rows, b->n_rows + 1, b->alloc_rows);
	b->rows[b->n_rows].practice = practice;
	b->rows[b->n_rows].ccg = ccg;
	b->rows[b->n_rows].category = category;
	b->rows[b->n_rows].d = *d;
	b->n_rows++;
}

/*
 * *acc += v, checked: a sum that does not fit in int64 sets *overflow
 * (method_compute() reports it) and leaves *acc as it was.
 */
static void add(bool *overflow, int64_t *acc, int64_t v)
{
	int64_t r;

	if (__builtin_add_overflow(*acc, v, &r) || r == INT64_MIN)
		*overflow = true;
	else
		*acc = r;
}

/* Adds a practice component to its category and to the derivations. */
static void component(struct budget *b, size_t i, size_t ccg, enum category cat,
		      const struct deriv *d)
{
	if (d->overflow)
		b->overflow = true;
	add(&b->overflow, &b->practices[i].cat[cat], d->amount);
	add_row(b, (long)i, ccg, category_names[cat], d);
}

/* Rows of a child table grouped by practice (counting sort). */
struct by_practice {
	size_t *start;	/* n_practices + 1 offsets into idx */
	size_t *idx;
};

static void group(struct by_practice *g, size_t n_practices, size_t n,
		  const void *rows, size_t row_size, size_t practice_offset)
{
	const char *base = rows;
	size_t *fill;

	g->start = xcalloc(n_practices + 2, sizeof(size_t));
	g->idx = xcalloc(n + 1, sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		size_t pi;

		memcpy(&pi, base + k * row_size + practice_offset, sizeof(pi));
		g->start[pi + 1]++;
	}
	for (size_t i = 0; i < n_practices; i++)
		g->start[i + 1] += g->start[i];
	fill = xcalloc(n_practices + 1, sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		size_t pi;

		memcpy(&pi, base + k * row_size + practice_offset, sizeof(pi));
		g->idx[g->start[pi] + fill[pi]++] = k;
	}
	free(fill);
}

static void group_release(struct by_practice *g)
{
	free(g->start);
	free(g->idx);
}

#define GROUP(g, ds, arr, n, type) \
	group((g), (ds)->n_practices, (ds)->n, (ds)->arr, sizeof(type), offsetof(type, practice))

/* ------------------------------------------------------------------ */
/* Per practice                                                         */

static void core_contract(const struct dataset *ds, const struct method_params *mp,
			  struct budget *b, size_t i)
{
	const struct ds_practice *pr = &ds->practices[i];
	const struct ds_contract *co = &ds->contracts[pr->contract];
	struct deriv d;

	switch (co->type) {
	case CONTRACT_GMS:
		rule_gms_global_sum(pr->weighted, mp->global_sum_price, mp->ooh_deduction,
				    pr->ooh_opt_out, mp->section, &d);
		component(b, i, pr->ccg, CAT_CORE, &d);
		if (co->mpig_cf > 0) {
			rule_mpig(co->mpig_cf, mp->year, &d);
			component(b, i, pr->ccg, CAT_CORE, &d);
		}
		break;
	case CONTRACT_PMS:
		rule_pms_baseline(co->annual_value, mp->pms_uplift, mp->section, &d);
		component(b, i, pr->ccg, CAT_CORE, &d);
		if (co->has_release) {
			rule_pms_premium_release(co->annual_value, co->gms_equivalent,
						 co->has_release, co->release_start,
						 co->release_years, mp->year, mp->pms_uplift,
						 mp->section, &d);
			component(b, i, pr->ccg, CAT_CORE, &d);
			add(&b->overflow, &b->practices[i].pms_released, -d.amount);
		}
		break;
	case CONTRACT_APMS:
		rule_apms(co->annual_value, mp->apms_uplift, co->has_end, co->end, mp->year,
			  mp->contract_warning_months, mp->section, &d);
		component(b, i, pr->ccg, CAT_CORE, &d);
		break;
	}
}

static void enhanced_services(const struct dataset *ds, const struct method_params *mp,
			      struct budget *b, size_t i, const struct by_practice *g)
{
	const struct ds_practice *pr = &ds->practices[i];

	for (size_t k = g->start[i]; k < g->start[i + 1]; k++) {
		const struct ds_participation *pa = &ds->participation[g->idx[k]];
		const struct ds_service *sv = &ds->services[pa->service];
		struct deriv d;

		if (!pa->signed_up) {
			memset(&d, 0, sizeof(d));
			snprintf(d.rule, sizeof(d.rule), "%s", sv->type == ES_LES ? "LES" : "DES");
			snprintf(d.formula, sizeof(d.formula), "%s: not signed up", sv->code);
		} else if (sv->type == ES_LES) {
			rule_es_last_year(sv->code, pa->last_year_payment, mp->les_growth, true,
					  mp->section, &d);
			add(&b->overflow, &b->practices[i].les, d.amount);
		} else if (sv->basis == ES_PER_HEAD) {
			rule_es_per_head(sv->code, sv->rate, pr->registered, sv->rate_source, &d);
		} else if (pa->has_units) {
			rule_es_activity(sv->code, pa->units, sv->rate, mp->es_activity_growth,
					 sv->rate_source, mp->section, &d);
		} else {
			rule_es_last_year(sv->code, pa->last_year_payment, mp->es_activity_growth,
					  false, mp->section, &d);
		}
		component(b, i, pr->ccg, CAT_ES, &d);
	}
}

static void qof(const struct dataset *ds, const struct method_params *mp,
		struct budget *b, size_t i, const struct by_practice *g)
{
	const struct ds_practice *pr = &ds->practices[i];
	struct deriv d;

	if (g->start[i] == g->start[i + 1]) {
		memset(&d, 0, sizeof(d));
		snprintf(d.rule, sizeof(d.rule), "QOF aspiration");
		snprintf(d.formula, sizeof(d.formula), "no row in qof.csv: no QOF budget");
		component(b, i, pr->ccg, CAT_QOF, &d);
		return;
	}
	for (size_t k = g->start[i]; k < g->start[i + 1]; k++) {
		const struct ds_qof *q = &ds->qof[g->idx[k]];

		rule_qof(q->points, mp->qof_point_value, pr->registered,
			 mp->national_average_list, q->prevalence, mp->section, &d);
		component(b, i, pr->ccg, CAT_QOF, &d);
	}
}

static void premises(const struct dataset *ds, const struct method_params *mp,
		     struct budget *b, size_t i, const struct by_practice *gp,
		     const struct by_practice *gs)
{
	const struct ds_practice *pr = &ds->practices[i];
	struct deriv d;

	for (size_t k = gp->start[i]; k < gp->start[i + 1]; k++) {
		const struct ds_premises *pm = &ds->premises[gp->idx[k]];

		rule_premises(pm->type, pm->amount, pm->has_review, pm->review, mp->year,
			      mp->rent_review_uplift, mp->section, &d);
		component(b, i, pr->ccg, CAT_PREMISES, &d);
	}
	for (size_t k = gs->start[i]; k < gs->start[i + 1]; k++) {
		const struct ds_scheme *sc = &ds->schemes[gs->idx[k]];

		rule_pipeline(sc->id, sc->annual_cost, sc->start, mp->year, sc->probability,
			      mp->pipeline_probability_weighted, mp->section, &d);
		component(b, i, pr->ccg, CAT_PREMISES, &d);
	}
}

/* ------------------------------------------------------------------ */
/* Area lines: area -> CCGs (and the rest of the area) -> practices     */

static int64_t weight_of(const struct ds_practice *pr, const struct ds_area_line *al)
{
	if (pr->days_open == 0)
		return 0;
	switch (al->basis) {
	case BASIS_WEIGHTED_LIST:
		return pr->weighted;
	case BASIS_REGISTERED_LIST:
		return pr->registered;
	case BASIS_HISTORIC:
		return pr->has_last_year && pr->last_year[al->category] > 0 ?
		       pr->last_year[al->category] : 0;
	}
	return 0;
}

static char *basis_text(const struct ds_area_line *al, int64_t v, char buf[MONEY_BUFSZ])
{
	switch (al->basis) {
	case BASIS_WEIGHTED_LIST:
		return fixed_format(v, WEIGHTED_DECIMALS, buf);
	case BASIS_REGISTERED_LIST:
		return fixed_format(v, 0, buf);
	case BASIS_HISTORIC:
		return money_format_gbp(v, buf);
	}
	return buf;
}

/*
 * Splits every area line; ccg_share[a * n_ccgs + c] and
 * practice_share[a * n_practices + i] receive the amounts.  Returns -1
 * (after reporting) if an apportionment cannot be made.
 */
static int apportion_area(const struct dataset *ds, int64_t *ccg_share,
			  int64_t *practice_share, int64_t *ccg_weight)
{
	size_t nc = ds->n_ccgs, np = ds->n_practices;
	int64_t *w = xcalloc(nc + 1, sizeof(int64_t));
	int64_t *pw = xcalloc(np + 1, sizeof(int64_t));
	int64_t *part = xcalloc(np + 1, sizeof(int64_t));
	size_t *members = xcalloc(np + 1, sizeof(size_t));
	int rc = 0;

	for (size_t a = 0; a < ds->n_area_lines && rc == 0; a++) {
		const struct ds_area_line *al = &ds->area_lines[a];
		int64_t sum = 0;

		memset(w, 0, (nc + 1) * sizeof(int64_t));
		for (size_t i = 0; i < np; i++)
			w[ds->practices[i].ccg] += weight_of(&ds->practices[i], al);
		for (size_t c = 0; c < nc; c++)
			sum += w[c];
		w[nc] = al->basis_total - sum;	/* the rest of the area (validated >= 0) */
		memcpy(ccg_weight + a * nc, w, nc * sizeof(int64_t));
		if (money_apportion(al->amount, w, nc + 1, part)) {
			diag_error("internal error: cannot apportion area line '%s'", al->code);
			rc = -1;
			break;
		}
		memcpy(ccg_share + a * nc, part, nc * sizeof(int64_t));
		for (size_t c = 0; c < nc && rc == 0; c++) {
			size_t n = 0;

			for (size_t i = 0; i < np; i++) {
				if (ds->practices[i].ccg != c)
					continue;
				members[n] = i;
				pw[n++] = weight_of(&ds->practices[i], al);
			}
			if (ccg_share[a * nc + c] == 0)
				continue;
			if (money_apportion(ccg_share[a * nc + c], pw, n, part)) {
				diag_error("internal error: cannot apportion area line '%s' in CCG '%s'",
					   al->code, ds->ccgs[c].code);
				rc = -1;
				break;
			}
			for (size_t k = 0; k < n; k++)
				practice_share[a * np + members[k]] = part[k];
		}
	}
	free(w);
	free(pw);
	free(part);
	free(members);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */

static void ccg_row(struct budget *b, size_t c, const char *category,
		    const char *rule, int64_t amount, const char *formula,
		    const char *params)
{
	struct deriv d;

	memset(&d, 0, sizeof(d));
	snprintf(d.rule, sizeof(d.rule), "%s", rule);
	snprintf(d.formula, sizeof(d.formula), "%s", formula);
	snprintf(d.params, sizeof(d.params), "%s", params);
	d.amount = amount;
	add_row(b, -1, c, category, &d);
}

static void add_line(bool *overflow, struct budget_line *to,
		     const struct budget_line *from)
{
	for (int k = 0; k < N_CATS; k++)
		add(overflow, &to->cat[k], from->cat[k]);
	add(overflow, &to->total, from->total);
	add(overflow, &to->les, from->les);
	add(overflow, &to->qof_monthly, from->qof_monthly);
	add(overflow, &to->qof_balance, from->qof_balance);
	add(overflow, &to->pms_released, from->pms_released);
	if (from->has_last_year) {
		add(overflow, &to->last_year, from->last_year);
		to->has_last_year = true;
	}
}

/* allocation − planned − contingency − reserve, checked, in that order. */
static int64_t headroom(struct budget *b, const struct budget_ccg *bc)
{
	int64_t h = bc->allocation;

	add(&b->overflow, &h, -bc->planned);
	add(&b->overflow, &h, -bc->contingency);
	add(&b->overflow, &h, -bc->reserve);
	return h;
}

static void ccg_figures(const struct dataset *ds, const struct method_params *mp,
			struct budget *b, size_t c, const int64_t *ccg_share,
			const int64_t *ccg_weight)
{
	const struct ds_ccg *dc = &ds->ccgs[c];
	struct budget_ccg *bc = &b->ccgs[c];
	char f[DERIV_FORMULA_MAX], p[DERIV_PARAMS_MAX];
	char m1[MONEY_BUFSZ], m2[MONEY_BUFSZ], m3[MONEY_BUFSZ], m4[MONEY_BUFSZ],
	     m5[MONEY_BUFSZ], r1[MONEY_BUFSZ];

	for (int k = 0; k < N_CATS; k++)
		add(&b->overflow, &bc->planned, bc->line.cat[k]);
	bc->allocation = dc->allocation;
	bc->contingency = rule_share(dc->allocation, mp->contingency_rate);
	bc->reserve = rule_share(dc->allocation, mp->nonrecurrent_reserve_rate);
	bc->reserve_uncommitted = rule_share(bc->reserve, mp->nonrecurrent_uncommitted_share);
	bc->headroom = headroom(b, bc);
	bc->n_practices = dc->n_practices;

	snprintf(p, sizeof(p), "allocations.csv (%s)", mp->section);
	ccg_row(b, c, "allocation", "published allocation", dc->allocation,
		"primary medical care allocation for the budget year", p);
	for (size_t a = 0; a < ds->n_area_lines; a++) {
		const struct ds_area_line *al = &ds->area_lines[a];

		snprintf(f, sizeof(f), "%s (%s): %s area budget × %s ÷ %s (%s, largest remainder)",
			 al->code, al->name, money_format_gbp(al->amount, m1),
			 basis_text(al, ccg_weight[a * ds->n_ccgs + c], m2),
			 basis_text(al, al->basis_total, m3), area_basis_names[al->basis]);
		ccg_row(b, c, al->category == CAT_PREMISES ? "premises_area_share" : "other_area_share",
			al->category == CAT_PREMISES ? "central premises pot share" : "area discretionary share",
			ccg_share[a * ds->n_ccgs + c], f, "area_budgets.csv");
	}
	snprintf(f, sizeof(f), "core %s + enhanced %s + QOF %s + premises %s + other %s",
		 money_format_gbp(bc->line.cat[CAT_CORE], m1),
		 money_format_gbp(bc->line.cat[CAT_ES], m2),
		 money_format_gbp(bc->line.cat[CAT_QOF], m3),
		 money_format_gbp(bc->line.cat[CAT_PREMISES], m4),
		 money_format_gbp(bc->line.cat[CAT_OTHER], m5));
	ccg_row(b, c, "planned_spend", "sum of the five categories", bc->planned, f, "");
	fixed_format(mp->contingency_rate, 4, r1);
	snprintf(f, sizeof(f), "%s allocation × %s%%", money_format_gbp(dc->allocation, m1), r1);
	snprintf(p, sizeof(p), "[%s] contingency_rate=%s%%", mp->section, r1);
	ccg_row(b, c, "contingency", "contingency", bc->contingency, f, p);
	fixed_format(mp->nonrecurrent_reserve_rate, 4, r1);
	fixed_format(mp->nonrecurrent_uncommitted_share, 4, m2);
	snprintf(f, sizeof(f), "%s allocation × %s%% (of which %s%% uncommitted: %s)",
		 money_format_gbp(dc->allocation, m1), r1, m2,
		 money_format_gbp(bc->reserve_uncommitted, m3));
	snprintf(p, sizeof(p), "[%s] nonrecurrent_reserve_rate=%s%% nonrecurrent_uncommitted_share=%s%%",
		 mp->section, r1, m2);
	ccg_row(b, c, "nonrecurrent_reserve", "non-recurrent reserve", bc->reserve, f, p);
	snprintf(f, sizeof(f), "%s allocation − %s planned − %s contingency − %s reserve",
		 money_format_gbp(bc->allocation, m1), money_format_gbp(bc->planned, m2),
		 money_format_gbp(bc->contingency, m3), money_format_gbp(bc->reserve, m4));
	ccg_row(b, c, "headroom", "headroom", bc->headroom, f, "methodology §2.6");

	if (dc->has_target) {
		bc->has_target = true;
		bc->target = dc->target;
		ccg_row(b, c, "target", "published target", dc->target,
			"target allocation as published", "allocations.csv");
	} else if (dc->has_weighted_population && mp->has_national_allocation &&
		   mp->has_national_weighted_population) {
		bc->has_target = true;
		if (!method_div_fits((i128)mp->national_allocation * dc->weighted_population,
				     mp->national_weighted_population, &bc->target))
			b->overflow = true;
		snprintf(f, sizeof(f), "%s national allocation × %s ÷ %s weighted population",
			 money_format_gbp(mp->national_allocation, m1),
			 fixed_format(dc->weighted_population, 6, m2),
			 fixed_format(mp->national_weighted_population, 6, m3));
		snprintf(p, sizeof(p), "[%s] national_allocation national_weighted_population",
			 mp->section);
		ccg_row(b, c, "target", "target from weighted population", bc->target, f, p);
	}
	if (bc->has_target) {
		if (!rule_distance_from_target(bc->allocation, bc->target, &bc->distance_bp))
			b->overflow = true;
		snprintf(f, sizeof(f), "(%s allocation − %s target) ÷ target = %s%%",
			 money_format_gbp(bc->allocation, m1), money_format_gbp(bc->target, m2),
			 fixed_format(bc->distance_bp, 2, m3));
		ccg_row(b, c, "distance_from_target", "distance from target (basis points)",
			bc->distance_bp, f, "methodology §2.6");
	}
}

/* The groups of child rows and the area shares, for practice_figures(). */
struct shares {
	const struct by_practice *es, *qof, *prem, *sch;
	const int64_t *ccg_share, *ccg_weight, *practice_share;
	int year_days;
};

/* Every component of practice i (in CCG c), in category order. */
static void practice_figures(const struct dataset *ds, const struct method_params *mp,
			     struct budget *b, size_t i, size_t c, const struct shares *sh)
{
	const struct ds_practice *pr = &ds->practices[i];
	struct budget_line *bl = &b->practices[i];
	size_t np = ds->n_practices, nc = ds->n_ccgs, na = ds->n_area_lines;

	bl->has_last_year = pr->has_last_year;
	for (int k = 0; k < N_CATS && pr->has_last_year; k++)
		add(&b->overflow, &bl->last_year, pr->last_year[k]);
	if (pr->days_open == 0) {
		struct deriv d;

		memset(&d, 0, sizeof(d));
		snprintf(d.rule, sizeof(d.rule), "not open in the budget year");
		snprintf(d.formula, sizeof(d.formula), "open and close dates leave no day in %s",
			 mp->section);
		component(b, i, c, CAT_CORE, &d);
		return;
	}
	core_contract(ds, mp, b, i);
	enhanced_services(ds, mp, b, i, sh->es);
	qof(ds, mp, b, i, sh->qof);
	premises(ds, mp, b, i, sh->prem, sh->sch);
	if (pr->days_open < sh->year_days) {
		for (int k = CAT_CORE; k <= CAT_PREMISES; k++) {
			struct deriv d;

			rule_part_year(bl->cat[k], pr->days_open, sh->year_days, &d);
			component(b, i, c, (enum category)k, &d);
		}
	}
	for (size_t a = 0; a < na; a++) {
		const struct ds_area_line *al = &ds->area_lines[a];
		struct deriv d;
		char m1[MONEY_BUFSZ], m2[MONEY_BUFSZ], m3[MONEY_BUFSZ];
		int64_t wc = sh->ccg_weight[a * nc + c];

		memset(&d, 0, sizeof(d));
		snprintf(d.rule, sizeof(d.rule), "%s",
			 al->category == CAT_PREMISES ? "central premises pot" :
			 "area discretionary line");
		snprintf(d.formula, sizeof(d.formula),
			 "%s: CCG share %s × %s ÷ %s (%s, largest remainder)", al->code,
			 money_format_gbp(sh->ccg_share[a * nc + c], m1),
			 basis_text(al, weight_of(pr, al), m2), basis_text(al, wc, m3),
			 area_basis_names[al->basis]);
		snprintf(d.params, sizeof(d.params), "area_budgets.csv %s", al->code);
		d.amount = sh->practice_share[a * np + i];
		component(b, i, c, al->category, &d);
	}
	rule_qof_phasing(bl->cat[CAT_QOF], mp->qof_aspiration_share,
			 &bl->qof_monthly, &bl->qof_balance);
}

#define TOO_LARGE "a figure is too large to compute in pence (over £92,233,720,368,547,758.07)"

enum status method_compute(const struct dataset *ds, const struct method_params *mp,
			   struct budget *b)
{
	size_t np = ds->n_practices, nc = ds->n_ccgs, na = ds->n_area_lines;
	struct by_practice g_es, g_qof, g_prem, g_sch;
	int64_t *ccg_share = xcalloc(na * nc + 1, sizeof(int64_t));
	int64_t *ccg_weight = xcalloc(na * nc + 1, sizeof(int64_t));
	int64_t *practice_share = xcalloc(na * np + 1, sizeof(int64_t));
	struct shares sh = { &g_es, &g_qof, &g_prem, &g_sch, ccg_share, ccg_weight,
			     practice_share, fy_days(mp->year) };
	enum status st = ST_OK;
	bool reported = false;

	b->year = mp->year;
	b->n_practices = np;
	b->n_ccgs = nc;
	b->practices = xcalloc(np + 1, sizeof(*b->practices));
	b->ccgs = xcalloc(nc + 1, sizeof(*b->ccgs));
	GROUP(&g_es, ds, participation, n_participation, struct ds_participation);
	GROUP(&g_qof, ds, qof, n_qof, struct ds_qof);
	GROUP(&g_prem, ds, premises, n_premises, struct ds_premises);
	GROUP(&g_sch, ds, schemes, n_schemes, struct ds_scheme);

	if (apportion_area(ds, ccg_share, practice_share, ccg_weight)) {
		st = ST_INTERNAL;
		goto out;
	}
	for (size_t c = 0; c < nc; c++) {
		size_t first_row = b->n_rows;
		bool ccg_reported = false;

		for (size_t i = 0; i < np; i++) {
			if (ds->practices[i].ccg != c)
				continue;
			b->overflow = false;
			practice_figures(ds, mp, b, i, c, &sh);
			for (int k = 0; k < N_CATS; k++)
				add(&b->overflow, &b->practices[i].total, b->practices[i].cat[k]);
			if (b->overflow) {
				diag_error("practice '%s': " TOO_LARGE, ds->practices[i].code);
				ccg_reported = true;
			}
		}
		b->overflow = false;
		for (size_t i = 0; i < np; i++)
			if (ds->practices[i].ccg == c)
				add_line(&b->overflow, &b->ccgs[c].line, &b->practices[i]);
		/* the CCG's own rows go before its practices' rows */
		{
			size_t n_practice_rows = b->n_rows - first_row;
			struct derivation *saved = xreallocarray(NULL, n_practice_rows + 1,
								 sizeof(*saved));

			memcpy(saved, b->rows + first_row, n_practice_rows * sizeof(*saved));
			b->n_rows = first_row;
			ccg_figures(ds, mp, b, c, ccg_share, ccg_weight);
			for (size_t k = 0; k < n_practice_rows; k++)
				add_row(b, saved[k].practice, saved[k].ccg, saved[k].category,
					&saved[k].d);
			free(saved);
		}
		if (b->overflow && !ccg_reported) {
			diag_error("CCG '%s': " TOO_LARGE, ds->ccgs[c].code);
			ccg_reported = true;
		}
		reported |= ccg_reported;
	}
	b->overflow = false;
	for (size_t c = 0; c < nc; c++) {
		const struct budget_ccg *bc = &b->ccgs[c];

		add_line(&b->overflow, &b->total.line, &bc->line);
		add(&b->overflow, &b->total.planned, bc->planned);
		add(&b->overflow, &b->total.allocation, bc->allocation);
		add(&b->overflow, &b->total.contingency, bc->contingency);
		add(&b->overflow, &b->total.reserve, bc->reserve);
		add(&b->overflow, &b->total.reserve_uncommitted, bc->reserve_uncommitted);
		add(&b->overflow, &b->total.headroom, bc->headroom);
		b->total.n_practices += bc->n_practices;
	}
	(void)headroom(b, &b->total);	/* method_reconcile() works it out this way */
	b->total.has_target = nc > 0;
	for (size_t c = 0; c < nc; c++) {
		b->total.has_target &= b->ccgs[c].has_target;
		add(&b->overflow, &b->total.target, b->ccgs[c].target);
	}
	if (b->total.has_target && b->total.target > 0 &&
	    !rule_distance_from_target(b->total.allocation, b->total.target,
				       &b->total.distance_bp))
		b->overflow = true;
	if (b->overflow && !reported) {
		diag_error("the dataset's totals: " TOO_LARGE);
		reported = true;
	}
	if (reported) {
		st = ST_DATA;
		goto out;
	}
	if (method_reconcile(ds, b))
		st = ST_INTERNAL;
out:
	group_release(&g_es);
	group_release(&g_qof);
	group_release(&g_prem);
	group_release(&g_sch);
	free(ccg_share);
	free(ccg_weight);
	free(practice_share);
	return st;
}

/* ------------------------------------------------------------------ */
/* Control totals                                                       */

static int mismatch(const char *what, int64_t got, int64_t want)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	diag_error("internal error: %s does not reconcile: %s against %s", what,
		   money_format(got, a), money_format(want, b));
	return -1;
}

int method_reconcile(const struct dataset *ds, const struct budget *b)
{
	size_t np = b->n_practices, nc = b->n_ccgs;
	int64_t *rows_sum = xcalloc(np * N_CATS + 1, sizeof(int64_t));
	struct budget_ccg sum_total;
	char what[256];
	int rc = 0;
	bool overflow = false;	/* method_compute() checked these very sums */

	for (size_t k = 0; k < b->n_rows; k++) {
		const struct derivation *r = &b->rows[k];

		if (r->practice < 0)
			continue;
		for (int c = 0; c < N_CATS; c++)
			if (strcmp(r->category, category_names[c]) == 0)
				rows_sum[(size_t)r->practice * N_CATS + (size_t)c] += r->d.amount;
	}
	for (size_t i = 0; i < np && !rc; i++) {
		const struct budget_line *bl = &b->practices[i];
		int64_t total = 0;

		for (int c = 0; c < N_CATS && !rc; c++) {
			total += bl->cat[c];
			if (rows_sum[i * N_CATS + (size_t)c] != bl->cat[c]) {
				snprintf(what, sizeof(what), "%s of practice '%s' (derivations)",
					 category_names[c], ds->practices[i].code);
				rc = mismatch(what, rows_sum[i * N_CATS + (size_t)c], bl->cat[c]);
			}
		}
		if (!rc && total != bl->total) {
			snprintf(what, sizeof(what), "total of practice '%s'", ds->practices[i].code);
			rc = mismatch(what, bl->total, total);
		}
	}
	memset(&sum_total, 0, sizeof(sum_total));
	for (size_t c = 0; c < nc && !rc; c++) {
		const struct budget_ccg *bc = &b->ccgs[c];
		struct budget_line sum;
		int64_t planned = 0;

		memset(&sum, 0, sizeof(sum));
		for (size_t i = 0; i < np; i++)
			if (ds->practices[i].ccg == c)
				add_line(&overflow, &sum, &b->practices[i]);
		for (int k = 0; k < N_CATS && !rc; k++) {
			planned += bc->line.cat[k];
			if (sum.cat[k] != bc->line.cat[k]) {
				snprintf(what, sizeof(what), "%s of CCG '%s' (its practices)",
					 category_names[k], ds->ccgs[c].code);
				rc = mismatch(what, sum.cat[k], bc->line.cat[k]);
			}
		}
		if (!rc && sum.total != bc->line.total) {
			snprintf(what, sizeof(what), "total of CCG '%s' (its practices)", ds->ccgs[c].code);
			rc = mismatch(what, sum.total, bc->line.total);
		}
		if (!rc && (planned != bc->planned || bc->planned != bc->line.total)) {
			snprintf(what, sizeof(what), "planned spend of CCG '%s'", ds->ccgs[c].code);
			rc = mismatch(what, bc->planned, planned);
		}
		if (!rc && bc->headroom != bc->allocation - bc->planned - bc->contingency - bc->reserve) {
			snprintf(what, sizeof(what), "headroom of CCG '%s'", ds->ccgs[c].code);
			rc = mismatch(what, bc->headroom,
				      bc->allocation - bc->planned - bc->contingency - bc->reserve);
		}
		add_line(&overflow, &sum_total.line, &bc->line);
		sum_total.planned += bc->planned;
		sum_total.allocation += bc->allocation;
		sum_total.contingency += bc->contingency;
		sum_total.reserve += bc->reserve;
		sum_total.headroom += bc->headroom;
	}
	for (int k = 0; k < N_CATS && !rc; k++) {
		if (sum_total.line.cat[k] != b->total.line.cat[k]) {
			snprintf(what, sizeof(what), "total %s (the CCGs)", category_names[k]);
			rc = mismatch(what, sum_total.line.cat[k], b->total.line.cat[k]);
		}
	}
	if (!rc && sum_total.planned != b->total.planned)
		rc = mismatch("total planned spend (the CCGs)", sum_total.planned, b->total.planned);
	if (!rc && sum_total.headroom != b->total.headroom)
		rc = mismatch("total headroom (the CCGs)", sum_total.headroom, b->total.headroom);
	if (!rc && b->total.headroom != b->total.allocation - b->total.planned -
					 b->total.contingency - b->total.reserve)
		rc = mismatch("total headroom", b->total.headroom,
			      b->total.allocation - b->total.planned - b->total.contingency -
			      b->total.reserve);
	free(rows_sum);
	return rc;
}

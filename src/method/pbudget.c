/*
 * pbudget.c - the payments-only budget: year Y for every CCG from the
 * NHS payments of Y-1 (and Y-2 for growth), by the pound-based rules of
 * the methodology, with a notional allocation and a backtest.  Pure:
 * the years come in read, the result goes out in structs.
 *
 * Amounts are scaled by exact integer ratios (numerator and denominator
 * from the parameters or the data) and rounded half away from zero, one
 * practice and one payment line at a time, so a run is reproducible to
 * the penny.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"
#include "pbudget.h"
#include "strmap.h"
#include "xalloc.h"

__extension__ typedef __int128 i128;

/* ------------------------------------------------------------------ */
/* Parameters (methodology §3; [V] published, [D] from the data, [A]   */
/* assumption)                                                          */

static const struct pb_year_params years[] = {
	{ 2014, 7356, 54600, 15692, 7087, 0,
	  "global sum £73.56, OOH 5.46%, QOF £156.92, average list 7,087 [V] methodology §3" },
	/* £75.77 to September 2015 and £76.51 from October: the year's mean */
	{ 2015, 7614, 53900, 16015, 7223, 734200000000LL,
	  "global sum £75.77/£76.51 (mean £76.14), OOH 5.39%, QOF £160.15, average list 7,223, allocation £7,342m [V] methodology §3" },
	{ 2016, 8059, 51500, 16518, 7460, 765200000000LL,
	  "global sum £80.59, OOH 5.15%, QOF £165.18, average list 7,460, allocation £7,652m [V] methodology §3" },
	{ 2017, 8535, 49000, 17120, 7732, 795800000000LL,
	  "global sum £85.35, OOH ~4.9% [D], QOF £171.20, average list 7,732, allocation £7,958m [V] methodology §3" },
	{ 2018, 8896, 49000, 17926, 8096, 831700000000LL,
	  "global sum £88.96, OOH ~4.9% [D], QOF £179.26, average list ~8,096, allocation £8,317m [V] methodology §3" },
	{ 2019, 8988, 49000, 18774, 8479, 871600000000LL,
	  "global sum £89.88, OOH ~4.9% [D], QOF £187.74, average list ~8,479, allocation £8,716m [V] methodology §3" },
};

static const struct pb_ended ended[] = {
	{ "patient participation", 2015,
	  "DES money reinvested into the global sum from 2015/16 [V] methodology §3.1" },
	{ "alcohol", 2015,
	  "DES money reinvested into the global sum from 2015/16 [V] methodology §3.1" },
	{ "facilitating timely diagnosis and support for people with dementia", 2016,
	  "dementia DES (£42m) moved into core funding in 2016/17 [V] methodology §3.1" },
	{ "unplanned admissions", 2017,
	  "avoiding unplanned admissions DES ended 31 March 2017, moved into global sum [V] methodology §3.1" },
};

static const struct pb_rate_change rates[] = {
	{ "learning disabilities", 2017, 11600, 14000,
	  "learning disability health check £116 -> £140 from 2017/18 [V] methodology §2.2" },
};

const struct pb_params pb_default_params = {
	years, sizeof(years) / sizeof(years[0]),
	ended, sizeof(ended) / sizeof(ended[0]),
	rates, sizeof(rates) / sizeof(rates[0]),
	250000,		/* an ended service's last quarter is paid in arrears [A] */
	5000,		/* contingency 0.5% of the allocation [V] methodology §2.6 */
	10000,		/* non-recurrent reserve 1% [V] methodology §2.6 */
	2013,		/* MPIG phased out in sevenths from 2014/15 [V] methodology §2.1 */
};

const struct pb_year_params *pb_year(const struct pb_params *p, int start)
{
	for (size_t i = 0; i < p->n_years; i++)
		if (p->years[i].start == start)
			return &p->years[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The split: which payment lines the rules tell apart                  */

enum es_kind { ES_PER_HEAD, ES_ACTIVITY, ES_LOCAL };

static const struct es_line {
	const char *header;
	enum es_kind kind;
} es_lines[] = {
	{ "gp extended hours access", ES_PER_HEAD },
	{ "unplanned admissions", ES_PER_HEAD },
	{ "patient participation", ES_PER_HEAD },
	{ "alcohol", ES_ACTIVITY },
	{ "facilitating timely diagnosis and support for people with dementia", ES_ACTIVITY },
	{ "learning disabilities", ES_ACTIVITY },
	{ "minor surgery", ES_ACTIVITY },
	{ "services for violent patients", ES_ACTIVITY },
	{ "out of area in hours urgent care", ES_ACTIVITY },
	{ "improving patient online access", ES_ACTIVITY },
	{ "remote care monitoring", ES_ACTIVITY },
	{ "risk profiling and case management", ES_ACTIVITY },
	{ "medical assessment reviews", ES_ACTIVITY },
	{ "weight management service", ES_ACTIVITY },
	{ "total national enhanced services", ES_ACTIVITY },
	{ "total local enhanced services", ES_LOCAL },
	{ "total local incentive schemes", ES_LOCAL },
	{ "local incentive schemes", ES_LOCAL },
};
#define N_ES_LINES (sizeof(es_lines) / sizeof(es_lines[0]))

enum pb_class {
	C_GLOBAL_SUM,
	C_PMS,
	C_MPIG,
	C_CORE_OTHER,		/* e.g. Other Payments with --other-payments=core */
	C_QOF,
	C_PREMISES,
	C_DISCRETIONARY,
	C_ES_OTHER,		/* an enhanced line without a rule of its own */
	C_ES_FIRST		/* then es_lines[] in order */
};
#define N_CLASSES (C_ES_FIRST + N_ES_LINES)

static int classify(const char *h, enum pay_money cat, void *ctx)
{
	(void)ctx;
	switch (cat) {
	case PAY_CORE_CONTRACT:
		if (strcmp(h, "global sum") == 0)
			return C_GLOBAL_SUM;
		if (strcmp(h, "balance of pms expenditure") == 0)
			return C_PMS;
		if (strcmp(h, "mpig correction factor") == 0)
			return C_MPIG;
		return C_CORE_OTHER;
	case PAY_ENHANCED_SERVICES:
		for (size_t i = 0; i < N_ES_LINES; i++)
			if (strcmp(h, es_lines[i].header) == 0)
				return (int)(C_ES_FIRST + i);
		return C_ES_OTHER;
	case PAY_QOF:
		return C_QOF;
	case PAY_PREMISES:
		return C_PREMISES;
	case PAY_DISCRETIONARY:
		return C_DISCRETIONARY;
	case PAY_OUT_OF_SCOPE:
	case PAY_MEMO_VI:
	case PAY_MEMO_LOCAL_ES:
	case PAY_TOTAL_PUBLISHED:
	case PAY_DEDUCTIONS:
	case PAY_PCN_OUTSIDE:
	case PAY_COVID_OUTSIDE:
	case PAY_N_MONEY:
		break;
	}
	return -1;
}

static const struct pay_split split = { N_CLASSES, classify, NULL };

const struct pay_split *pb_split(void)
{
	return &split;
}

/* ------------------------------------------------------------------ */
/* Arithmetic                                                            */

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

struct ratio {
	int64_t num, den;
};

static int64_t by(int64_t v, struct ratio r)
{
	return r.den > 0 ? scale(v, r.num, r.den) : v;
}

/* ------------------------------------------------------------------ */
/* The budget                                                            */

void pb_result_init(struct pb_result *r)
{
	memset(r, 0, sizeof(*r));
}

void pb_result_release(struct pb_result *r)
{
	free(r->ccgs);
	free(r->practices);
	pb_result_init(r);
}

/* The ratios a run applies, from the parameters and the data. */
struct rules {
	struct ratio price;	/* global sum per weighted patient, net of OOH */
	struct ratio list;	/* England's registered list growth */
	struct ratio pms;	/* continuing PMS practices' contract value growth */
	struct ratio mpig;	/* phase-out */
	struct ratio qof_point, qof_average;
	int year;
	const struct pb_params *p;
};

static const struct pb_ended *ended_line(const struct pb_params *p,
					 const char *h)
{
	for (size_t i = 0; i < p->n_ended; i++)
		if (strcmp(p->ended[i].header, h) == 0)
			return &p->ended[i];
	return NULL;
}

static struct ratio rate_change(const struct pb_params *p, const char *h,
				int year)
{
	for (size_t i = 0; i < p->n_rates; i++)
		if (p->rates[i].year == year && strcmp(p->rates[i].header, h) == 0)
			return (struct ratio){ p->rates[i].to, p->rates[i].from };
	return (struct ratio){ 1, 1 };
}

/* Budget lines of one practice of Y-1 for year Y, and what moves them. */
static void practice_budget(const struct rules *ru, const struct pay_year *y,
			    const struct pay_practice *pr, struct pb_practice *x)
{
	const int64_t *s = pay_split_row(y, pr);
	int64_t contract = s[C_GLOBAL_SUM] + s[C_PMS];
	int64_t *out = x->budget;

	switch ((enum pay_contract)pr->contract) {
	case PAY_GMS:
		contract = by(by(contract, ru->price), ru->list);
		x->list_linked += contract;
		break;
	case PAY_PMS:
		contract = by(contract, ru->pms);
		x->list_linked += contract;
		break;
	case PAY_APMS:
	case PAY_CONTRACT_UNKNOWN:
	case PAY_CONTRACT_ABSENT:
		x->fixed += contract;
		break;	/* fixed-term contract value: as last year */
	}
	x->mpig = by(s[C_MPIG], ru->mpig);
	out[PB_CORE] = contract + x->mpig + s[C_CORE_OTHER];
	x->fixed += x->mpig + s[C_CORE_OTHER];

	out[PB_ENHANCED] = s[C_ES_OTHER];
	x->es_activity += s[C_ES_OTHER];
	for (size_t i = 0; i < N_ES_LINES; i++) {
		const struct pb_ended *e = ended_line(ru->p, es_lines[i].header);
		int64_t v = s[C_ES_FIRST + i];
		bool ending = e && ru->year >= e->first_year;

		if (!v)
			continue;
		if (e && ru->year > e->first_year)
			v = 0;	/* gone, arrears paid */
		else if (e && ru->year == e->first_year)
			v = scale(v, ru->p->arrears_ppm, 1000000);
		else if (es_lines[i].kind == ES_PER_HEAD)
			v = by(v, ru->list);
		if (es_lines[i].kind != ES_LOCAL)
			v = by(v, rate_change(ru->p, es_lines[i].header, ru->year));
		out[PB_ENHANCED] += v;
		if (ending)
			x->fixed += v;
		else if (es_lines[i].kind == ES_PER_HEAD)
			x->list_linked += v;
		else
			x->es_activity += v;
	}
	out[PB_QOF] = by(by(by(s[C_QOF], ru->qof_point), ru->list), ru->qof_average);
	x->qof = out[PB_QOF];
	out[PB_PREMISES] = s[C_PREMISES];
	x->fixed += s[C_PREMISES];
	out[PB_DISCRETIONARY] = 0;	/* apportioned per region afterwards */
	for (size_t q = 0; q < PB_N_CATS; q++)
		x->total += out[q];
}

/* Last year's discretionary payments, per region, to CCGs by weighted list. */
static enum status apportion_discretionary(struct pb_result *r,
					   const struct pay_year *y,
					   const size_t *ccg_of)
{
	struct strmap regions;
	size_t n_regions = 0;
	int64_t *total, *weight, *part;
	enum status st = ST_OK;

	strmap_init(&regions, 16);
	total = xcalloc(y->n + 1, sizeof(*total));
	for (size_t j = 0; j < y->n; j++) {
		bool found;
		size_t *k = strmap_put(&regions, pay_text(y, &y->p[j], PAY_REGION_CODE),
				       n_regions, &found);

		if (!found)
			n_regions++;
		total[*k] += pay_split_row(y, &y->p[j])[C_DISCRETIONARY];
	}
	weight = xcalloc(r->n + 1, sizeof(*weight));
	part = xcalloc(r->n + 1, sizeof(*part));
	for (size_t g = 0; g < n_regions; g++) {
		bool any = false;

		memset(weight, 0, r->n * sizeof(*weight));
		for (size_t j = 0; j < y->n; j++) {
			const size_t *k = strmap_get(&regions,
						     pay_text(y, &y->p[j], PAY_REGION_CODE));

			if (*k == g) {
				weight[ccg_of[j]] += y->p[j].weighted;
				any = true;
			}
		}
		if (!any)
			continue;
		if (money_apportion(total[g], weight, r->n, part) != 0) {
			diag_error("cannot apportion the discretionary payments of "
				   "region %zu by weighted list (no weighted patients)", g);
			st = ST_DATA;
			break;
		}
		for (size_t i = 0; i < r->n; i++)
			r->ccgs[i].budget[PB_DISCRETIONARY] += part[i];
	}
	free(total);
	free(weight);
	free(part);
	strmap_release(&regions);
	return st;
}

/* Sum of the contract value of practices PMS in both a and b. */
static void pms_growth(const struct pay_year *now, const struct pay_year *before,
		       int64_t *v_now, int64_t *v_before)
{
	struct strmap m;

	*v_now = *v_before = 0;
	strmap_init(&m, before->n);
	for (size_t j = 0; j < before->n; j++) {
		bool found;

		if (before->p[j].contract == PAY_PMS)
			strmap_put(&m, pay_text(before, &before->p[j], PAY_PRACTICE_CODE),
				   j, &found);
	}
	for (size_t j = 0; j < now->n; j++) {
		const struct pay_practice *p = &now->p[j];
		const size_t *k;
		const int64_t *a, *b;

		if (p->contract != PAY_PMS)
			continue;
		k = strmap_get(&m, pay_text(now, p, PAY_PRACTICE_CODE));
		if (!k)
			continue;
		a = pay_split_row(now, p);
		b = pay_split_row(before, &before->p[*k]);
		*v_now += a[C_GLOBAL_SUM] + a[C_PMS];
		*v_before += b[C_GLOBAL_SUM] + b[C_PMS];
	}
	strmap_release(&m);
}

enum status pb_build(struct pb_result *r, const struct pay_year *ys, size_t n,
		     int year, const struct pb_params *p)
{
	const struct pay_year *base = NULL, *before = NULL;
	const struct pb_year_params *py = pb_year(p, year), *pb = pb_year(p, year - 1);
	struct rules ru;
	size_t *ccg_of = NULL;
	char label[8];
	enum status st;

	pay_year_label(year, label);
	for (size_t i = 0; i < n; i++) {
		if (ys[i].start == year - 1)
			base = &ys[i];
		if (ys[i].start == year - 2)
			before = &ys[i];
	}
	if (!py || !pb || !py->allocation || !pb->allocation) {
		diag_error("no parameters to budget %s: the rates of methodology §3 "
			   "cover the global sum, QOF and allocations for 2016/17 to "
			   "2019/20 budgets", label);
		return ST_CONFIG;
	}
	if (!base) {
		diag_error("budgeting %s needs the payments of the year before", label);
		return ST_DATA;
	}
	if (!base->split || (before && !before->split))
		BUG("pb_build() on years read without pb_split()");

	memset(&ru, 0, sizeof(ru));
	ru.year = year;
	ru.p = p;
	ru.price = (struct ratio){ py->global_sum * (1000000 - py->ooh_ppm),
				   pb->global_sum * (1000000 - pb->ooh_ppm) };
	ru.qof_point = (struct ratio){ py->qof_point, pb->qof_point };
	ru.qof_average = (struct ratio){ pb->average_list, py->average_list };
	{
		int64_t k1 = year - p->mpig_base_year, k0 = k1 - 1;

		ru.mpig = (struct ratio){ k1 < 7 ? 7 - k1 : 0, k0 < 7 ? 7 - k0 : 1 };
	}
	r->year = year;
	r->base = base;
	r->derived.list_now = base->national.registered;
	r->derived.have_before = before != NULL;
	ru.list = (struct ratio){ 1, 1 };
	ru.pms = (struct ratio){ 1, 1 };
	if (before) {
		r->derived.list_before = before->national.registered;
		if (r->derived.list_before > 0)
			ru.list = (struct ratio){ r->derived.list_now, r->derived.list_before };
		pms_growth(base, before, &r->derived.pms_now, &r->derived.pms_before);
		if (r->derived.pms_before > 0)
			ru.pms = (struct ratio){ r->derived.pms_now, r->derived.pms_before };
	}

	/* CCGs of Y-1; its practices are sorted by CCG, in the same order */
	r->n = base->n_ccgs;
	r->ccgs = xcalloc(r->n ? r->n : 1, sizeof(*r->ccgs));
	ccg_of = xcalloc(base->n ? base->n : 1, sizeof(*ccg_of));
	r->practices = xcalloc(base->n ? base->n : 1, sizeof(*r->practices));
	r->n_practices = base->n;
	for (size_t i = 0, j = 0; i < base->n_ccgs; i++) {
		struct pb_ccg *c = &r->ccgs[i];
		const struct pay_ccg *bc = &base->ccgs[i];

		c->code = bc->code;
		c->name = bc->name;
		c->practices = bc->practices;
		c->registered = bc->registered;
		c->weighted = bc->weighted;
		for (size_t k = 0; k < PAY_N_BUDGET; k++)
			c->last_year += bc->m[k];
		for (size_t k = 0; k < bc->practices; k++, j++) {
			struct pb_practice *x = &r->practices[j];

			ccg_of[j] = i;
			x->base = j;
			x->ccg = i;
			c->region = pay_text(base, &base->p[j], PAY_REGION_CODE);
			practice_budget(&ru, base, &base->p[j], x);
			for (size_t q = 0; q < PB_N_CATS; q++)
				c->budget[q] += x->budget[q];
		}
	}
	st = apportion_discretionary(r, base, ccg_of);
	free(ccg_of);
	if (st != ST_OK) {
		pb_result_release(r);
		return st;
	}

	/* totals, the notional allocation, reserves and headroom */
	memset(&r->england, 0, sizeof(r->england));
	r->england.code = "ENGLAND";
	r->england.name = "England";
	r->england.region = "";
	r->england.allocation_notional = true;
	for (size_t i = 0; i < r->n; i++) {
		struct pb_ccg *c = &r->ccgs[i];

		for (size_t q = 0; q < PB_N_CATS; q++)
			c->budget_total += c->budget[q];
		c->allocation = scale(c->last_year, py->allocation, pb->allocation);
		c->allocation_notional = true;
		c->contingency = scale(c->allocation, p->contingency_ppm, 1000000);
		c->reserve = scale(c->allocation, p->reserve_ppm, 1000000);
		c->headroom = c->allocation - c->budget_total - c->contingency - c->reserve;

		r->england.practices += c->practices;
		r->england.registered += c->registered;
		r->england.weighted += c->weighted;
		for (size_t q = 0; q < PB_N_CATS; q++)
			r->england.budget[q] += c->budget[q];
		r->england.budget_total += c->budget_total;
		r->england.last_year += c->last_year;
		r->england.allocation += c->allocation;
		r->england.contingency += c->contingency;
		r->england.reserve += c->reserve;
		r->england.headroom += c->headroom;
	}
	return ST_OK;
}

/* ------------------------------------------------------------------ */
/* Backtest                                                              */

void pb_backtest_release(struct pb_backtest *b)
{
	free(b->ccgs);
	memset(b, 0, sizeof(*b));
}

static int64_t error_ppm(int64_t x, int64_t actual)
{
	int64_t d = x > actual ? x - actual : actual - x;

	return scale(d, 1000000, actual < 0 ? -actual : actual);
}

void pb_backtest(struct pb_backtest *b, const struct pb_result *r,
		 const struct pay_year *actual)
{
	const struct pay_year *base = r->base;
	struct strmap practices, ccgs;
	double sum_b = 0, sum_n = 0;
	size_t counted = 0;

	memset(b, 0, sizeof(*b));
	b->n = r->n;
	b->ccgs = xcalloc(r->n ? r->n : 1, sizeof(*b->ccgs));
	strmap_init(&ccgs, r->n);
	for (size_t i = 0; i < r->n; i++) {
		bool found;

		strmap_put(&ccgs, r->ccgs[i].code, i, &found);
		b->ccgs[i].code = r->ccgs[i].code;
		b->ccgs[i].budget = r->ccgs[i].budget_total;
		b->ccgs[i].naive = r->ccgs[i].last_year;
	}
	/* each practice of Y-1 -> its CCG then */
	strmap_init(&practices, base->n);
	for (size_t j = 0; j < base->n; j++) {
		const size_t *c = strmap_get(&ccgs, pay_text(base, &base->p[j], PAY_CCG_CODE));
		bool found;

		strmap_put(&practices, pay_text(base, &base->p[j], PAY_PRACTICE_CODE),
			   *c, &found);
	}
	for (size_t j = 0; j < actual->n; j++) {
		const struct pay_practice *p = &actual->p[j];
		const size_t *c = strmap_get(&practices, pay_text(actual, p, PAY_PRACTICE_CODE));
		int64_t paid = 0;

		if (!c)	/* a new practice: by its own CCG code, if that existed */
			c = strmap_get(&ccgs, pay_text(actual, p, PAY_CCG_CODE));
		if (!c)
			continue;
		for (size_t k = 0; k < PAY_N_BUDGET; k++)
			paid += p->m[k];
		b->ccgs[*c].actual += paid;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct pb_check *k = &b->ccgs[i];

		if (k->actual <= 0) {
			b->skipped++;
			continue;
		}
		k->budget_err_ppm = error_ppm(k->budget, k->actual);
		k->naive_err_ppm = error_ppm(k->naive, k->actual);
		sum_b += (double)k->budget_err_ppm;
		sum_n += (double)k->naive_err_ppm;
		counted++;
	}
	if (counted) {
		b->mape_budget = sum_b / (double)counted / 10000.0;
		b->mape_naive = sum_n / (double)counted / 10000.0;
	}
	strmap_release(&practices);
	strmap_release(&ccgs);
}

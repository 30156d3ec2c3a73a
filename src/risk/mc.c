/*
 * mc.c - Monte Carlo of next year's spend per CCG (see mc.h).
 *
 * The risk stage's engine: takes a struct mc_model built by the budget
 * engine or the backtest, draws the methodology §4 drivers, and returns
 * per-CCG summaries.  Layout of a run:
 *   1. check the parameters (every problem reported), derive constants;
 *   2. "prepare": copy the model into group-ordered arrays of doubles
 *      (CSR offsets per group), so the hot loop walks memory in order;
 *   3. OpenMP over fixed blocks of iterations, one taus2 generator per
 *      thread, reseeded per block from the master seed; each iteration
 *      writes its per-CCG totals at its own index;
 *   4. summaries in index order: sort a copy per CCG for the quantiles.
 */
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mc.h"
#include "xalloc.h"

/* Standard normal 90th percentile: the tornado's low/high distance. */
#define Z90 1.2815515655446004

/* ---- the model ---------------------------------------------------- */

void mc_model_init(struct mc_model *m)
{
	memset(m, 0, sizeof(*m));
}

void mc_model_release(struct mc_model *m)
{
	for (size_t i = 0; i < m->n_groups; i++)
		free(m->groups[i].code);
	free(m->groups);
	free(m->units);
	free(m->schemes);
	mc_model_init(m);
}

long mc_model_add_group(struct mc_model *m, const char *code,
			int64_t allocation, int64_t contingency,
			int64_t reserve, int64_t discretionary)
{
	struct mc_group *g;

	if (!code || !*code || contingency < 0 || reserve < 0 ||
	    discretionary < 0)
		return -1;
	ALLOC_GROW(m->groups, m->n_groups + 1, m->alloc_groups);
	g = &m->groups[m->n_groups];
	g->code = xstrdup(code);
	g->allocation = allocation;
	g->contingency = contingency;
	g->reserve = reserve;
	g->discretionary = discretionary;
	return (long)m->n_groups++;
}

int mc_model_add_unit(struct mc_model *m, const struct mc_unit *u)
{
	if (u->group >= m->n_groups)
		return -1;
	ALLOC_GROW(m->units, m->n_units + 1, m->alloc_units);
	m->units[m->n_units++] = *u;
	return 0;
}

int mc_model_add_scheme(struct mc_model *m, const struct mc_scheme *s)
{
	if (s->group >= m->n_groups || s->annual < 0 ||
	    !(s->start_month >= 0.0 && s->start_month <= 12.0) ||
	    (s->has_probability &&
	     !(s->probability >= 0.0 && s->probability <= 1.0)))
		return -1;
	ALLOC_GROW(m->schemes, m->n_schemes + 1, m->alloc_schemes);
	m->schemes[m->n_schemes++] = *s;
	return 0;
}

/* Rounds double pence to int64 pence, half away from zero; -1 if out of range. */
static int to_pence(double x, int64_t *out)
{
	if (!isfinite(x) || fabs(x) >= 9.0e15)
		return -1;
	*out = (int64_t)llround(x);
	return 0;
}

int64_t mc_model_planned(const struct mc_model *m, size_t g)
{
	int64_t sum = 0, part = 0;
	double schemes = 0.0;

	if (g >= m->n_groups)
		return 0;
	for (size_t i = 0; i < m->n_units; i++) {
		const struct mc_unit *u = &m->units[i];

		if (u->group != g)
			continue;
		sum += u->fixed + u->list_linked + u->qof + u->es_activity +
		       u->rent + u->apms_ending;
	}
	for (size_t i = 0; i < m->n_schemes; i++)
		if (m->schemes[i].group == g)
			schemes += (double)m->schemes[i].annual *
				   (12.0 - m->schemes[i].start_month) / 12.0;
	if (to_pence(schemes, &part) == 0)
		sum += part;
	return sum + m->groups[g].discretionary;
}

/* ---- parameters ------------------------------------------------------ */

enum bound { B_ANY, B_NONNEG, B_PROB, B_POS, B_GROWTH, B_CLAIMS };

static const struct field {
	const char *key;
	size_t offset;
	enum bound bound;
} fields[] = {
#define F(k, b) { #k, offsetof(struct mc_params, k), b }
	F(list_growth_mean, B_GROWTH),
	F(list_growth_sd_ccg, B_NONNEG),
	F(list_growth_sd_practice, B_NONNEG),
	F(qof_ratio_mean, B_POS),
	F(qof_ratio_sd_ccg, B_NONNEG),
	F(qof_ratio_sd_practice, B_NONNEG),
	F(qof_ratio_max, B_POS),
	F(es_volume_mean, B_POS),
	F(es_volume_sigma_ccg, B_NONNEG),
	F(es_volume_sigma_practice, B_NONNEG),
	F(pipeline_probability, B_PROB),
	F(pipeline_delay_max_months, B_NONNEG),
	F(rent_review_prob, B_PROB),
	F(rent_uplift_mean, B_ANY),
	F(rent_uplift_sd, B_NONNEG),
	F(apms_cost_mean, B_POS),
	F(apms_cost_sigma, B_NONNEG),
	F(pms_slip_max, B_PROB),
	F(disc_mean, B_POS),
	F(disc_claims, B_CLAIMS),
	F(disc_claim_cv, B_NONNEG),
#undef F
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

size_t mc_params_count(void)
{
	return N_FIELDS;
}

const char *mc_params_key(size_t i)
{
	return i < N_FIELDS ? fields[i].key : NULL;
}

double *mc_params_field(struct mc_params *p, const char *key)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].key, key) == 0)
			return (double *)(void *)((char *)p + fields[i].offset);
	return NULL;
}

static double field_value(const struct mc_params *p, size_t i)
{
	double v;

	memcpy(&v, (const char *)p + fields[i].offset, sizeof(v));
	return v;
}

int mc_params_check(const struct mc_params *p, const char *section)
{
	int rc = 0;

	for (size_t i = 0; i < N_FIELDS; i++) {
		double v = field_value(p, i);
		const char *why = NULL;

		if (!isfinite(v))
			why = "is not a finite number";
		else
			switch (fields[i].bound) {
			case B_ANY:
				break;
			case B_NONNEG:
				if (v < 0.0)
					why = "must not be negative";
				break;
			case B_PROB:
				if (v < 0.0 || v > 1.0)
					why = "must be between 0 and 1";
				break;
			case B_POS:
				if (!(v > 0.0))
					why = "must be greater than 0";
				break;
			case B_GROWTH:
				if (!(v > -1.0))
					why = "must be greater than -1";
				break;
			case B_CLAIMS:
				if (!(v > 0.0 && v <= 10000.0))
					why = "must be greater than 0 and at most 10000";
				break;
			}
		if (why)
			rc = diag_error("risk parameter '%s' in [%s] %s (got %g)",
					fields[i].key, section, why, v);
	}
	return rc;
}

const char *mc_driver_name(enum mc_driver d)
{
	switch (d) {
	case MC_LIST_GROWTH: return "list_growth";
	case MC_QOF_ACHIEVEMENT: return "qof_achievement";
	case MC_ES_ACTIVITY: return "es_activity";
	case MC_PREMISES_PIPELINE: return "premises_pipeline";
	case MC_RENT_REVIEW: return "rent_review";
	case MC_APMS_REPROCUREMENT: return "apms_reprocurement";
	case MC_PMS_RELEASE: return "pms_release";
	case MC_DISCRETIONARY: return "discretionary";
	case MC_N_DRIVERS: break;
	}
	return "?";
}

const char *mc_driver_unit(enum mc_driver d)
{
	switch (d) {
	case MC_LIST_GROWTH: return "list growth rate";
	case MC_QOF_ACHIEVEMENT: return "QOF achievement ratio";
	case MC_ES_ACTIVITY: return "activity ES volume multiplier";
	case MC_PREMISES_PIPELINE: return "scheme delay in months";
	case MC_RENT_REVIEW: return "rent uplift when a review is due";
	case MC_APMS_REPROCUREMENT: return "re-procured cost ratio";
	case MC_PMS_RELEASE: return "share of premium release slipping";
	case MC_DISCRETIONARY: return "discretionary spend multiplier";
	case MC_N_DRIVERS: break;
	}
	return "?";
}

/* ---- splitmix64 seeding -------------------------------------------- */

uint64_t mc_splitmix64(uint64_t x)
{
	uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

unsigned long mc_block_seed(uint64_t master, uint64_t block)
{
	return (unsigned long)(1 + mc_splitmix64(master ^ mc_splitmix64(block)) %
				   UINT64_C(0xFFFFFFFF));
}

/* ---- the prepared model --------------------------------------------- */

/* which amounts of a unit are non-zero, i.e. need draws */
enum has { HAS_LIST = 1, HAS_QOF = 2, HAS_ES = 4, HAS_RENT = 8, HAS_APMS = 16,
	   HAS_PMS = 32 };

struct unit_d {
	double fixed, list, qof, es, rent, apms, pms;
	unsigned has;		/* enum has */
};

struct scheme_d {
	double annual, m0, prob;	/* m0 = 12 - start_month */
};

/* Constants derived once from the parameters. */
struct derived {
	double g_mean, g_sc, g_sp, inv_1g;
	double q_mean, q_sc, q_sp, q_max;
	double es_mean, es_sc, es_hc, es_sp, es_hp;	/* h = sigma^2 / 2 */
	double delay;
	double rent_p, rent_mean, rent_sd;
	double apms_mu, apms_sigma;
	double pms_slip;
	double disc_lambda, disc_k, disc_hk;
};

struct prep {
	size_t n_groups;
	size_t *ustart;		/* n_groups + 1 */
	struct unit_d *u;
	size_t *sstart;		/* n_groups + 1 */
	struct scheme_d *s;
	double *disc;		/* per group: expected discretionary (x disc_mean) */
	bool *has_disc;		/* per group: discretionary base != 0 */
};

static void derive(const struct mc_params *p, struct derived *d)
{
	d->g_mean = p->list_growth_mean;
	d->g_sc = p->list_growth_sd_ccg;
	d->g_sp = p->list_growth_sd_practice;
	d->inv_1g = 1.0 / (1.0 + p->list_growth_mean);
	d->q_mean = p->qof_ratio_mean;
	d->q_sc = p->qof_ratio_sd_ccg;
	d->q_sp = p->qof_ratio_sd_practice;
	d->q_max = p->qof_ratio_max;
	d->es_mean = p->es_volume_mean;
	d->es_sc = p->es_volume_sigma_ccg;
	d->es_hc = p->es_volume_sigma_ccg * p->es_volume_sigma_ccg / 2.0;
	d->es_sp = p->es_volume_sigma_practice;
	d->es_hp = p->es_volume_sigma_practice * p->es_volume_sigma_practice / 2.0;
	d->delay = p->pipeline_delay_max_months;
	d->rent_p = p->rent_review_prob;
	d->rent_mean = p->rent_uplift_mean;
	d->rent_sd = p->rent_uplift_sd;
	d->apms_mu = log(p->apms_cost_mean) -
		     p->apms_cost_sigma * p->apms_cost_sigma / 2.0;
	d->apms_sigma = p->apms_cost_sigma;
	d->pms_slip = p->pms_slip_max;
	d->disc_lambda = p->disc_claims;
	d->disc_k = sqrt(log1p(p->disc_claim_cv * p->disc_claim_cv));
	d->disc_hk = d->disc_k * d->disc_k / 2.0;
}

static void prep_build(struct prep *pp, const struct mc_model *m,
		       const struct mc_params *p)
{
	size_t ng = m->n_groups;
	size_t *fill;

	pp->n_groups = ng;
	pp->ustart = xcalloc(ng + 1, sizeof(size_t));
	pp->sstart = xcalloc(ng + 1, sizeof(size_t));
	pp->u = xreallocarray(NULL, m->n_units ? m->n_units : 1, sizeof(*pp->u));
	pp->s = xreallocarray(NULL, m->n_schemes ? m->n_schemes : 1, sizeof(*pp->s));
	pp->disc = xreallocarray(NULL, ng, sizeof(double));
	pp->has_disc = xreallocarray(NULL, ng, sizeof(bool));
	fill = xcalloc(ng + 1, sizeof(size_t));

	/* counting sort by group, stable: units keep the order they were added */
	for (size_t i = 0; i < m->n_units; i++)
		pp->ustart[m->units[i].group + 1]++;
	for (size_t g = 0; g < ng; g++)
		pp->ustart[g + 1] += pp->ustart[g];
	memcpy(fill, pp->ustart, (ng + 1) * sizeof(size_t));
	for (size_t i = 0; i < m->n_units; i++) {
		const struct mc_unit *u = &m->units[i];
		struct unit_d *d = &pp->u[fill[u->group]++];

		d->fixed = (double)u->fixed;
		d->list = (double)u->list_linked;
		d->qof = (double)u->qof;
		d->es = (double)u->es_activity;
		d->rent = (double)u->rent;
		d->apms = (double)u->apms_ending;
		d->pms = (double)u->pms_release;
		d->has = (u->list_linked ? HAS_LIST : 0u) | (u->qof ? HAS_QOF : 0u) |
			 (u->es_activity ? HAS_ES : 0u) | (u->rent ? HAS_RENT : 0u) |
			 (u->apms_ending ? HAS_APMS : 0u) |
			 (u->pms_release ? HAS_PMS : 0u);
	}

	for (size_t i = 0; i < m->n_schemes; i++)
		pp->sstart[m->schemes[i].group + 1]++;
	for (size_t g = 0; g < ng; g++)
		pp->sstart[g + 1] += pp->sstart[g];
	memcpy(fill, pp->sstart, (ng + 1) * sizeof(size_t));
	for (size_t i = 0; i < m->n_schemes; i++) {
		const struct mc_scheme *s = &m->schemes[i];
		struct scheme_d *d = &pp->s[fill[s->group]++];

		d->annual = (double)s->annual;
		d->m0 = 12.0 - s->start_month;
		d->prob = s->has_probability ? s->probability : p->pipeline_probability;
	}
	for (size_t g = 0; g < ng; g++) {
		pp->disc[g] = (double)m->groups[g].discretionary * p->disc_mean;
		pp->has_disc[g] = m->groups[g].discretionary != 0;
	}
	free(fill);
}

static void prep_release(struct prep *pp)
{
	free(pp->ustart);
	free(pp->sstart);
	free(pp->u);
	free(pp->s);
	free(pp->disc);
	free(pp->has_disc);
}

/* ---- one simulated year ------------------------------------------- */

struct counts {
	unsigned long long gauss, unif, pois;
};

static inline double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static double months_live(double m0, double delay)
{
	return clamp(m0 - delay, 0.0, 12.0);
}

/*
 * One CCG's spend in one simulated year.  The order of draws is part of
 * the documented stream layout: 4 shared normals, then per practice its
 * own draws, then the schemes, then the claims.
 */
static double sim_group(const struct prep *pp, const struct derived *d,
			size_t g, gsl_rng *r, struct counts *c)
{
	double zl = gsl_ran_gaussian_ziggurat(r, 1.0);
	double zq = gsl_ran_gaussian_ziggurat(r, 1.0);
	double ze = gsl_ran_gaussian_ziggurat(r, 1.0);
	double zr = gsl_ran_gaussian_ziggurat(r, 1.0);
	double g_c = d->g_mean + d->g_sc * zl;
	double q_c = d->q_mean + d->q_sc * zq;
	double es_c = d->es_mean * exp(d->es_sc * ze - d->es_hc);
	double uplift = d->rent_mean + d->rent_sd * zr;
	unsigned long long ng = 4, nu = 0, np = 0;
	double total = 0.0;

	if (uplift < 0.0)
		uplift = 0.0;	/* upward-only review */

	for (size_t i = pp->ustart[g]; i < pp->ustart[g + 1]; i++) {
		const struct unit_d *u = &pp->u[i];
		double s = u->fixed;

		if (u->has & (HAS_LIST | HAS_QOF)) {
			double gp = g_c + d->g_sp * gsl_ran_gaussian_ziggurat(r, 1.0);

			ng++;
			s += u->list * (1.0 + gp);
			if (u->has & HAS_QOF) {
				double q = q_c + d->q_sp * gsl_ran_gaussian_ziggurat(r, 1.0);

				ng++;
				s += u->qof * clamp(q, 0.0, d->q_max) *
				     (1.0 + gp) * d->inv_1g;
			}
		}
		if (u->has & HAS_ES) {
			double z = gsl_ran_gaussian_ziggurat(r, 1.0);

			ng++;
			s += u->es * es_c * exp(d->es_sp * z - d->es_hp);
		}
		if (u->has & HAS_RENT) {
			nu++;
			s += u->rent;
			if (gsl_rng_uniform(r) < d->rent_p)
				s += u->rent * uplift;
		}
		if (u->has & HAS_APMS) {
			double z = gsl_ran_gaussian_ziggurat(r, 1.0);

			ng++;
			s += u->apms * exp(d->apms_mu + d->apms_sigma * z);
		}
		if (u->has & HAS_PMS) {
			nu++;
			s += u->pms * d->pms_slip * gsl_rng_uniform(r);
		}
		total += s;
	}

	for (size_t i = pp->sstart[g]; i < pp->sstart[g + 1]; i++) {
		const struct scheme_d *sc = &pp->s[i];

		nu++;
		if (gsl_rng_uniform(r) < sc->prob) {
			nu++;
			total += sc->annual *
				 months_live(sc->m0, d->delay * gsl_rng_uniform(r)) / 12.0;
		}
	}

	if (pp->has_disc[g]) {
		unsigned int n = gsl_ran_poisson(r, d->disc_lambda);
		double claim = pp->disc[g] / d->disc_lambda;

		np++;
		for (unsigned int k = 0; k < n; k++)
			total += claim * exp(d->disc_k *
					     gsl_ran_gaussian_ziggurat(r, 1.0) - d->disc_hk);
		ng += n;
	}
	c->gauss += ng;
	c->unif += nu;
	c->pois += np;
	return total;
}

/* ---- summaries -------------------------------------------------------- */

static int summarise(const double *col, size_t n, double *scratch,
		     struct mc_summary *s)
{
	double a = (double)s->allocation;
	double ac = a - (double)s->contingency;
	double acr = ac - (double)s->reserve;
	double sum = 0.0, shortfall = 0.0;
	size_t over_a = 0, over_c = 0, over_cr = 0;

	for (size_t i = 0; i < n; i++) {
		double x = col[i];

		if (!isfinite(x))
			return -1;
		sum += x;
		if (x > a) {
			over_a++;
			shortfall += x - a;
		}
		over_c += x > ac;
		over_cr += x > acr;
		scratch[i] = x;
	}
	gsl_sort(scratch, 1, n);
	if (to_pence(gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.05), &s->p5) ||
	    to_pence(gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.50), &s->p50) ||
	    to_pence(gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.80), &s->p80) ||
	    to_pence(gsl_stats_quantile_from_sorted_data(scratch, 1, n, 0.95), &s->p95) ||
	    to_pence(sum / (double)n, &s->mean) ||
	    to_pence(shortfall / (double)n, &s->expected_shortfall))
		return -1;
	s->prob_over_allocation = (double)over_a / (double)n;
	s->prob_over_contingency = (double)over_c / (double)n;
	s->prob_over_contingency_and_reserve = (double)over_cr / (double)n;
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

static void result_init(struct mc_result *res)
{
	memset(res, 0, sizeof(*res));
	res->generator = MC_GENERATOR;
}

void mc_result_release(struct mc_result *res)
{
	free(res->totals);
	free(res->groups);
	result_init(res);
}

enum status mc_run(const struct mc_model *m, const struct mc_params *p,
		   const struct mc_config *cfg, struct mc_result *res)
{
	struct prep pp;
	struct derived d;
	struct counts *bc = NULL;
	double *col = NULL, *scratch = NULL;
	size_t ng = m->n_groups, iters = cfg->iterations, bs, nblocks;
	int nt;
	bool rng_failed = false;
	enum status st = ST_OK;

	result_init(res);
	if (mc_params_check(p, "risk") != 0)
		return ST_CONFIG;
	if (iters == 0) {
		diag_error("the number of iterations must be at least 1");
		return ST_USAGE;
	}
	if (ng == 0) {
		diag_error("nothing to simulate: the model has no CCG");
		return ST_USAGE;
	}
	bs = cfg->block_size ? cfg->block_size : MC_DEFAULT_BLOCK;
	nblocks = (iters + bs - 1) / bs;
	nt = cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
	if (nt < 1)
		nt = 1;

	res->seed = cfg->seed;
	res->iterations = iters;
	res->block_size = bs;
	res->threads = nt;
	res->n_groups = ng;
	res->totals = xreallocarray(NULL, iters, ng * sizeof(double));
	res->groups = xcalloc(ng, sizeof(*res->groups));

	derive(p, &d);
	prep_build(&pp, m, p);
	bc = xcalloc(nblocks, sizeof(*bc));

#pragma omp parallel num_threads(nt)
	{
		/*
		 * Each thread allocates its own generator: allocated together
		 * by one thread, the small states would share a cache line and
		 * every draw would bounce it between cores.
		 */
		gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
		long b;

		if (!r) {
#pragma omp atomic write
			rng_failed = true;
		}
#pragma omp for schedule(dynamic, 1)
		for (b = 0; b < (long)nblocks; b++) {
			size_t first = (size_t)b * bs;
			size_t last = first + bs < iters ? first + bs : iters;
			struct counts c = { 0, 0, 0 };

			gsl_rng_set(r, mc_block_seed(cfg->seed, (uint64_t)b));
			if (!r)
				continue;
			for (size_t it = first; it < last; it++) {
				double *row = res->totals + it * ng;

				for (size_t g = 0; g < ng; g++)
					row[g] = sim_group(&pp, &d, g, r, &c);
			}
			bc[b] = c;
		}
		gsl_rng_free(r);
	}
	if (rng_failed) {
		diag_error("out of memory");
		st = ST_INTERNAL;
		goto out;
	}
	for (size_t b = 0; b < nblocks; b++) {
		res->n_gaussian += bc[b].gauss;
		res->n_uniform += bc[b].unif;
		res->n_poisson += bc[b].pois;
	}

	/* summaries, in index order so they do not depend on the threads */
	col = xreallocarray(NULL, iters, sizeof(double));
	scratch = xreallocarray(NULL, iters, sizeof(double));
	for (size_t g = 0; g < ng; g++) {
		struct mc_summary *s = &res->groups[g];

		s->allocation = m->groups[g].allocation;
		s->contingency = m->groups[g].contingency;
		s->reserve = m->groups[g].reserve;
		s->planned = mc_model_planned(m, g);
		res->total.allocation += s->allocation;
		res->total.contingency += s->contingency;
		res->total.reserve += s->reserve;
		res->total.planned += s->planned;
		for (size_t it = 0; it < iters; it++)
			col[it] = res->totals[it * ng + g];
		if (summarise(col, iters, scratch, s) != 0) {
			diag_error("the simulation gave a non-finite or out-of-range "
				   "spend for CCG '%s': check the risk parameters",
				   m->groups[g].code);
			st = ST_CONFIG;
			goto out;
		}
	}
	for (size_t it = 0; it < iters; it++) {
		double sum = 0.0;

		for (size_t g = 0; g < ng; g++)
			sum += res->totals[it * ng + g];
		col[it] = sum;
	}
	if (summarise(col, iters, scratch, &res->total) != 0) {
		diag_error("the simulation gave a non-finite or out-of-range "
			   "total spend: check the risk parameters");
		st = ST_CONFIG;
	}
out:
	free(bc);
	free(col);
	free(scratch);
	prep_release(&pp);
	return st;
}

/* ---- tornado ---------------------------------------------------------- */

enum pipe_mode { PIPE_EXPECTED, PIPE_LOW, PIPE_HIGH };

/* Every driver fixed at one value: the deterministic year. */
struct setting {
	double g, q, es, rent_eff, apms, pms, disc;
	enum pipe_mode pipe;
};

static double avg_months(double m0, double dmax)
{
	/* E[max(0, min(12, m0 - U dmax))] for U ~ uniform(0, 1), m0 <= 12 */
	if (m0 <= 0.0)
		return 0.0;
	if (!(dmax > 0.0))
		return m0;
	if (dmax <= m0)
		return m0 - dmax / 2.0;
	return m0 * m0 / (2.0 * dmax);
}

static double scheme_spend(const struct mc_scheme *s, const struct mc_params *p,
			   enum pipe_mode mode)
{
	double prob = s->has_probability ? s->probability : p->pipeline_probability;
	double m0 = 12.0 - s->start_month, dmax = p->pipeline_delay_max_months;
	double months = 0.0;

	switch (mode) {
	case PIPE_EXPECTED:
		months = prob * avg_months(m0, dmax);
		break;
	case PIPE_LOW:	/* arrival at its 10th percentile, delay at its 90th */
		months = prob > 0.9 ? months_live(m0, 0.9 * dmax) : 0.0;
		break;
	case PIPE_HIGH:	/* arrival at its 90th percentile, delay at its 10th */
		months = prob > 0.1 ? months_live(m0, 0.1 * dmax) : 0.0;
		break;
	}
	return (double)s->annual * months / 12.0;
}

static void det_spend(const struct mc_model *m, const struct mc_params *p,
		      const struct setting *st, int64_t *out)
{
	double *sum = xcalloc(m->n_groups, sizeof(double));
	double total = 0.0, q = clamp(st->q, 0.0, p->qof_ratio_max);
	double cpi = (1.0 + st->g) / (1.0 + p->list_growth_mean);

	for (size_t i = 0; i < m->n_units; i++) {
		const struct mc_unit *u = &m->units[i];

		sum[u->group] += (double)u->fixed +
				 (double)u->list_linked * (1.0 + st->g) +
				 (double)u->qof * q * cpi +
				 (double)u->es_activity * st->es +
				 (double)u->rent * (1.0 + st->rent_eff) +
				 (double)u->apms_ending * st->apms +
				 (double)u->pms_release * st->pms;
	}
	for (size_t i = 0; i < m->n_schemes; i++)
		sum[m->schemes[i].group] += scheme_spend(&m->schemes[i], p, st->pipe);
	for (size_t g = 0; g < m->n_groups; g++) {
		sum[g] += (double)m->groups[g].discretionary * st->disc;
		if (to_pence(sum[g], &out[g]) != 0)
			out[g] = INT64_MAX;	/* unreachable after the parameter check */
		total += sum[g];
	}
	if (to_pence(total, &out[m->n_groups]) != 0)
		out[m->n_groups] = INT64_MAX;
	free(sum);
}

void mc_tornado_release(struct mc_tornado *t)
{
	free(t->base);
	for (int i = 0; i < MC_N_DRIVERS; i++) {
		free(t->bars[i].low);
		free(t->bars[i].high);
	}
	memset(t, 0, sizeof(*t));
}

enum status mc_tornado(const struct mc_model *m, const struct mc_params *p,
		       struct mc_tornado *t)
{
	struct setting base;
	size_t n = m->n_groups + 1;
	double es_h = p->es_volume_sigma_ccg * p->es_volume_sigma_ccg / 2.0;
	double a_h = p->apms_cost_sigma * p->apms_cost_sigma / 2.0;
	double cv2 = p->disc_claim_cv * p->disc_claim_cv;
	double dk = sqrt(log1p((1.0 + cv2) / p->disc_claims));

	memset(t, 0, sizeof(*t));
	if (mc_params_check(p, "risk") != 0)
		return ST_CONFIG;
	t->n_groups = m->n_groups;
	base.g = p->list_growth_mean;
	base.q = p->qof_ratio_mean;
	base.es = p->es_volume_mean;
	base.rent_eff = p->rent_review_prob * fmax(0.0, p->rent_uplift_mean);
	base.apms = p->apms_cost_mean;
	base.pms = p->pms_slip_max / 2.0;
	base.disc = p->disc_mean;
	base.pipe = PIPE_EXPECTED;
	t->base = xcalloc(n, sizeof(int64_t));
	det_spend(m, p, &base, t->base);

	for (int i = 0; i < MC_N_DRIVERS; i++) {
		struct mc_tornado_bar *bar = &t->bars[i];
		struct setting lo = base, hi = base;

		bar->driver = (enum mc_driver)i;
		switch (bar->driver) {
		case MC_LIST_GROWTH:
			lo.g = p->list_growth_mean - Z90 * p->list_growth_sd_ccg;
			hi.g = p->list_growth_mean + Z90 * p->list_growth_sd_ccg;
			bar->low_value = lo.g;
			bar->high_value = hi.g;
			break;
		case MC_QOF_ACHIEVEMENT:
			lo.q = clamp(p->qof_ratio_mean - Z90 * p->qof_ratio_sd_ccg,
				     0.0, p->qof_ratio_max);
			hi.q = clamp(p->qof_ratio_mean + Z90 * p->qof_ratio_sd_ccg,
				     0.0, p->qof_ratio_max);
			bar->low_value = lo.q;
			bar->high_value = hi.q;
			break;
		case MC_ES_ACTIVITY:
			lo.es = p->es_volume_mean * exp(-Z90 * p->es_volume_sigma_ccg - es_h);
			hi.es = p->es_volume_mean * exp(Z90 * p->es_volume_sigma_ccg - es_h);
			bar->low_value = lo.es;
			bar->high_value = hi.es;
			break;
		case MC_PREMISES_PIPELINE:
			lo.pipe = PIPE_LOW;
			hi.pipe = PIPE_HIGH;
			bar->low_value = 0.9 * p->pipeline_delay_max_months;
			bar->high_value = 0.1 * p->pipeline_delay_max_months;
			break;
		case MC_RENT_REVIEW:
			bar->low_value = fmax(0.0, p->rent_uplift_mean - Z90 * p->rent_uplift_sd);
			bar->high_value = fmax(0.0, p->rent_uplift_mean + Z90 * p->rent_uplift_sd);
			lo.rent_eff = p->rent_review_prob * bar->low_value;
			hi.rent_eff = p->rent_review_prob * bar->high_value;
			break;
		case MC_APMS_REPROCUREMENT:
			lo.apms = p->apms_cost_mean * exp(-Z90 * p->apms_cost_sigma - a_h);
			hi.apms = p->apms_cost_mean * exp(Z90 * p->apms_cost_sigma - a_h);
			bar->low_value = lo.apms;
			bar->high_value = hi.apms;
			break;
		case MC_PMS_RELEASE:
			lo.pms = 0.1 * p->pms_slip_max;
			hi.pms = 0.9 * p->pms_slip_max;
			bar->low_value = lo.pms;
			bar->high_value = hi.pms;
			break;
		case MC_DISCRETIONARY:
			lo.disc = p->disc_mean * exp(-Z90 * dk - dk * dk / 2.0);
			hi.disc = p->disc_mean * exp(Z90 * dk - dk * dk / 2.0);
			bar->low_value = lo.disc;
			bar->high_value = hi.disc;
			break;
		case MC_N_DRIVERS:
			BUG("driver out of range");
		}
		bar->low = xcalloc(n, sizeof(int64_t));
		bar->high = xcalloc(n, sizeof(int64_t));
		det_spend(m, p, &lo, bar->low);
		det_spend(m, p, &hi, bar->high);
	}
	return ST_OK;
}

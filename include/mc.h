/*
 * mc.h - Monte Carlo of next year's spend against the allocation.
 *
 * Where it sits: the risk stage.  The budget engine (or the backtest)
 * describes next year as a struct mc_model: groups (CCGs, with their
 * allocation, contingency, reserve and expected discretionary spend),
 * units (practices, with the amounts exposed to each risk driver) and
 * premises pipeline schemes.  mc_run() draws the drivers of methodology
 * §4 many times and summarises each CCG's simulated spend; mc_tornado()
 * moves one driver at a time; scenarios are simply runs with another
 * struct mc_params.  Pure computation: no files; parameter problems are
 * reported through diag.  docs/risk.md explains every distribution.
 *
 * Money: the model holds int64 pence; the simulation works in double
 * pence (exact to 2^53 p, far above any CCG); summaries are rounded back
 * to pence half away from zero.
 *
 * One simulated year, for practice p in CCG c (Z = standard normals,
 * U = uniform(0,1); "c" draws are shared by the CCG's practices, "p"
 * draws are the practice's own):
 *   g_p   = list_growth_mean + list_growth_sd_ccg Z_c + list_growth_sd_practice Z_p
 *   q_p   = min(max(qof_ratio_mean + qof_ratio_sd_ccg Z_c' + qof_ratio_sd_practice Z_p', 0),
 *               qof_ratio_max)                                (censored normal)
 *   v_p   = es_volume_mean exp(s_c Z_c'' - s_c^2/2) exp(s_p Z_p'' - s_p^2/2)
 *                                                     (lognormal, mean es_volume_mean)
 *   u_c   = max(0, rent_uplift_mean + rent_uplift_sd Z_c''')  (upward-only review)
 *   spend_p = fixed + list_linked (1 + g_p)
 *           + qof q_p (1 + g_p) / (1 + list_growth_mean)  (CPI moves with the list)
 *           + es_activity v_p
 *           + rent (1 + [U_p < rent_review_prob] u_c)
 *           + apms_ending apms_cost_mean exp(a Z - a^2/2)       (if apms_ending != 0)
 *           + pms_release pms_slip_max U                        (if pms_release != 0)
 *   scheme:  arrives if U < probability; delay = pipeline_delay_max_months U';
 *            spend = annual max(0, min(12, 12 - start_month - delay)) / 12
 *   discretionary_c = sum of N ~ Poisson(disc_claims) claims, each
 *            disc_mean D_c / disc_claims exp(k Z - k^2/2), k^2 = ln(1 + disc_claim_cv^2)
 *   residual: a CCG's spend is multiplied by exp(r_c Z_res - r_c^2/2) exp(r_n Z_n - r_n^2/2),
 *            r_c = residual_sigma_ccg, r_n = residual_sigma_national, Z_n drawn
 *            once per iteration for all CCGs (mean 1: it widens, never shifts)
 *   spend_c = (sum of its practices + its schemes + discretionary_c) x residual.
 *
 * Reproducibility: iterations are cut into blocks of block_size; block b
 * draws from its own gsl_rng_taus2 seeded with mc_block_seed(seed, b), in
 * a fixed order (per iteration the national residual normal, then CCG by
 * CCG: its 5 shared normals, then its practices in the order added, then
 * its schemes, then its claims).  Blocks run in
 * parallel (OpenMP, dynamic schedule) and every result is stored by
 * iteration index and reduced in index order, so the same seed gives
 * bit-identical results for any number of threads.
 */
#ifndef PCBUDGET_MC_H
#define PCBUDGET_MC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Iterations per random stream unless the config says otherwise. */
#define MC_DEFAULT_BLOCK 256

/* Most iterations a run may ask for ([risk] iterations, --iterations). */
#define MC_MAX_ITERATIONS 10000000
/* The generator, recorded with the results. */
#define MC_GENERATOR "taus2"

/* The risk drivers of methodology §4, in report order. */
enum mc_driver {
	MC_LIST_GROWTH,
	MC_QOF_ACHIEVEMENT,
	MC_ES_ACTIVITY,
	MC_PREMISES_PIPELINE,
	MC_RENT_REVIEW,
	MC_APMS_REPROCUREMENT,
	MC_PMS_RELEASE,
	MC_DISCRETIONARY,
	MC_RESIDUAL,		/* what the drivers do not explain, calibrated */
	MC_N_DRIVERS
};

/*
 * One scenario's driver parameters.  Field names are the keys of the
 * [risk] section of the parameter file (see risk_params.h); rates are
 * fractions (0.012 = 1.2%), multipliers are ratios to the base amount.
 */
struct mc_params {
	double list_growth_mean;	/* mean list growth rate per year */
	double list_growth_sd_ccg;	/* sd of the CCG-wide part */
	double list_growth_sd_practice;	/* sd of the practice's own part */
	double qof_ratio_mean;		/* QOF achievement this year / last year */
	double qof_ratio_sd_ccg;
	double qof_ratio_sd_practice;
	double qof_ratio_max;		/* cap: points cannot exceed those available */
	double es_volume_mean;		/* activity ES volume multiplier, mean */
	double es_volume_sigma_ccg;	/* log-scale sd, CCG-wide part */
	double es_volume_sigma_practice;	/* log-scale sd, practice part */
	double pipeline_probability;	/* a scheme without its own probability goes ahead */
	double pipeline_delay_max_months;	/* delay ~ uniform(0, this) */
	double rent_review_prob;	/* a practice's rent review falls due this year */
	double rent_uplift_mean;	/* uplift when a review falls due */
	double rent_uplift_sd;
	double apms_cost_mean;		/* re-procured contract cost / current cost, mean */
	double apms_cost_sigma;		/* log-scale sd */
	double pms_slip_max;		/* share of a planned premium release that slips ~ U(0, this) */
	double disc_mean;		/* expected discretionary spend / base amount */
	double disc_claims;		/* Poisson mean number of claims per CCG */
	double disc_claim_cv;		/* coefficient of variation of one claim */
	double residual_sigma_ccg;	/* log-scale sd of a CCG's unexplained change */
	double residual_sigma_national;	/* log-scale sd of the part shared by all CCGs */
};

/* A CCG.  Amounts in pence. */
struct mc_group {
	char *code;		/* owned */
	int64_t allocation;	/* A: the published allocation */
	int64_t contingency;	/* held inside A (0.5% by default) */
	int64_t reserve;	/* 1% non-recurrent reserve held inside A */
	int64_t discretionary;	/* expected discretionary spend (base) */
};

/*
 * A practice: what it is expected to cost next year at base, split by
 * the driver that moves each part.  Pence; an amount may be negative
 * (clawbacks) and zero means "not exposed" (no draws are made for it).
 */
struct mc_unit {
	size_t group;		/* index returned by mc_model_add_group */
	int64_t fixed;		/* not risked (e.g. MPIG, seniority) */
	int64_t list_linked;	/* moves with list growth (global sum, per-head ES) */
	int64_t qof;		/* QOF: achievement ratio x list growth (CPI) */
	int64_t es_activity;	/* activity-based ES: volume multiplier */
	int64_t rent;		/* premises rent subject to review */
	int64_t apms_ending;	/* APMS contract re-procured this year: cost change */
	int64_t pms_release;	/* premium planned to be released (already off the base) */
};

/* A premises pipeline scheme. */
struct mc_scheme {
	size_t group;
	int64_t annual;		/* full-year recurring cost, pence */
	double start_month;	/* planned go-live, months after 1 April (0..12) */
	bool has_probability;	/* false: use pipeline_probability */
	double probability;	/* chance it goes ahead this year (0..1) */
};

/* The simulated year: plain data, built with the functions below. */
struct mc_model {
	struct mc_group *groups;
	size_t n_groups, alloc_groups;
	struct mc_unit *units;
	size_t n_units, alloc_units;
	struct mc_scheme *schemes;
	size_t n_schemes, alloc_schemes;
};

void mc_model_init(struct mc_model *m);
/* Frees what m holds (group codes included); m can be reused after init. */
void mc_model_release(struct mc_model *m);

/*
 * Adds a CCG (code copied) and returns its index.  Amounts are pence;
 * contingency, reserve and discretionary must be >= 0 or -1 is returned
 * (nothing added), as for an empty code.
 */
long mc_model_add_group(struct mc_model *m, const char *code,
			int64_t allocation, int64_t contingency,
			int64_t reserve, int64_t discretionary);

/* Copies *u in.  Returns 0, or -1 (nothing added) if u->group is unknown. */
int mc_model_add_unit(struct mc_model *m, const struct mc_unit *u);

/*
 * Copies *s in.  Returns 0, or -1 (nothing added) if the group is
 * unknown, annual < 0, start_month is outside 0..12 or the probability
 * (when given) is outside 0..1.
 */
int mc_model_add_scheme(struct mc_model *m, const struct mc_scheme *s);

/*
 * The planned spend of group g at face value, pence: every unit amount
 * as given (pms_release excluded: it is already off the base), each
 * scheme's annual x (12 - start_month) / 12, and the discretionary base.
 * This is the budget the simulation is measured against.
 */
int64_t mc_model_planned(const struct mc_model *m, size_t g);

/*
 * Checks p: every value finite; standard deviations, sigmas (residual
 * ones too), the delay and disc_claim_cv >= 0; probabilities and
 * pms_slip_max in 0..1; list_growth_mean > -1; the means of multipliers, qof_ratio_max and
 * disc_claims > 0 (disc_claims at most 10000).  Reports every problem
 * as "risk parameter 'KEY' in [SECTION] ..." (section names the scenario,
 * e.g. "risk") and returns 0 or -1.
 */
int mc_params_check(const struct mc_params *p, const char *section);

/* Named access to struct mc_params, for the parameter file. */
size_t mc_params_count(void);
/* The i-th field's key (static string), i < mc_params_count(). */
const char *mc_params_key(size_t i);
/* The field called key in p, or NULL if there is none. */
double *mc_params_field(struct mc_params *p, const char *key);

/* How a run is made. */
struct mc_config {
	uint64_t seed;		/* master seed */
	size_t iterations;	/* >= 1 */
	size_t block_size;	/* iterations per stream; 0 = MC_DEFAULT_BLOCK */
	int threads;		/* 0 = OpenMP's default; the result does not depend on it */
};

/* One CCG's (or England's) simulated spend.  Pence unless stated. */
struct mc_summary {
	int64_t allocation, contingency, reserve;
	int64_t planned;	/* mc_model_planned() */
	int64_t p5, p50, p80, p95;	/* quantiles of spend (type 7) */
	int64_t mean;
	double prob_over_allocation;	/* P(spend > A) */
	double prob_over_contingency;	/* P(spend + contingency > A) */
	double prob_over_contingency_and_reserve;	/* P(spend + contingency + reserve > A) */
	int64_t expected_shortfall;	/* E[max(0, spend - A)] */
};

/* What a run produced, with what is needed to reproduce it. */
struct mc_result {
	uint64_t seed;
	const char *generator;	/* MC_GENERATOR, static */
	size_t iterations;
	size_t block_size;
	int threads;		/* threads used (does not change the numbers) */
	size_t n_groups;
	double *totals;		/* owned: totals[it * n_groups + g], double pence */
	struct mc_summary *groups;	/* owned: n_groups summaries */
	struct mc_summary total;	/* all groups together (England) */
	/* variates drawn, for the benchmark's bare-loop comparison */
	unsigned long long n_gaussian, n_uniform, n_poisson;
};

/*
 * The seed of block b's stream: 1 + splitmix64(master ^ splitmix64(b))
 * mod (2^32 - 1), where splitmix64(x) is the output of the SplitMix64
 * generator whose state is x (Steele, Lea & Flood 2014).  Always in
 * 1..2^32-1: never 0 (taus2 treats 0 as its default seed) and never
 * reduced mod 2^32 by gsl_rng_set.
 */
unsigned long mc_block_seed(uint64_t master, uint64_t block);
/* The SplitMix64 output for state x (exposed for tests and docs). */
uint64_t mc_splitmix64(uint64_t x);

/*
 * Simulates cfg->iterations years of m under p and summarises every
 * group into *res (initialised here; release with mc_result_release()
 * whatever the return).  m and p are borrowed.  Returns ST_OK;
 * ST_CONFIG after reporting bad parameters (mc_params_check with
 * section "risk") or a simulation that produced a non-finite total;
 * ST_USAGE after reporting iterations == 0 or a model with no group;
 * ST_INTERNAL after reporting that a thread's generator could not be
 * allocated.
 */
enum status mc_run(const struct mc_model *m, const struct mc_params *p,
		   const struct mc_config *cfg, struct mc_result *res);

void mc_result_release(struct mc_result *res);

/*
 * Tornado: every driver in turn at its low and its high setting, the
 * others at base, computed without random draws.  Base is each driver's
 * mean effect; low and high are the 10th and 90th percentiles of its
 * CCG-wide part (see docs/risk.md for each driver's rule).  Arrays have
 * n_groups + 1 entries: the groups, then the total.
 */
struct mc_tornado_bar {
	enum mc_driver driver;
	double low_value, high_value;	/* the driver's setting, see mc_driver_unit() */
	int64_t *low, *high;		/* owned: spend at low / at high */
};

struct mc_tornado {
	size_t n_groups;
	int64_t *base;			/* owned: spend with every driver at base */
	struct mc_tornado_bar bars[MC_N_DRIVERS];
};

/*
 * Fills *t (initialised here; release with mc_tornado_release()).
 * Returns ST_OK, or ST_CONFIG after reporting bad parameters.
 */
enum status mc_tornado(const struct mc_model *m, const struct mc_params *p,
		       struct mc_tornado *t);
void mc_tornado_release(struct mc_tornado *t);

/* "list_growth", "qof_achievement", ...: static string. */
const char *mc_driver_name(enum mc_driver d);
/* What low_value/high_value measure for d, e.g. "growth rate": static. */
const char *mc_driver_unit(enum mc_driver d);

#endif

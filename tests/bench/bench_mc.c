/*
 * bench_mc.c - throughput of the Monte Carlo against a bare GSL loop.
 *
 * Usage: build/bench_mc [ITERATIONS]   (default 10000)
 *
 * The model is every practice in England: the 2022/23 NHS Payments file
 * when the real data is found ($PCBUDGET_DATA or ../shared/data), else a
 * synthetic England of 6,700 practices in 106 CCGs with the same mix of
 * exposures.  Each practice's amounts come from its payment lines
 * (list-linked = global sum + PMS balance, QOF, activity ES = learning
 * disability + minor surgery, rent = premises; one APMS contract in five
 * re-procured); each CCG's discretionary lines are its claims base and its
 * allocation is its planned spend plus 1%.  Parameters are the defaults.
 *
 * Prints practice-iterations per second with 1 and 2 threads, the
 * speed-up (each the best of two runs after a warm-up), whether both
 * runs are bit-identical, and the ratio of the
 * 1-thread run to a bare loop that draws exactly the same number of
 * variates (normals by ziggurat, uniforms, Poisson) from the same
 * generator; PASS when that ratio is at most 2.  Exit status 1 on FAIL.
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvread.h"
#include "diag.h"
#include "mc.h"
#include "money.h"
#include "risk_params.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The amount in column c of row r, pence; 0 when the column is absent. */
static int64_t amount(const struct csv_table *t, size_t r, long c)
{
	int64_t v = 0;
	const char *s;

	if (c < 0)
		return 0;
	s = csv_text(t, csv_at(t, r, (size_t)c));
	if (money_parse(s, strlen(s), NUM_ROUND_REJECT, &v) != NUM_OK)
		return 0;
	return v;
}

static long col(const struct csv_table *t, const char *name)
{
	return csv_find_col(t, name);
}

/* England from the 2022/23 file; returns 0, or -1 if it cannot be read. */
static int real_model(struct mc_model *m, const char *dir)
{
	static const char *disc_cols[] = {
		"seniority", "doctors retainer scheme payments", "total locum allowances",
		"appraisal - appraiser costs in respect of locums",
		"prolonged study leave", "pco admin other",
	};
	struct csv_table t;
	char path[4096];
	long c_ccg, c_type, c_gs, c_pms, c_qof, c_ld, c_ms, c_prem, c_mpig;
	int64_t *disc, *planned;
	size_t n_apms = 0;

	snprintf(path, sizeof(path), "%s/nhs-payments/22-23.csv", dir);
	csv_table_init(&t);
	if (csv_read_file(&t, path, NULL) != ST_OK)
		return -1;
	c_ccg = col(&t, "ccg code");
	c_type = col(&t, "contract type");
	c_gs = col(&t, "global sum");
	c_pms = col(&t, "balance of pms expenditure");
	c_mpig = col(&t, "mpig correction factor");
	c_qof = col(&t, "total qof payments");
	c_ld = col(&t, "learning disabilities");
	c_ms = col(&t, "minor surgery");
	c_prem = col(&t, "premises payments");
	if (c_ccg < 0 || c_gs < 0 || c_qof < 0) {
		csv_table_release(&t);
		return -1;
	}
	disc = calloc(t.n_rows, sizeof(int64_t));
	planned = calloc(t.n_rows, sizeof(int64_t));
	/* groups in order of first appearance; discretionary summed per group */
	for (size_t r = 0; r < t.n_rows; r++) {
		const char *code = csv_text(&t, csv_at(&t, r, (size_t)c_ccg));
		size_t g;
		struct mc_unit u = { 0 };

		for (g = 0; g < m->n_groups; g++)
			if (strcmp(m->groups[g].code, code) == 0)
				break;
		if (g == m->n_groups)
			mc_model_add_group(m, code, 0, 0, 0, 0);
		u.group = g;
		u.fixed = amount(&t, r, c_mpig);
		u.list_linked = amount(&t, r, c_gs) + amount(&t, r, c_pms);
		u.qof = amount(&t, r, c_qof);
		u.es_activity = amount(&t, r, c_ld) + amount(&t, r, c_ms);
		u.rent = amount(&t, r, c_prem);
		if (c_type >= 0 &&
		    strcmp(csv_text(&t, csv_at(&t, r, (size_t)c_type)), "APMS") == 0 &&
		    n_apms++ % 5 == 0) {
			u.apms_ending = u.list_linked;
			u.list_linked = 0;
		}
		for (size_t k = 0; k < sizeof(disc_cols) / sizeof(disc_cols[0]); k++)
			disc[g] += amount(&t, r, col(&t, disc_cols[k]));
		mc_model_add_unit(m, &u);
	}
	csv_table_release(&t);
	for (size_t g = 0; g < m->n_groups; g++) {
		m->groups[g].discretionary = disc[g] > 0 ? disc[g] : 0;
		planned[g] = mc_model_planned(m, g);
		m->groups[g].allocation = planned[g] + planned[g] / 100;
		m->groups[g].contingency = planned[g] / 200;
		m->groups[g].reserve = planned[g] / 100;
	}
	free(disc);
	free(planned);
	return 0;
}

/* A synthetic England with the same exposure mix, fixed seed. */
static void synthetic_model(struct mc_model *m)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);

	gsl_rng_set(r, 1);
	for (int g = 0; g < 106; g++) {
		char code[8];

		snprintf(code, sizeof(code), "S%03d", g);
		mc_model_add_group(m, code, 0, 0, 0, 0);
	}
	for (int i = 0; i < 6700; i++) {
		struct mc_unit u = { 0 };
		double list = 3000.0 + 12000.0 * gsl_rng_uniform(r);

		u.group = gsl_rng_uniform_int(r, 106);
		u.list_linked = (int64_t)(list * 9500.0);
		u.qof = (int64_t)(list * 1400.0);
		u.es_activity = gsl_rng_uniform(r) < 0.85 ? (int64_t)(list * 120.0) : 0;
		u.rent = gsl_rng_uniform(r) < 0.9 ? (int64_t)(list * 1300.0) : 0;
		u.apms_ending = gsl_rng_uniform(r) < 0.01 ? u.list_linked : 0;
		mc_model_add_unit(m, &u);
	}
	for (size_t g = 0; g < m->n_groups; g++) {
		int64_t planned;

		m->groups[g].discretionary = 5000000;
		planned = mc_model_planned(m, g);
		m->groups[g].allocation = planned + planned / 100;
		m->groups[g].contingency = planned / 200;
		m->groups[g].reserve = planned / 100;
	}
	gsl_rng_free(r);
}

/* Draws what the MC drew, nothing else; returns seconds. */
static double bare_loop(const struct mc_result *res, double lambda, double *sink)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	double acc = 0.0, t0;

	gsl_rng_set(r, mc_block_seed(res->seed, 0));
	t0 = now();
	for (unsigned long long i = 0; i < res->n_gaussian; i++)
		acc += gsl_ran_gaussian_ziggurat(r, 1.0);
	for (unsigned long long i = 0; i < res->n_uniform; i++)
		acc += gsl_rng_uniform(r);
	for (unsigned long long i = 0; i < res->n_poisson; i++)
		acc += gsl_ran_poisson(r, lambda);
	t0 = now() - t0;
	*sink = acc;
	gsl_rng_free(r);
	return t0;
}

static double timed_run(const struct mc_model *m, const struct mc_params *p,
			const struct mc_config *c, struct mc_result *res)
{
	double t0 = now();

	if (mc_run(m, p, c, res) != ST_OK) {
		fprintf(stderr, "bench_mc: the simulation failed\n");
		exit(1);
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	struct mc_model m;
	struct mc_params p;
	struct mc_config c;
	struct mc_result r1, r2;
	const char *dir = getenv("PCBUDGET_DATA");
	const char *source;
	double t1, t2, tb, sink, units_it;
	bool same;

	gsl_set_error_handler_off();
	if (risk_params_resolve(RISK_BASE, risk_params_default, NULL, &p) != 0 ||
	    risk_config_resolve(risk_params_default, NULL, &c) != 0)
		return 1;
	if (argc > 1)
		c.iterations = strtoul(argv[1], NULL, 10);
	mc_model_init(&m);
	diag_set_quiet(true);
	if (real_model(&m, dir && *dir ? dir : "../shared/data") == 0) {
		source = "NHS Payments 2022/23";
	} else {
		mc_model_release(&m);
		mc_model_init(&m);
		synthetic_model(&m);
		source = "synthetic (real data not found)";
	}
	units_it = (double)m.n_units * (double)c.iterations;
	printf("model: %zu practices in %zu CCGs (%s); %zu iterations, block %zu, "
	       "seed %llu, generator %s\n", m.n_units, m.n_groups, source,
	       c.iterations, c.block_size, (unsigned long long)c.seed, MC_GENERATOR);

	/* warm up (page faults, clock), then the best of two runs of each */
	c.threads = 1;
	t1 = timed_run(&m, &p, &c, &r1);
	mc_result_release(&r1);
	t1 = fmin(t1, timed_run(&m, &p, &c, &r1));
	c.threads = 2;
	t2 = timed_run(&m, &p, &c, &r2);
	mc_result_release(&r2);
	t2 = fmin(t2, timed_run(&m, &p, &c, &r2));
	same = memcmp(r1.totals, r2.totals,
		      c.iterations * m.n_groups * sizeof(double)) == 0 &&
	       memcmp(r1.groups, r2.groups, m.n_groups * sizeof(*r1.groups)) == 0;
	tb = fmin(bare_loop(&r1, p.disc_claims, &sink),
		  bare_loop(&r1, p.disc_claims, &sink));

	printf("variates per run: %llu normal, %llu uniform, %llu Poisson (%.2f per practice-iteration)\n",
	       r1.n_gaussian, r1.n_uniform, r1.n_poisson,
	       (double)(r1.n_gaussian + r1.n_uniform + r1.n_poisson) / units_it);
	printf("1 thread : %7.3f s  %6.1f M practice-iterations/s\n", t1, units_it / t1 / 1e6);
	printf("2 threads: %7.3f s  %6.1f M practice-iterations/s  speed-up %.2fx  bit-identical: %s\n",
	       t2, units_it / t2 / 1e6, t1 / t2, same ? "yes" : "NO");
	printf("bare GSL loop, same variates, 1 thread: %7.3f s (checksum %.3g)\n", tb, sink);
	printf("ratio MC / bare loop: %.2f (target <= 2): %s\n", t1 / tb,
	       t1 / tb <= 2.0 && same ? "PASS" : "FAIL");
	printf("England p50 %.0f, p95 %.0f of allocation %.0f (pounds)\n",
	       (double)r1.total.p50 / 100, (double)r1.total.p95 / 100,
	       (double)r1.total.allocation / 100);
	mc_result_release(&r1);
	mc_result_release(&r2);
	mc_model_release(&m);
	return t1 / tb <= 2.0 && same ? 0 : 1;
}

/*
 * test_mc.c - the Monte Carlo engine.
 *
 * Statistical checks compare against closed forms worked in the
 * comments, with a tolerance of 4 standard errors of the estimate
 * (a false failure about once in 16,000 runs; the seeds are fixed, so
 * in practice never).  Standard errors used:
 *     mean:       sd / sqrt(n)
 *     proportion: sqrt(p (1 - p) / n)
 *     quantile:   sqrt(p (1 - p) / n) / f(x_p)   (f = density at the quantile)
 * Normal quantiles: z(0.95) = 1.644854, z(0.80) = 0.841621, z(0.90) = 1.281552;
 * phi(1) = 0.241971, 1 - Phi(1) = 0.158655 (tables).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "helpers.h"

#define N_BIG 100000

/* Every driver neutral: means 1 (or 0 for rates), no spread. */
static struct mc_params neutral(void)
{
	struct mc_params p;

	memset(&p, 0, sizeof(p));
	p.qof_ratio_mean = 1.0;
	p.qof_ratio_max = 2.0;
	p.es_volume_mean = 1.0;
	p.pipeline_probability = 1.0;
	p.apms_cost_mean = 1.0;
	p.disc_mean = 1.0;
	p.disc_claims = 1.0;
	return p;
}

static struct mc_config config(uint64_t seed, size_t iterations)
{
	struct mc_config c = { seed, iterations, 0, 0 };

	return c;
}

/* One CCG with one practice holding `u` (group index filled in). */
static void one_unit_model(struct mc_model *m, struct mc_unit u,
			   int64_t allocation, int64_t contingency, int64_t reserve)
{
	mc_model_init(m);
	assert_int_equal(mc_model_add_group(m, "00A", allocation, contingency,
					    reserve, 0), 0);
	u.group = 0;
	assert_int_equal(mc_model_add_unit(m, &u), 0);
}

/* The sample sd of group g's simulated totals. */
static double column_sd(const struct mc_result *r, size_t g)
{
	return gsl_stats_sd(r->totals + g, r->n_groups, r->iterations);
}

static void test_mc_splitmix64_matches_the_published_sequence(void **state)
{
	/* SplitMix64 from state 0: the reference outputs of Vigna's splitmix64.c */
	const uint64_t golden = UINT64_C(0x9e3779b97f4a7c15);

	(void)state;
	assert_true(mc_splitmix64(0) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(mc_splitmix64(golden) == UINT64_C(0x6e789e6aa1b965f4));
	assert_true(mc_splitmix64(2 * golden) == UINT64_C(0x06c45d188009454f));
}

static void test_mc_block_seeds_are_never_zero_and_fit_32_bits(void **state)
{
	(void)state;
	for (uint64_t master = 0; master < 50; master++)
		for (uint64_t b = 0; b < 2000; b++) {
			unsigned long s = mc_block_seed(master, b);

			assert_true(s >= 1 && s <= 0xFFFFFFFFul);
		}
	assert_true(mc_block_seed(42, 0) != mc_block_seed(42, 1));
	assert_true(mc_block_seed(42, 0) != mc_block_seed(43, 0));
}

/*
 * One practice, list_linked = 1,000,000 p, growth mean 0.02, sd 0.03 (CCG)
 * and 0.04 (practice): spend = 1e6 (1 + g), g ~ N(0.02, 0.03^2 + 0.04^2 = 0.05^2),
 * so spend ~ N(1,020,000, 50,000^2).
 *   p5  = 1,020,000 - 1.644854 * 50,000 =   937,757   (se 334: tol 1,400)
 *   p50 = 1,020,000                                   (se 198: tol   800)
 *   p80 = 1,020,000 + 0.841621 * 50,000 = 1,062,081   (se 226: tol   950)
 *   p95 = 1,020,000 + 1.644854 * 50,000 = 1,102,243   (se 334: tol 1,400)
 *   mean (se 50,000 / sqrt(1e5) = 158: tol 640)
 * Allocation A = mu + sigma = 1,070,000, contingency = reserve = 50,000:
 *   P(S > A)          = 1 - Phi(1)  = 0.158655   (se 0.00116: tol 0.0047)
 *   P(S + C > A)      = P(S > mu)   = 0.5        (se 0.00158: tol 0.0064)
 *   P(S + C + R > A)  = Phi(1)      = 0.841345   (tol 0.0047)
 *   E[max(0, S - A)]  = sigma (phi(1) - (1 - Phi(1))) = 50,000 * 0.083316 = 4,165.8
 *     (sd of max(0, Z - 1) = sqrt(2 * 0.158655 - 0.241971 - 0.083316^2) = 0.2615,
 *      se = 0.2615 * 50,000 / 316.2 = 41: tol 170)
 */
static void test_mc_one_normal_driver_matches_the_closed_form(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(20240401, N_BIG);
	struct mc_result r;
	struct mc_unit u = { 0 };
	const struct mc_summary *s;

	(void)state;
	u.list_linked = 1000000;
	one_unit_model(&m, u, 1070000, 50000, 50000);
	p.list_growth_mean = 0.02;
	p.list_growth_sd_ccg = 0.03;
	p.list_growth_sd_practice = 0.04;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	s = &r.groups[0];
	assert_pence_eq(s->planned, 1000000);
	assert_close((double)s->p5, 937757, 0, 1400);
	assert_close((double)s->p50, 1020000, 0, 800);
	assert_close((double)s->p80, 1062081, 0, 950);
	assert_close((double)s->p95, 1102243, 0, 1400);
	assert_close((double)s->mean, 1020000, 0, 640);
	assert_close(column_sd(&r, 0), 50000, 0, 4 * 50000 / sqrt(2.0 * N_BIG));
	assert_close(s->prob_over_allocation, 0.158655, 0, 0.0047);
	assert_close(s->prob_over_contingency, 0.5, 0, 0.0064);
	assert_close(s->prob_over_contingency_and_reserve, 0.841345, 0, 0.0047);
	assert_close((double)s->expected_shortfall, 4165.8, 0, 170);
	/* the record of how it was made */
	assert_true(r.seed == 20240401);
	assert_string_equal(r.generator, "taus2");
	assert_int_equal(r.iterations, N_BIG);
	assert_int_equal(r.block_size, MC_DEFAULT_BLOCK);
	/* per iteration: 1 national + 5 CCG normals + 1 practice normal, nothing else */
	assert_true(r.n_gaussian == 7ull * N_BIG);
	assert_true(r.n_uniform == 0 && r.n_poisson == 0);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * Sums of independent normals.  CCG "00A": three practices with
 * list_linked 100,000, 200,000 and 200,000 p, practice sd 0.1 only, mean 0:
 *   S ~ N(500,000, 0.1^2 (1e10 + 4e10 + 4e10)) = N(500,000, 30,000^2).
 * CCG "00B": the same practices, CCG-wide sd 0.1 only (perfectly correlated):
 *   S = 500,000 (1 + 0.1 Z) ~ N(500,000, 50,000^2).
 * The first run has 00A alone with the practice sd; the second adds 00B
 * and switches to the CCG-wide sd for both, so England = 00A + 00B is a sum
 * of two independent N(500,000, 50,000^2).  Tolerance on an sd: 4 sd / sqrt(2n).
 */
static void test_mc_sums_of_independent_normals_match_the_closed_form(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(7, N_BIG);
	struct mc_result r;
	static const int64_t amounts[] = { 100000, 200000, 200000 };

	(void)state;
	/* independent practices: practice sd only */
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "00A", 0, 0, 0, 0), 0);
	for (int i = 0; i < 3; i++) {
		struct mc_unit u = { 0 };

		u.group = 0;
		u.list_linked = amounts[i];
		assert_int_equal(mc_model_add_unit(&m, &u), 0);
	}
	p.list_growth_sd_practice = 0.1;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[0].mean, 500000, 0, 4 * 30000 / sqrt(N_BIG));
	assert_close(column_sd(&r, 0), 30000, 0, 4 * 30000 / sqrt(2.0 * N_BIG));
	mc_result_release(&r);

	/* add a second CCG; make the spread CCG-wide only */
	assert_int_equal(mc_model_add_group(&m, "00B", 0, 0, 0, 0), 1);
	for (int i = 0; i < 3; i++) {
		struct mc_unit u = { 0 };

		u.group = 1;
		u.list_linked = amounts[i];
		assert_int_equal(mc_model_add_unit(&m, &u), 0);
	}
	p.list_growth_sd_practice = 0.0;
	p.list_growth_sd_ccg = 0.1;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	/* each CCG now has the CCG-wide sd: 500,000 * 0.1 = 50,000 */
	assert_close(column_sd(&r, 0), 50000, 0, 4 * 50000 / sqrt(2.0 * N_BIG));
	assert_close(column_sd(&r, 1), 50000, 0, 4 * 50000 / sqrt(2.0 * N_BIG));
	/* England: two independent N(500,000, 50,000^2): N(1e6, 70,711^2);
	 * p95 = 1e6 + 1.644854 * 70,711 = 1,116,309 (se 0.00668 * 70,711 = 472) */
	assert_close((double)r.total.p95, 1116309, 0, 1900);
	assert_close((double)r.total.mean, 1000000, 0, 4 * 70711 / sqrt(N_BIG));
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * Premises pipeline.  CCG "00A": a scheme of 1,200,000 p a year from
 * month 0, probability 0.3, no delay: spend is 0 or 1,200,000, so
 *   P(S > 600,000) = 0.3 (se 0.00145: tol 0.0058), mean 360,000
 *   (se 1.2e6 sqrt(0.21) / 316.2 = 1,739: tol 7,000).
 * CCG "00B": a scheme of 1,200,000 p starting in month 3, no probability of
 * its own (pipeline_probability = 1), delay ~ U(0, 6) months: months live
 * = 9 - U 6 ~ U(3, 9), spend ~ U(300,000, 900,000):
 *   p5 = 330,000, p50 = 600,000, p95 = 870,000
 *   (density 1/600,000: se(p5) = 0.000689 * 600,000 = 413: tol 1,700).
 * Planned: 00A 1,200,000 (12 months); 00B 1,200,000 * 9 / 12 = 900,000.
 */
static void test_mc_pipeline_arrival_and_delay_match_the_closed_form(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(11, N_BIG);
	struct mc_result r;
	struct mc_scheme a = { 0, 1200000, 0.0, true, 0.3 };
	struct mc_scheme b = { 1, 1200000, 3.0, false, 0.0 };

	(void)state;
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "00A", 600000, 0, 0, 0), 0);
	assert_int_equal(mc_model_add_group(&m, "00B", 0, 0, 0, 0), 1);
	assert_int_equal(mc_model_add_scheme(&m, &a), 0);
	assert_int_equal(mc_model_add_scheme(&m, &b), 0);
	p.pipeline_delay_max_months = 0.0;
	/* first run: no delay at all */
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close(r.groups[0].prob_over_allocation, 0.3, 0, 0.0058);
	assert_close((double)r.groups[0].mean, 360000, 0, 7000);
	assert_pence_eq(r.groups[0].planned, 1200000);
	assert_pence_eq(r.groups[1].planned, 900000);
	assert_pence_eq(r.groups[1].p5, 900000);	/* always arrives, on time */
	mc_result_release(&r);

	p.pipeline_delay_max_months = 6.0;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[1].p5, 330000, 0, 1700);
	assert_close((double)r.groups[1].p50, 600000, 0, 2500);
	assert_close((double)r.groups[1].p95, 870000, 0, 1700);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * Discretionary claims, compound Poisson.  Base D = 1,000,000 p,
 * disc_mean 1.1, disc_claims lambda = 4, claim cv 0.5:
 *   mean = 1.1 D = 1,100,000
 *   var  = lambda E[X^2] = lambda (1.1 D / lambda)^2 (1 + cv^2)
 *        = 1.21e12 * 1.25 / 4 = 3.78125e11, sd = 614,919
 *     (mean se = 614,919 / 316.2 = 1,945: tol 7,800)
 *   P(no claim) = e^-4 = 0.018316 (se 0.000424: tol 0.0017), so
 *   with allocation 1 p, P(S > A) = 1 - 0.018316 = 0.981684.
 */
static void test_mc_discretionary_claims_match_the_compound_poisson(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(99, N_BIG);
	struct mc_result r;

	(void)state;
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "00A", 1, 0, 0, 1000000), 0);
	p.disc_mean = 1.1;
	p.disc_claims = 4.0;
	p.disc_claim_cv = 0.5;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[0].mean, 1100000, 0, 7800);
	assert_close(column_sd(&r, 0), 614919, 0, 0.02 * 614919);
	assert_close(r.groups[0].prob_over_allocation, 0.981684, 0, 0.0017);
	assert_pence_eq(r.groups[0].planned, 1000000);
	assert_true(r.n_poisson == N_BIG);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * Activity ES, lognormal.  es_activity = 1,000,000 p, mean 1.05,
 * sigma 0.1 (CCG) and 0.2 (practice): log spend ~ N(ln 1.05e6 - s^2/2, s^2),
 * s^2 = 0.01 + 0.04 = 0.05, s = 0.223607:
 *   p50 = 1.05e6 exp(-0.025)                     = 1,024,075
 *   p95 = 1.05e6 exp(-0.025 + 1.644854 * 0.223607) = 1,479,332
 *   p5  = 1.05e6 exp(-0.025 - 1.644854 * 0.223607) =   708,922
 *   mean = 1,050,000
 * se(p) = sqrt(p(1-p)/n) x sigma / phi(z): p50 907, p95 2,209, p5 1,059.
 */
static void test_mc_activity_es_is_lognormal_with_the_stated_mean(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(5, N_BIG);
	struct mc_result r;
	struct mc_unit u = { 0 };

	(void)state;
	u.es_activity = 1000000;
	one_unit_model(&m, u, 0, 0, 0);
	p.es_volume_mean = 1.05;
	p.es_volume_sigma_ccg = 0.1;
	p.es_volume_sigma_practice = 0.2;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[0].p50, 1024075, 0, 3700);
	assert_close((double)r.groups[0].p95, 1479332, 0, 8900);
	assert_close((double)r.groups[0].p5, 708922, 0, 4300);
	/* sd of the lognormal: 1.05e6 sqrt(e^0.05 - 1) = 239,748; se 758 */
	assert_close((double)r.groups[0].mean, 1050000, 0, 3100);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * QOF achievement is a normal censored at qof_ratio_max.  qof = 1,000,000 p,
 * ratio mean 1.0, practice sd 0.1, cap 1.0: ratio = min(X, 1), X ~ N(1, 0.01).
 *   E[min(X, mu)] = mu - sigma / sqrt(2 pi) = 1 - 0.039894 = 0.960106
 *   -> mean spend 960,106 (sd of min(X,1) = 0.1 sqrt(1 - 1/pi - ...) < 0.1: se < 316: tol 1,300)
 *   P(spend >= 1,000,000) = P(X >= 1) = 0.5 and spend never exceeds 1,000,000,
 *   so p50 and p95 are both exactly 1,000,000.
 */
static void test_mc_qof_ratio_is_capped_at_the_points_available(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(3, N_BIG);
	struct mc_result r;
	struct mc_unit u = { 0 };

	(void)state;
	u.qof = 1000000;
	one_unit_model(&m, u, 0, 0, 0);
	p.qof_ratio_mean = 1.0;
	p.qof_ratio_sd_practice = 0.1;
	p.qof_ratio_max = 1.0;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[0].mean, 960106, 0, 1300);
	assert_pence_eq(r.groups[0].p95, 1000000);
	assert_close((double)r.groups[0].p50, 1000000, 0, 1000);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * Rent reviews, APMS re-procurement and PMS premium slippage, one each:
 *   rent 1,000,000 p, review prob 0.25, uplift 0.10 (sd 0):
 *     spend 1,100,000 with prob 0.25, else 1,000,000 -> P(S > 1,050,000) = 0.25
 *   apms_ending 1,000,000 p, cost mean 1.1, sigma 0.2: mean 1,100,000
 *     (sd 1.1e6 sqrt(e^0.04 - 1) = 221,100; se 699: tol 2,800)
 *   pms_release 1,000,000 p, slip max 0.5: spend ~ U(0, 500,000), mean 250,000
 *     (sd 144,338; se 456: tol 1,850), p50 250,000 (se 0.00158 * 500,000 = 791: tol 3,200)
 */
static void test_mc_rent_apms_and_pms_drivers_have_the_stated_means(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(17, N_BIG);
	struct mc_result r;
	struct mc_unit rent = { 0 }, apms = { 0 }, pms = { 0 };

	(void)state;
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "RENT", 1050000, 0, 0, 0), 0);
	assert_int_equal(mc_model_add_group(&m, "APMS", 0, 0, 0, 0), 1);
	assert_int_equal(mc_model_add_group(&m, "PMS", 0, 0, 0, 0), 2);
	rent.group = 0;
	rent.rent = 1000000;
	apms.group = 1;
	apms.apms_ending = 1000000;
	pms.group = 2;
	pms.pms_release = 1000000;
	assert_int_equal(mc_model_add_unit(&m, &rent), 0);
	assert_int_equal(mc_model_add_unit(&m, &apms), 0);
	assert_int_equal(mc_model_add_unit(&m, &pms), 0);
	p.rent_review_prob = 0.25;
	p.rent_uplift_mean = 0.10;
	p.apms_cost_mean = 1.1;
	p.apms_cost_sigma = 0.2;
	p.pms_slip_max = 0.5;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close(r.groups[0].prob_over_allocation, 0.25, 0, 0.0055);
	assert_pence_eq(r.groups[0].p5, 1000000);
	assert_pence_eq(r.groups[0].p95, 1100000);
	assert_close((double)r.groups[1].mean, 1100000, 0, 2800);
	assert_close((double)r.groups[2].mean, 250000, 0, 1850);
	assert_close((double)r.groups[2].p50, 250000, 0, 3200);
	/* planned: PMS release is already off the base */
	assert_pence_eq(r.groups[2].planned, 0);
	mc_result_release(&r);
	mc_model_release(&m);
}

/*
 * The residual.  Two CCGs of one practice each (list_linked 1,000,000 p,
 * nothing else random), residual sigma 0.1 per CCG and 0.05 national:
 *   spend = 1e6 exp(0.1 Z_c - 0.005) exp(0.05 Z_n - 0.00125): lognormal,
 *   sigma^2 = 0.01 + 0.0025 = 0.0125 (sigma 0.111803)
 *   mean 1,000,000 (sd 1e6 sqrt(e^0.0125 - 1) = 112,154; se 355: tol 1,420)
 *   median 1e6 exp(-0.00625) = 993,769 (se 0.00158 / 0.3989 x 0.1118 x 993,769
 *     = 440: tol 1,800)
 *   correlation of the two CCGs' log spend = 0.0025 / 0.0125 = 0.2
 *     (se (1 - 0.04) / sqrt(1e5) = 0.003: tol 0.012)
 * Tornado: both parts together, exp(-/+1.281552 x 0.111803 - 0.00625)
 *   = 0.861111 / 1.146865 of the base.
 */
static void test_mc_residual_is_lognormal_and_shared_nationally(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = config(31, N_BIG);
	struct mc_result r;
	struct mc_tornado t;
	double *la, *lb;

	(void)state;
	mc_model_init(&m);
	for (int g = 0; g < 2; g++) {
		struct mc_unit u = { 0 };

		assert_int_equal(mc_model_add_group(&m, g ? "00B" : "00A", 0, 0, 0, 0), g);
		u.group = (size_t)g;
		u.list_linked = 1000000;
		assert_int_equal(mc_model_add_unit(&m, &u), 0);
	}
	p.residual_sigma_ccg = 0.1;
	p.residual_sigma_national = 0.05;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	assert_close((double)r.groups[0].mean, 1000000, 0, 1420);
	assert_close((double)r.groups[1].p50, 993769, 0, 1800);
	la = malloc(N_BIG * sizeof(double));
	lb = malloc(N_BIG * sizeof(double));
	for (size_t i = 0; i < N_BIG; i++) {
		la[i] = log(r.totals[2 * i]);
		lb[i] = log(r.totals[2 * i + 1]);
	}
	assert_close(gsl_stats_sd(la, 1, N_BIG), 0.111803, 0, 4 * 0.111803 / sqrt(2.0 * N_BIG));
	assert_close(gsl_stats_correlation(la, 1, lb, 1, N_BIG), 0.2, 0, 0.012);
	free(la);
	free(lb);
	mc_result_release(&r);

	assert_int_equal(mc_tornado(&m, &p, &t), ST_OK);
	assert_pence_eq(t.base[0], 1000000);
	assert_close(t.bars[MC_RESIDUAL].low_value, 0.861111, 0, 1e-6);
	assert_pence_eq(t.bars[MC_RESIDUAL].low[0], 861111);
	assert_pence_eq(t.bars[MC_RESIDUAL].high[0], 1146865);
	assert_pence_eq(t.bars[MC_RESIDUAL].high[2], 2293729);	/* total: 2 x 1,146,864.64 */
	mc_tornado_release(&t);
	mc_model_release(&m);
}

/* Our own SplitMix64, written from the published algorithm. */
static uint64_t ref_splitmix(uint64_t state)
{
	uint64_t z = state + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * The documented stream layout, recomputed by hand with GSL: block b's
 * generator is taus2 seeded with 1 + sm(seed ^ sm(b)) mod (2^32 - 1);
 * an iteration draws the national residual normal z0, then the CCG draws
 * 5 shared normals z1..z5 (list, QOF, ES, rent, residual), then the
 * practice draws its list normal z6.  With list_linked 1,000,000, mean
 * 0.01, sd 0.02 (CCG) and 0.03 (practice), residual sigmas 0.05 (CCG) and
 * 0.04 (national):
 *   spend = 1e6 (1 + 0.01 + 0.02 z1 + 0.03 z6)
 *           x exp(0.05 z5 - 0.05^2/2) x exp(0.04 z0 - 0.04^2/2).
 * Iteration 0 is block 0's first; iteration 4 (block size 4) is block 1's first.
 */
static void test_mc_iterations_follow_the_documented_stream_layout(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_config c = { 123456789, 8, 4, 1 };
	struct mc_result r;
	struct mc_unit u = { 0 };
	gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);

	(void)state;
	u.list_linked = 1000000;
	one_unit_model(&m, u, 0, 0, 0);
	p.list_growth_mean = 0.01;
	p.list_growth_sd_ccg = 0.02;
	p.list_growth_sd_practice = 0.03;
	p.residual_sigma_ccg = 0.05;
	p.residual_sigma_national = 0.04;
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_OK);
	for (uint64_t b = 0; b < 2; b++) {
		unsigned long seed = (unsigned long)(1 + ref_splitmix(c.seed ^ ref_splitmix(b)) %
						     0xFFFFFFFFull);
		double z[7], want;

		assert_true(mc_block_seed(c.seed, b) == seed);
		gsl_rng_set(g, seed);
		for (int k = 0; k < 7; k++)
			z[k] = gsl_ran_gaussian_ziggurat(g, 1.0);
		want = 1e6 * (1.0 + 0.01 + 0.02 * z[1] + 0.03 * z[6]) *
		       exp(0.05 * z[5] - 0.00125) * exp(0.04 * z[0] - 0.0008);
		assert_close(r.totals[b * 4], want, 1e-14, 0);
	}
	gsl_rng_free(g);
	mc_result_release(&r);
	mc_model_release(&m);
}

/* A model touching every driver: 5 CCGs, 60 practices, schemes, claims. */
static void rich_model(struct mc_model *m, struct mc_params *p)
{
	mc_model_init(m);
	for (int g = 0; g < 5; g++) {
		char code[16];

		snprintf(code, sizeof(code), "0%dX", g);
		assert_int_equal(mc_model_add_group(m, code, 60000000 + g * 1000000,
						    300000, 600000, 500000 + g * 10000), g);
	}
	for (int i = 0; i < 60; i++) {
		struct mc_unit u = { 0 };

		u.group = (size_t)(i * 7 % 5);
		u.fixed = 10000 + i;
		u.list_linked = 700000 + 1000 * i;
		u.qof = 120000 + 500 * i;
		u.es_activity = 30000 + 100 * i;
		u.rent = i % 3 ? 80000 : 0;
		u.apms_ending = i % 11 == 0 ? 900000 : 0;
		u.pms_release = i % 13 == 0 ? 50000 : 0;
		assert_int_equal(mc_model_add_unit(m, &u), 0);
	}
	for (int s = 0; s < 4; s++) {
		struct mc_scheme sc = { (size_t)s, 240000, 2.0 * s, s % 2 == 0, 0.6 };

		assert_int_equal(mc_model_add_scheme(m, &sc), 0);
	}
	*p = neutral();
	p->list_growth_mean = 0.012;
	p->list_growth_sd_ccg = 0.01;
	p->list_growth_sd_practice = 0.03;
	p->qof_ratio_sd_ccg = 0.02;
	p->qof_ratio_sd_practice = 0.05;
	p->qof_ratio_max = 1.05;
	p->es_volume_sigma_ccg = 0.05;
	p->es_volume_sigma_practice = 0.2;
	p->pipeline_probability = 0.7;
	p->pipeline_delay_max_months = 6;
	p->rent_review_prob = 0.33;
	p->rent_uplift_mean = 0.03;
	p->rent_uplift_sd = 0.02;
	p->apms_cost_sigma = 0.15;
	p->pms_slip_max = 0.5;
	p->disc_claims = 12;
	p->disc_claim_cv = 1.0;
	p->residual_sigma_ccg = 0.04;
	p->residual_sigma_national = 0.02;
}

static void test_mc_results_do_not_depend_on_the_thread_count(void **state)
{
	struct mc_model m;
	struct mc_params p;
	struct mc_config c = { 2026, 1000, 64, 1 };
	struct mc_result r1, r2, r3, other;

	(void)state;
	rich_model(&m, &p);
	assert_int_equal(mc_run(&m, &p, &c, &r1), ST_OK);
	c.threads = 2;
	assert_int_equal(mc_run(&m, &p, &c, &r2), ST_OK);
	c.threads = 3;
	assert_int_equal(mc_run(&m, &p, &c, &r3), ST_OK);
	assert_int_equal(r1.threads, 1);
	assert_int_equal(r2.threads, 2);
	assert_memory_equal(r1.totals, r2.totals, 1000 * 5 * sizeof(double));
	assert_memory_equal(r1.totals, r3.totals, 1000 * 5 * sizeof(double));
	assert_memory_equal(r1.groups, r2.groups, 5 * sizeof(struct mc_summary));
	assert_memory_equal(r1.groups, r3.groups, 5 * sizeof(struct mc_summary));
	assert_memory_equal(&r1.total, &r2.total, sizeof(struct mc_summary));
	assert_true(r1.n_gaussian == r2.n_gaussian && r1.n_uniform == r3.n_uniform &&
		    r1.n_poisson == r2.n_poisson);
	/* and another seed gives other numbers */
	c.seed = 2027;
	assert_int_equal(mc_run(&m, &p, &c, &other), ST_OK);
	assert_true(memcmp(r1.totals, other.totals, 1000 * 5 * sizeof(double)) != 0);
	mc_result_release(&r1);
	mc_result_release(&r2);
	mc_result_release(&r3);
	mc_result_release(&other);
	mc_model_release(&m);
}

static void test_mc_rejects_bad_parameters_with_every_reason(void **state)
{
	struct mc_model m;
	struct mc_params p;
	struct mc_config c = config(1, 100);
	struct mc_result r;
	const char *out;

	(void)state;
	rich_model(&m, &p);
	p.list_growth_sd_ccg = -0.01;
	p.rent_review_prob = 1.5;
	p.es_volume_mean = (double)NAN;
	p.disc_claims = 0.0;
	p.list_growth_mean = -1.0;
	capture_begin();
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_CONFIG);
	out = capture_end();
	assert_string_equal(out,
		"pcbudget: error: risk parameter 'list_growth_mean' in [risk] must be greater than -1 (got -1)\n"
		"pcbudget: error: risk parameter 'list_growth_sd_ccg' in [risk] must not be negative (got -0.01)\n"
		"pcbudget: error: risk parameter 'es_volume_mean' in [risk] is not a finite number (got nan)\n"
		"pcbudget: error: risk parameter 'rent_review_prob' in [risk] must be between 0 and 1 (got 1.5)\n"
		"pcbudget: error: risk parameter 'disc_claims' in [risk] must be greater than 0 and at most 10000 (got 0)\n");
	mc_result_release(&r);
	mc_model_release(&m);

	rich_model(&m, &p);
	c.iterations = 0;
	capture_begin();
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_USAGE);
	assert_string_equal(capture_end(),
		"pcbudget: error: the number of iterations must be at least 1\n");
	mc_result_release(&r);
	mc_model_release(&m);

	mc_model_init(&m);
	c.iterations = 10;
	capture_begin();
	assert_int_equal(mc_run(&m, &p, &c, &r), ST_USAGE);
	assert_string_equal(capture_end(),
		"pcbudget: error: nothing to simulate: the model has no CCG\n");
	mc_result_release(&r);
	mc_model_release(&m);
}

static void test_mc_model_refuses_inconsistent_rows(void **state)
{
	struct mc_model m;
	struct mc_unit u = { 0 };
	struct mc_scheme s = { 0, 1000, 0.0, true, 0.5 };

	(void)state;
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "", 0, 0, 0, 0), -1);
	assert_int_equal(mc_model_add_group(&m, "00A", 0, -1, 0, 0), -1);
	assert_int_equal(mc_model_add_group(&m, "00A", 0, 0, -1, 0), -1);
	assert_int_equal(mc_model_add_group(&m, "00A", 100, 0, 0, 0), 0);
	u.group = 1;
	assert_int_equal(mc_model_add_unit(&m, &u), -1);
	s.probability = 1.5;
	assert_int_equal(mc_model_add_scheme(&m, &s), -1);
	s.probability = 0.5;
	s.start_month = 13;
	assert_int_equal(mc_model_add_scheme(&m, &s), -1);
	s.start_month = 0;
	s.annual = -5;
	assert_int_equal(mc_model_add_scheme(&m, &s), -1);
	s.group = 3;
	s.annual = 5;
	assert_int_equal(mc_model_add_scheme(&m, &s), -1);
	assert_int_equal(m.n_units, 0);
	assert_int_equal(m.n_schemes, 0);
	mc_model_release(&m);
}

/*
 * Tornado by hand.  One CCG: list_linked 1,000,000 p and qof 500,000 p;
 * list growth mean 0.02, CCG sd 0.01; QOF ratio 1 (cap 2); a scheme of
 * 120,000 p a year from month 0, probability 0.5, delay up to 4 months.
 *   base: list 1e6 x 1.02 = 1,020,000; QOF 500,000 x 1 x (1.02/1.02) = 500,000;
 *         scheme 0.5 x 120,000 x E[months]/12, E[months] = 12 - 4/2 = 10
 *         -> 50,000; total 1,570,000.
 *   list growth low  g = 0.02 - 1.281552 x 0.01 = 0.00718448:
 *         1e6 x 1.00718448 + 5e5 x 1.00718448 / 1.02 + 50,000
 *         = 1,007,184.48 + 493,717.88 + 50,000 = 1,550,902.37 -> 1,550,902
 *   list growth high g = 0.03281552:
 *         1,032,815.52 + 506,282.12 + 50,000 = 1,589,097.63 -> 1,589,098
 *   pipeline low: arrival at P10 of Bernoulli(0.5) = 0 -> 1,520,000
 *   pipeline high: arrival 1, delay 0.4 months: 120,000 x 11.6 / 12 = 116,000
 *         -> 1,520,000 + 116,000 = 1,636,000
 *   a driver with no exposure (rent) leaves the base unchanged.
 */
static void test_mc_tornado_moves_one_driver_at_a_time(void **state)
{
	struct mc_model m;
	struct mc_params p = neutral();
	struct mc_tornado t;
	struct mc_unit u = { 0 };
	struct mc_scheme s = { 0, 120000, 0.0, true, 0.5 };

	(void)state;
	u.list_linked = 1000000;
	u.qof = 500000;
	one_unit_model(&m, u, 0, 0, 0);
	assert_int_equal(mc_model_add_scheme(&m, &s), 0);
	p.list_growth_mean = 0.02;
	p.list_growth_sd_ccg = 0.01;
	p.pipeline_delay_max_months = 4;
	p.rent_uplift_mean = 0.05;
	p.rent_uplift_sd = 0.02;
	assert_int_equal(mc_tornado(&m, &p, &t), ST_OK);
	assert_int_equal(t.n_groups, 1);
	assert_pence_eq(t.base[0], 1570000);
	assert_pence_eq(t.base[1], 1570000);	/* the total row */
	assert_int_equal(t.bars[MC_LIST_GROWTH].driver, MC_LIST_GROWTH);
	assert_close(t.bars[MC_LIST_GROWTH].low_value, 0.00718448, 0, 1e-8);
	assert_pence_eq(t.bars[MC_LIST_GROWTH].low[0], 1550902);
	assert_pence_eq(t.bars[MC_LIST_GROWTH].high[0], 1589098);
	assert_pence_eq(t.bars[MC_PREMISES_PIPELINE].low[0], 1520000);
	assert_pence_eq(t.bars[MC_PREMISES_PIPELINE].high[0], 1636000);
	assert_pence_eq(t.bars[MC_RENT_REVIEW].low[0], 1570000);
	assert_pence_eq(t.bars[MC_RENT_REVIEW].high[0], 1570000);
	assert_string_equal(mc_driver_name(MC_PREMISES_PIPELINE), "premises_pipeline");
	mc_tornado_release(&t);

	p.rent_review_prob = 2.0;
	capture_begin();
	assert_int_equal(mc_tornado(&m, &p, &t), ST_CONFIG);
	assert_non_null(strstr(capture_end(), "'rent_review_prob'"));
	mc_tornado_release(&t);
	mc_model_release(&m);
}

static void test_mc_params_fields_are_reachable_by_key(void **state)
{
	struct mc_params p = neutral();
	double *f;

	(void)state;
	assert_int_equal(mc_params_count(), 23);
	for (size_t i = 0; i < mc_params_count(); i++)
		assert_non_null(mc_params_field(&p, mc_params_key(i)));
	f = mc_params_field(&p, "rent_uplift_mean");
	*f = 0.042;
	assert_close(p.rent_uplift_mean, 0.042, 0, 0);
	assert_null(mc_params_field(&p, "no_such_key"));
	assert_null(mc_params_key(23));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mc_splitmix64_matches_the_published_sequence),
		cmocka_unit_test(test_mc_block_seeds_are_never_zero_and_fit_32_bits),
		cmocka_unit_test(test_mc_one_normal_driver_matches_the_closed_form),
		cmocka_unit_test(test_mc_sums_of_independent_normals_match_the_closed_form),
		cmocka_unit_test(test_mc_pipeline_arrival_and_delay_match_the_closed_form),
		cmocka_unit_test(test_mc_discretionary_claims_match_the_compound_poisson),
		cmocka_unit_test(test_mc_activity_es_is_lognormal_with_the_stated_mean),
		cmocka_unit_test(test_mc_qof_ratio_is_capped_at_the_points_available),
		cmocka_unit_test(test_mc_rent_apms_and_pms_drivers_have_the_stated_means),
		cmocka_unit_test(test_mc_residual_is_lognormal_and_shared_nationally),
		cmocka_unit_test(test_mc_iterations_follow_the_documented_stream_layout),
		cmocka_unit_test(test_mc_results_do_not_depend_on_the_thread_count),
		cmocka_unit_test(test_mc_rejects_bad_parameters_with_every_reason),
		cmocka_unit_test(test_mc_model_refuses_inconsistent_rows),
		cmocka_unit_test(test_mc_tornado_moves_one_driver_at_a_time),
		cmocka_unit_test(test_mc_params_fields_are_reachable_by_key),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("mc", tests, NULL, NULL);
}

/*
 * test_risk_params.c - the risk parameter table, its defaults and the
 * scenarios.  Expected defaults are the numbers docs/risk.md quotes from
 * tools/calibrate_risk.py's output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <string.h>

#include "risk_params.h"
#include "helpers.h"

static const struct param_spec *find(const char *section, const char *key)
{
	for (size_t i = 0; i < risk_n_param_specs; i++)
		if (strcmp(risk_param_specs[i].section, section) == 0 &&
		    strcmp(risk_param_specs[i].key, key) == 0)
			return &risk_param_specs[i];
	return NULL;
}

static void test_risk_params_table_covers_every_monte_carlo_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < mc_params_count(); i++)
		if (!find("risk", mc_params_key(i)))
			fail_msg("no [risk] row for '%s'", mc_params_key(i));
	for (size_t i = 0; i < risk_n_param_specs; i++) {
		const struct param_spec *s = &risk_param_specs[i];
		struct mc_params p;

		assert_non_null(s->def);
		assert_non_null(s->source);
		assert_non_null(s->unit);
		assert_non_null(s->doc);
		if (s->type == PARAM_INT)
			continue;
		if (!mc_params_field(&p, s->key))
			fail_msg("row '%s' in [%s] names no field", s->key, s->section);
		/* a scenario only overrides what [risk] defines */
		assert_non_null(find("risk", s->key));
	}
}

static void test_risk_params_defaults_resolve_for_every_scenario(void **state)
{
	struct mc_params base, opt, pes;

	(void)state;
	assert_int_equal(risk_params_resolve(RISK_BASE, risk_params_default, NULL, &base), 0);
	assert_int_equal(risk_params_resolve(RISK_OPTIMISTIC, risk_params_default, NULL, &opt), 0);
	assert_int_equal(risk_params_resolve(RISK_PESSIMISTIC, risk_params_default, NULL, &pes), 0);
	assert_close(base.list_growth_mean, 0.0187, 0, 1e-12);
	assert_close(base.list_growth_sd_practice, 0.0543, 0, 1e-12);
	assert_close(base.rent_review_prob, 0.3333, 0, 1e-12);
	assert_close(base.disc_claims, 18, 0, 0);
	/* the scenario moves the central values and keeps the volatilities */
	assert_close(opt.list_growth_mean, 0.0131, 0, 1e-12);
	assert_close(opt.list_growth_sd_practice, 0.0543, 0, 1e-12);
	assert_close(pes.list_growth_mean, 0.0267, 0, 1e-12);
	assert_close(pes.disc_mean, 1.161, 0, 1e-12);
	assert_close(pes.disc_claims, 18, 0, 0);
	assert_string_equal(risk_scenario_name(RISK_PESSIMISTIC), "pessimistic");
	assert_string_equal(risk_scenario_section(RISK_OPTIMISTIC), "risk_optimistic");
}

/*
 * One CCG exposed to every driver: the deterministic base spend must
 * order optimistic < base < pessimistic.
 */
static void test_risk_params_scenarios_order_the_spend(void **state)
{
	struct mc_model m;
	struct mc_unit u = { 0 };
	struct mc_scheme s = { 0, 600000, 3.0, false, 0.0 };
	int64_t spend[RISK_N_SCENARIOS];

	(void)state;
	mc_model_init(&m);
	assert_int_equal(mc_model_add_group(&m, "00A", 0, 0, 0, 400000), 0);
	u.list_linked = 5000000;
	u.qof = 800000;
	u.es_activity = 200000;
	u.rent = 300000;
	u.apms_ending = 1000000;
	u.pms_release = 100000;
	assert_int_equal(mc_model_add_unit(&m, &u), 0);
	assert_int_equal(mc_model_add_scheme(&m, &s), 0);
	for (int i = 0; i < RISK_N_SCENARIOS; i++) {
		struct mc_params p;
		struct mc_tornado t;

		assert_int_equal(risk_params_resolve((enum risk_scenario)i,
						     risk_params_default, NULL, &p), 0);
		assert_int_equal(mc_tornado(&m, &p, &t), ST_OK);
		spend[i] = t.base[0];
		mc_tornado_release(&t);
	}
	assert_true(spend[RISK_OPTIMISTIC] < spend[RISK_BASE]);
	assert_true(spend[RISK_BASE] < spend[RISK_PESSIMISTIC]);
	mc_model_release(&m);
}

/* A getter standing in for the parameter file: one override, else defaults. */
struct override {
	const char *section, *key;
	int64_t num;
};

static int override_get(void *ctx, const struct param_spec *spec, int64_t *num)
{
	const struct override *o = ctx;

	if (strcmp(spec->section, o->section) == 0 && strcmp(spec->key, o->key) == 0) {
		*num = o->num;
		return 0;
	}
	return risk_params_default(NULL, spec, num);
}

static void test_risk_params_values_from_the_file_are_checked(void **state)
{
	struct override o1 = { "risk", "rent_review_prob", 1500000 };	/* 1.5 */
	struct override o2 = { "risk_pessimistic", "qof_ratio_mean", -1000000 };
	struct override o3 = { "risk", "list_growth_sd_ccg", 7000 };	/* 0.007 */
	struct mc_params p;

	(void)state;
	capture_begin();
	assert_int_equal(risk_params_resolve(RISK_BASE, override_get, &o1, &p), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: risk parameter 'rent_review_prob' in [risk] must be "
		"between 0 and 1 (got 1.5)\n");
	/* a bad pessimistic value does not spoil the base scenario */
	assert_int_equal(risk_params_resolve(RISK_BASE, override_get, &o2, &p), 0);
	capture_begin();
	assert_int_equal(risk_params_resolve(RISK_PESSIMISTIC, override_get, &o2, &p), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: risk parameter 'qof_ratio_mean' in [risk_pessimistic] "
		"must be greater than 0 (got -1)\n");
	/* a [risk] volatility reaches every scenario */
	assert_int_equal(risk_params_resolve(RISK_OPTIMISTIC, override_get, &o3, &p), 0);
	assert_close(p.list_growth_sd_ccg, 0.007, 0, 1e-12);
}

static void test_risk_params_run_settings_have_defaults_and_limits(void **state)
{
	struct mc_config c;
	struct override zero = { "risk", "iterations", 0 };

	(void)state;
	assert_int_equal(risk_config_resolve(risk_params_default, NULL, &c), 0);
	assert_true(c.seed == 20150401);
	assert_int_equal(c.iterations, 10000);
	assert_int_equal(c.block_size, 256);
	assert_int_equal(c.threads, 0);
	capture_begin();
	assert_int_equal(risk_config_resolve(override_get, &zero, &c), -1);
	assert_string_equal(capture_end(),
		"pcbudget: error: risk parameter 'iterations' in [risk] must be between "
		"1 and 10000000 (got 0)\n");
}

static void test_risk_params_default_parses_percentages(void **state)
{
	static const struct param_spec pct = { "risk", "x", PARAM_RATE, "5.15%", "", "", "" };
	static const struct param_spec frac = { "risk", "x", PARAM_RATE, "0.0515", "", "", "" };
	static const struct param_spec bad = { "risk", "x", PARAM_DECIMAL, "1e3", "", "", "" };
	int64_t v = 0;

	(void)state;
	assert_int_equal(risk_params_default(NULL, &pct, &v), 0);
	assert_pence_eq(v, 51500);	/* 5.15% = 0.0515 = 51,500 millionths */
	assert_int_equal(risk_params_default(NULL, &frac, &v), 0);
	assert_pence_eq(v, 51500);
	capture_begin();
	assert_int_equal(risk_params_default(NULL, &bad, &v), -1);
	assert_non_null(strstr(capture_end(), "default '1e3' is not a number"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_risk_params_table_covers_every_monte_carlo_field),
		cmocka_unit_test(test_risk_params_defaults_resolve_for_every_scenario),
		cmocka_unit_test(test_risk_params_scenarios_order_the_spend),
		cmocka_unit_test(test_risk_params_values_from_the_file_are_checked),
		cmocka_unit_test(test_risk_params_run_settings_have_defaults_and_limits),
		cmocka_unit_test(test_risk_params_default_parses_percentages),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("risk_params", tests, NULL, NULL);
}

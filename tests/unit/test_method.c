/*
 * test_method.c - every rule of the methodology with values worked by
 * hand in the comments, then a whole computation on a three-practice,
 * two-CCG dataset built in memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "xalloc.h"
#include "helpers.h"

/* 5209.497 weighted patients in billionths */
#define W(x) ((int64_t)((x) * 1000) * 1000000)

static void test_method_rounds_half_away_from_zero(void **state)
{
	(void)state;
	assert_pence_eq(method_div_round(5, 2), 3);	/* 2.5 -> 3 */
	assert_pence_eq(method_div_round(-5, 2), -3);	/* -2.5 -> -3 */
	assert_pence_eq(method_div_round(7, 3), 2);	/* 2.33 -> 2 */
	assert_pence_eq(method_div_round(-7, 3), -2);
	assert_pence_eq(method_div_round(8, 3), 3);	/* 2.67 -> 3 */
	assert_pence_eq(method_div_round(0, 9), 0);
}

static void test_method_gms_global_sum_applies_the_ooh_deduction(void **state)
{
	struct deriv d;

	(void)state;
	/* 5209.497 × £80.59 = £419,833.36323; × (1 − 0.0515) = £398,211.94502
	 * = 39,821,194.502p -> 39,821,195p */
	assert_pence_eq(rule_gms_global_sum(W(5209.497), 8059, 51500, true, "2016/17", &d),
			39821195);
	assert_pence_eq(d.amount, 39821195);
	assert_string_equal(d.rule, "GMS global sum");
	assert_string_equal(d.formula,
			    "5209.497 weighted patients × £80.59 × (1 − 5.15% out-of-hours deduction)");
	assert_string_equal(d.params, "[2016/17] global_sum_price=80.59 ooh_deduction=5.15%");
	/* without the opt-out: £419,833.36323 -> 41,983,336p */
	assert_pence_eq(rule_gms_global_sum(W(5209.497), 8059, 51500, false, "2016/17", &d),
			41983336);
	assert_string_equal(d.formula, "5209.497 weighted patients × £80.59 (no out-of-hours opt-out)");
}

static void test_method_mpig_is_phased_out_in_sevenths(void **state)
{
	struct deriv d;

	(void)state;
	/* cf £10,000: 2014/15 keeps 6/7 = £8,571.428.. -> 857,143p */
	assert_pence_eq(rule_mpig(1000000, 2014, &d), 857143);
	/* 2017/18 is k = 4: 3/7 = £4,285.714.. -> 428,571p */
	assert_pence_eq(rule_mpig(1000000, 2017, &d), 428571);
	assert_string_equal(d.formula,
			    "£10,000.00 correction factor (2013/14) × 3/7 left after 4 years of phase-out");
	/* gone from 2020/21; whole before 2014/15 */
	assert_pence_eq(rule_mpig(1000000, 2020, &d), 0);
	assert_pence_eq(rule_mpig(1000000, 2025, &d), 0);
	assert_pence_eq(rule_mpig(1000000, 2013, &d), 1000000);
}

static void test_method_pms_baseline_is_uplifted_and_premium_released(void **state)
{
	struct deriv d;

	(void)state;
	/* £700,000 × 1.01 = £707,000 */
	assert_pence_eq(rule_pms_baseline(70000000, 10000, "2017/18", &d), 70700000);
	assert_string_equal(d.formula, "£700,000.00 baseline × (1 + 1% uplift)");
	/* premium £700,000 − £600,000 = £100,000; release from 2015/16 over
	 * 4 years reaches 3/4 in 2017/18: £75,000 × 1.01 = £75,750 */
	assert_pence_eq(rule_pms_premium_release(70000000, 60000000, true, 2015, 4, 2017,
						 10000, "2017/18", &d), -7575000);
	assert_string_equal(d.formula,
			    "−(£700,000.00 baseline − £600,000.00 GMS equivalent) × 3/4 released (from 2015/16) × (1 + 1% uplift)");
	/* not started yet (k = 0), and capped at the whole premium */
	assert_pence_eq(rule_pms_premium_release(70000000, 60000000, true, 2018, 4, 2017,
						 10000, "2017/18", &d), 0);
	assert_pence_eq(rule_pms_premium_release(70000000, 60000000, true, 2015, 4, 2020,
						 10000, "2020/21", &d), -10100000);
	/* no premium when the baseline is below the GMS equivalent */
	assert_pence_eq(rule_pms_premium_release(50000000, 60000000, true, 2015, 4, 2017,
						 10000, "2017/18", &d), 0);
	/* premium 100,001p × 1/3 × 1.01 = 33,667.0033p -> 33,667p */
	assert_pence_eq(rule_pms_premium_release(100001, 0, true, 2017, 3, 2017, 10000,
						 "2017/18", &d), -33667);
	assert_pence_eq(rule_pms_premium_release(70000000, 0, false, 0, 0, 2017, 10000,
						 "2017/18", &d), 0);
	assert_string_equal(d.formula, "no premium release schedule");
}

static void test_method_apms_value_and_contract_end_warning(void **state)
{
	struct deriv d;

	(void)state;
	/* £331,099.22 × 1.015 = £336,065.7083 -> 33,606,571p */
	assert_pence_eq(rule_apms(33109922, 15000, true, date_from_ymd(2019, 3, 31), 2017, 24,
				  "2017/18", &d), 33606571);
	assert_string_equal(d.formula,
			    "£331,099.22 contract value × (1 + 1.5% uplift); the contract ends on 2019-03-31, within 24 months: re-procurement");
	/* 24 months after 1 April 2017 is 1 April 2019: that end is not flagged */
	rule_apms(33109922, 0, true, date_from_ymd(2019, 4, 1), 2017, 24, "2017/18", &d);
	assert_string_equal(d.formula, "£331,099.22 contract value × (1 + 0% uplift)");
	assert_true(method_ends_within(true, date_from_ymd(2018, 9, 30), 2017, 24));
	assert_false(method_ends_within(true, date_from_ymd(2018, 9, 30), 2017, 12));
	assert_false(method_ends_within(false, 0, 2017, 24));
}

static void test_method_enhanced_services_by_basis(void **state)
{
	struct deriv d;

	(void)state;
	/* £1.90 × 7,500 patients = £14,250 */
	assert_pence_eq(rule_es_per_head("EXT", 190, 7500, "[2017/18] es_extended_hours", &d),
			1425000);
	assert_string_equal(d.formula, "EXT: 7500 registered patients × £1.90");
	assert_string_equal(d.params, "[2017/18] es_extended_hours=1.90");
	/* 45 checks × £140 = £6,300 */
	assert_pence_eq(rule_es_activity("LD", 45000000, 14000, 0, "r", "2017/18", &d), 630000);
	/* 12.5 units × £43.54 × 1.03 = £560.5775 -> 56,058p */
	assert_pence_eq(rule_es_activity("MS", 12500000, 4354, 30000, "r", "2017/18", &d), 56058);
	assert_string_equal(d.formula, "MS: 12.5 units last year × £43.54 × (1 + 3% growth)");
	/* £12,345.67 × 1.02 = £12,592.5834 -> 1,259,258p */
	assert_pence_eq(rule_es_last_year("ANT", 1234567, 20000, true, "2017/18", &d), 1259258);
	assert_string_equal(d.rule, "LES last year's payment");
	assert_string_equal(d.params, "[2017/18] les_growth=2%");
	assert_pence_eq(rule_es_last_year("VIO", 1234567, 0, false, "2017/18", &d), 1234567);
	assert_string_equal(d.rule, "DES last year's payment");
}

static void test_method_qof_uses_points_value_and_cpi(void **state)
{
	struct deriv d;
	int64_t monthly, balance;

	(void)state;
	/* 534.25 × £171.20 = £91,463.60; × 7,500 = 685,977,000; ÷ 7,732 =
	 * £88,719.2188 (7,732 × 88,719 = 685,975,308, remainder 1,692) -> 8,871,922p */
	assert_pence_eq(rule_qof(53425, 17120, 7500, 7732000000, 1000000, "2017/18", &d), 8871922);
	assert_string_equal(d.formula,
			    "534.25 points last year × £171.20 × CPI (7500 ÷ 7732) × prevalence 1");
	/* × prevalence 0.95: £84,283.2579 -> 8,428,326p */
	assert_pence_eq(rule_qof(53425, 17120, 7500, 7732000000, 950000, "2017/18", &d), 8428326);
	/* phasing: 8,871,922p × 70% = 6,210,345.4p; ÷ 12 = 517,528.78 -> 517,528p a
	 * month (rounded down); balance 8,871,922 − 12 × 517,528 = 2,661,586p */
	rule_qof_phasing(8871922, 700000, &monthly, &balance);
	assert_pence_eq(monthly, 517528);
	assert_pence_eq(balance, 2661586);
	rule_qof_phasing(0, 700000, &monthly, &balance);
	assert_pence_eq(monthly + balance, 0);
}

static void test_method_premises_review_uplift_counts_days(void **state)
{
	struct deriv d;

	(void)state;
	/* review 1 Oct 2017: 182 days to 31 Mar 2018 (31+30+31+31+28+31);
	 * £60,000 × 2.5% × 182/365 = £747.945.. -> £747.95; total £60,747.95 */
	assert_pence_eq(rule_premises(PREM_NOTIONAL_RENT, 6000000, true, date_from_ymd(2017, 10, 1),
				      2017, 25000, "2017/18", &d), 6074795);
	assert_string_equal(d.rule, "premises: notional rent");
	assert_string_equal(d.formula,
			    "£60,000.00 + £60,000.00 × 2.5% review uplift × 182/365 days from the review on 2017-10-01");
	/* a review in another year changes nothing */
	assert_pence_eq(rule_premises(PREM_LEASE_RENT, 6000000, true, date_from_ymd(2018, 4, 1),
				      2017, 25000, "2017/18", &d), 6000000);
	assert_string_equal(d.formula, "£60,000.00 a year; next review on 2018-04-01");
	assert_pence_eq(rule_premises(PREM_WATER, 123456, false, 0, 2017, 25000, "2017/18", &d),
			123456);
}

static void test_method_pipeline_counts_months_live(void **state)
{
	struct deriv d;

	(void)state;
	/* from 1 Oct 2017: Oct..Mar = 6 months; £85,000 × 6/12 = £42,500 */
	assert_pence_eq(rule_pipeline("PL01", 8500000, date_from_ymd(2017, 10, 1), 2017, 900000,
				      false, "2017/18", &d), 4250000);
	assert_string_equal(d.formula,
			    "PL01: £85,000.00 a year × 6/12 months live from 2017-10-01 (probability 0.9 left to the risk model)");
	/* from 15 Jan 2018: live from February, 2 months; £240,000 × 2/12 = £40,000,
	 * × probability 0.6 = £24,000 when weighted */
	assert_pence_eq(rule_pipeline("PL02", 24000000, date_from_ymd(2018, 1, 15), 2017, 600000,
				      false, "2017/18", &d), 4000000);
	assert_pence_eq(rule_pipeline("PL02", 24000000, date_from_ymd(2018, 1, 15), 2017, 600000,
				      true, "2017/18", &d), 2400000);
	/* started before the year: 12 months; starts after it: none;
	 * 2 April: live from May, 11 months: £1,200 × 11/12 = £1,100 */
	assert_pence_eq(rule_pipeline("A", 120000, date_from_ymd(2016, 11, 1), 2017, 1000000,
				      false, "2017/18", &d), 120000);
	assert_pence_eq(rule_pipeline("B", 120000, date_from_ymd(2018, 7, 1), 2017, 1000000,
				      false, "2017/18", &d), 0);
	assert_pence_eq(rule_pipeline("C", 120000, date_from_ymd(2017, 4, 2), 2017, 1000000,
				      false, "2017/18", &d), 110000);
}

static void test_method_part_year_and_reserves_and_target(void **state)
{
	struct deriv d;
	int64_t bp = 0;

	(void)state;
	/* open 275 of 365 days: −£1,035,271.98 × 90/365 = −£255,272.543.. */
	assert_pence_eq(rule_part_year(103527198, 275, 365, &d), -25527254);
	assert_pence_eq(rule_part_year(103527198, 365, 365, &d), 0);
	/* 0.5% of £44m = £220,000; 0.5% of £3.33 = 1.665p -> 2p */
	assert_pence_eq(rule_share(4400000000, 5000), 22000000);
	assert_pence_eq(rule_share(333, 5000), 2);
	/* (£44.00m − £44.95m) ÷ £44.95m = −2.1134% -> −211 basis points */
	assert_true(rule_distance_from_target(4400000000, 4495000000, &bp));
	assert_pence_eq(bp, -211);
	/* exactly −0.5 bp rounds away from zero */
	assert_true(rule_distance_from_target(1999900, 2000000, &bp));
	assert_pence_eq(bp, -1);
	/* £92,233,720,368,547,758.07 against a 1p target: 9.2e22 bp */
	assert_false(rule_distance_from_target(INT64_MAX, 1, &bp));
	assert_pence_eq(bp, -1);
}

/*
 * Inputs far beyond any budget: every product is checked, so a rule
 * gives 0 and sets overflow instead of a wrapped amount.
 */
static void test_method_rules_flag_amounts_too_large_for_pence(void **state)
{
	struct deriv d;
	int64_t q = 7;

	(void)state;
	/* 190p × 9,223,372,036,854,775,807 patients: 1.75e21p */
	assert_pence_eq(rule_es_per_head("EXT", 190, INT64_MAX, "x", &d), 0);
	assert_true(d.overflow);
	/* a rule that fits clears the flag: 190p × 10 = £19.00 */
	assert_pence_eq(rule_es_per_head("EXT", 190, 10, "x", &d), 1900);
	assert_false(d.overflow);
	/* four factors of 2^63 pass 2^127: the 128-bit product overflows */
	assert_pence_eq(rule_qof(INT64_MAX, INT64_MAX, INT64_MAX, 1, INT64_MAX, "s", &d), 0);
	assert_true(d.overflow);
	/* weighted 2^63 billionths × £2^63/100 fits in 128 bits but not the result */
	rule_gms_global_sum(INT64_MAX, INT64_MAX, 49000, true, "s", &d);
	assert_true(d.overflow);
	/* the largest amount plus a rent review uplift passes INT64_MAX */
	rule_premises(PREM_LEASE_RENT, INT64_MAX, true, date_from_ymd(2017, 4, 1), 2017,
		      25000, "s", &d);
	assert_true(d.overflow);
	assert_pence_eq(d.amount, 0);
	/* 1 + uplift is formed in 128 bits: 100p × (1e6 + 9,223,372,036,854,775,807)
	 * ÷ 1e6 = 922,337,203,685,577.5807p -> 922,337,203,685,578p */
	assert_pence_eq(rule_pms_baseline(100, INT64_MAX, "s", &d), 922337203685578);
	assert_false(d.overflow);
	assert_true(method_div_fits(7, 2, &q));
	assert_pence_eq(q, 4);
	assert_false(method_div_fits((method_i128)INT64_MAX + 1, 1, &q));
	assert_false(method_div_fits(1, 0, &q));
	assert_pence_eq(q, 4);
}

static void test_method_every_default_parses_as_its_type(void **state)
{
	struct params p;

	(void)state;
	params_init(&p, method_param_specs, method_n_param_specs);
	for (size_t i = 0; i < method_n_param_specs; i++) {
		const struct param_spec *s = &method_param_specs[i];
		const char *section = strcmp(s->section, PARAM_YEARLY) == 0 ? "2030/31" : s->section;
		int64_t v;
		bool b;
		int32_t dd;
		const char *str;
		int rc = 0;

		if (!s->def)
			continue;
		capture_begin();
		switch (s->type) {
		case PARAM_MONEY:
			rc = params_money(&p, section, s->key, &v);
			break;
		case PARAM_RATE:
			rc = params_rate_ppm(&p, section, s->key, &v);
			break;
		case PARAM_DECIMAL:
			rc = params_decimal_micro(&p, section, s->key, &v);
			break;
		case PARAM_INT:
			rc = params_int(&p, section, s->key, &v);
			break;
		case PARAM_BOOL:
			rc = params_bool(&p, section, s->key, &b);
			break;
		case PARAM_DATE:
			rc = params_date(&p, section, s->key, &dd);
			break;
		case PARAM_STRING:
			rc = params_string(&p, section, s->key, &str);
			break;
		}
		if (rc)
			fail_msg("default of [%s] %s: %s", s->section, s->key, capture_end());
		capture_end();
	}
	params_release(&p);
}

static void test_method_params_for_a_year_without_any_is_one_located_error(void **state)
{
	struct params p;
	struct method_params mp;

	(void)state;
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	assert_int_equal(params_load_string(&p, "params.ini", "[run]\nbudget_year = 2021/22\n"), ST_OK);
	assert_int_equal(method_params_load(&p, 2021, &mp), ST_DATA);
	assert_string_equal(capture_end(),
			    "params.ini: error: no parameters for the budget year 2021/22: add a [2021/22] section (built-in defaults cover 2014/15 to 2019/20)\n");
	params_release(&p);

	/* a section with some keys: each missing one is reported at the header */
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	assert_int_equal(params_load_string(&p, "params.ini",
					    "[2021/22]\nglobal_sum_price = 92.00\nooh_deduction = 4.9%\n"
					    "national_average_list = 8800\nnonrecurrent_uncommitted_share = 50%\n"),
			 ST_OK);
	assert_int_equal(method_params_load(&p, 2021, &mp), ST_DATA);
	assert_string_equal(capture_end(),
			    "params.ini:1:1: error: 'qof_point_value' has no value for [2021/22] and no default\n");
	params_release(&p);
}

/*
 * Values no rule can use, each located at its value: an uplift or a
 * growth below -100% (a negative payment) and a warning horizon past a
 * century (it would pass any date).
 */
static void test_method_params_rejects_uplifts_below_minus_100_percent(void **state)
{
	struct params p;
	struct method_params mp;

	(void)state;
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	assert_int_equal(params_load_string(&p, "params.ini",
					    "[2017/18]\npms_uplift = -150%\nles_growth = -100%\n"
					    "rent_review_uplift = -1.5\ncontract_warning_months = 1201\n"),
			 ST_OK);
	assert_int_equal(method_params_load(&p, 2017, &mp), ST_CONFIG);
	assert_string_equal(capture_end(),
			    "params.ini:2:14: error: 'pms_uplift' for [2017/18] must not be below -100%\n"
			    "params.ini:4:22: error: 'rent_review_uplift' for [2017/18] must not be below -100%\n"
			    "params.ini:5:27: error: 'contract_warning_months' for [2017/18] must be between 0 and 1200 (100 years)\n");
	params_release(&p);
}

static void test_method_params_2017_18_defaults(void **state)
{
	struct params p;
	struct method_params mp;

	(void)state;
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	assert_int_equal(params_load_string(&p, "params.ini", ""), ST_OK);
	assert_int_equal(method_params_load(&p, 2017, &mp), ST_OK);
	assert_string_equal(capture_end(), "");
	/* methodology §3 for 2017/18 */
	assert_pence_eq(mp.global_sum_price, 8535);
	assert_pence_eq(mp.ooh_deduction, 49000);
	assert_pence_eq(mp.qof_point_value, 17120);
	assert_pence_eq(mp.national_average_list, 7732000000);
	assert_pence_eq(mp.qof_points_available, 559);
	assert_pence_eq(mp.contingency_rate, 5000);
	assert_pence_eq(mp.nonrecurrent_reserve_rate, 10000);
	assert_pence_eq(mp.nonrecurrent_uncommitted_share, 500000);
	assert_pence_eq(mp.national_allocation, 795800000000);
	assert_false(mp.has_national_weighted_population);
	params_release(&p);
}

/* ------------------------------------------------------------------ */
/* A whole computation                                                  */

static void add_practice(struct dataset *ds, const char *code, size_t ccg,
			 enum contract_type type, int64_t reg, int64_t weighted,
			 int64_t value)
{
	struct ds_practice *pr;
	struct ds_contract *co;

	ALLOC_GROW(ds->practices, ds->n_practices + 1, ds->alloc_practices);
	ALLOC_GROW(ds->contracts, ds->n_contracts + 1, ds->alloc_contracts);
	pr = &ds->practices[ds->n_practices];
	co = &ds->contracts[ds->n_contracts];
	memset(pr, 0, sizeof(*pr));
	memset(co, 0, sizeof(*co));
	pr->code = xstrdup(code);
	pr->name = xstrdup(code);
	pr->ccg = ccg;
	pr->type = type;
	pr->registered = reg;
	pr->weighted = weighted;
	pr->ooh_opt_out = false;
	pr->days_open = 365;
	pr->contract = ds->n_contracts;
	co->id = xstrdup(code);
	co->practice = ds->n_practices;
	co->type = type;
	co->annual_value = value;
	ds->ccgs[ccg].n_practices++;
	ds->n_practices++;
	ds->n_contracts++;
}

/*
 * CCG A: P1 GMS, 1,000 weighted patients, no OOH opt-out: 1,000 × £85.35
 *        = £85,350.00; P2 APMS £100,000.00.  Allocation £200,000.
 * CCG B: P3 APMS £50,000.00.  Allocation £60,000.
 * Area line SEN £1,000.00 by registered list (1 patient each), area
 * total 7: A weighs 2, B 1, the rest of the area 4.
 *   100,000p × 2/7 = 28,571.43 -> 28,571 (remainder .43)
 *   100,000p × 1/7 = 14,285.71 -> 14,285 (.71)
 *   100,000p × 4/7 = 57,142.86 -> 57,142 (.86)
 *   2 pence left go to the largest remainders: rest, then B:
 *   A £285.71, B £142.86, rest £571.43.
 *   A's £285.71 over P1, P2 (1 : 1): 14,285.5 each -> one penny left,
 *   tie to the first: P1 £142.86, P2 £142.85.  P3 gets all of B's £142.86.
 * Planned A = 85,350.00 + 142.86 + 100,000.00 + 142.85 = £185,635.71
 *   contingency 0.5% × 200,000 = £1,000; reserve 1% = £2,000
 *   headroom = 200,000 − 185,635.71 − 1,000 − 2,000 = £11,364.29
 * Planned B = 50,000.00 + 142.86 = £50,142.86
 *   contingency £300, reserve £600, headroom = £8,957.14
 * Total headroom £20,321.43.
 */
static void build_two_ccgs(struct dataset *ds, struct method_params *mp)
{
	memset(ds, 0, sizeof(*ds));
	memset(mp, 0, sizeof(*mp));
	ds->year = 2017;
	ds->n_ccgs = ds->alloc_ccgs = 2;
	ds->ccgs = xcalloc(2, sizeof(*ds->ccgs));
	ds->ccgs[0].code = xstrdup("A");
	ds->ccgs[0].name = xstrdup("CCG A");
	ds->ccgs[0].allocation = 20000000;
	ds->ccgs[1].code = xstrdup("B");
	ds->ccgs[1].name = xstrdup("CCG B");
	ds->ccgs[1].allocation = 6000000;
	add_practice(ds, "P1", 0, CONTRACT_GMS, 1, W(1000), 0);
	add_practice(ds, "P2", 0, CONTRACT_APMS, 1, W(900), 10000000);
	add_practice(ds, "P3", 1, CONTRACT_APMS, 1, W(800), 5000000);
	ds->n_area_lines = ds->alloc_area_lines = 1;
	ds->area_lines = xcalloc(1, sizeof(*ds->area_lines));
	ds->area_lines[0].code = xstrdup("SEN");
	ds->area_lines[0].name = xstrdup("Seniority");
	ds->area_lines[0].category = CAT_OTHER;
	ds->area_lines[0].amount = 100000;
	ds->area_lines[0].basis = BASIS_REGISTERED_LIST;
	ds->area_lines[0].basis_total = 7;

	mp->year = 2017;
	snprintf(mp->section, sizeof(mp->section), "2017/18");
	mp->global_sum_price = 8535;
	mp->ooh_deduction = 49000;
	mp->qof_point_value = 17120;
	mp->national_average_list = 7732000000;
	mp->qof_points_available = 559;
	mp->qof_aspiration_share = 700000;
	mp->contingency_rate = 5000;
	mp->nonrecurrent_reserve_rate = 10000;
	mp->nonrecurrent_uncommitted_share = 500000;
	mp->contract_warning_months = 24;
}

static void test_method_computes_two_ccgs_to_the_penny(void **state)
{
	struct dataset ds;
	struct method_params mp;
	struct budget b;
	int64_t rows_total = 0;

	(void)state;
	build_two_ccgs(&ds, &mp);
	budget_init(&b);
	capture_begin();
	assert_int_equal(method_compute(&ds, &mp, &b), ST_OK);
	assert_string_equal(capture_end(), "");

	assert_pence_eq(b.practices[0].cat[CAT_CORE], 8535000);
	assert_pence_eq(b.practices[0].cat[CAT_OTHER], 14286);
	assert_pence_eq(b.practices[1].cat[CAT_OTHER], 14285);
	assert_pence_eq(b.practices[2].cat[CAT_OTHER], 14286);
	assert_pence_eq(b.ccgs[0].planned, 18563571);
	assert_pence_eq(b.ccgs[0].contingency, 100000);
	assert_pence_eq(b.ccgs[0].reserve, 200000);
	assert_pence_eq(b.ccgs[0].reserve_uncommitted, 100000);
	assert_pence_eq(b.ccgs[0].headroom, 1136429);
	assert_pence_eq(b.ccgs[1].planned, 5014286);
	assert_pence_eq(b.ccgs[1].headroom, 895714);
	assert_pence_eq(b.total.headroom, 2032143);
	assert_pence_eq(b.total.planned, 18563571 + 5014286);
	assert_false(b.total.has_target);

	/* the practice rows of each category add up to the category */
	for (size_t k = 0; k < b.n_rows; k++)
		if (b.rows[k].practice == 0)
			rows_total += b.rows[k].d.amount;
	assert_pence_eq(rows_total, b.practices[0].total);
	/* the CCG's own rows come first, then its practices */
	assert_int_equal(b.rows[0].practice, -1);
	assert_string_equal(b.rows[0].category, "allocation");

	/* a tampered total is caught */
	b.ccgs[1].line.cat[CAT_CORE] += 1;
	capture_begin();
	assert_int_equal(method_reconcile(&ds, &b), -1);
	assert_string_equal(capture_end(),
			    "pcbudget: error: internal error: core_contract of CCG 'B' (its practices) does not reconcile: 50000.00 against 50000.01\n");
	budget_release(&b);
	dataset_release(&ds);
}

static void test_method_target_from_weighted_population(void **state)
{
	struct dataset ds;
	struct method_params mp;
	struct budget b;

	(void)state;
	build_two_ccgs(&ds, &mp);
	/* £7,958m × 40,000 ÷ 56,000,000 = £5,684,285.714.. -> £5,684,285.71;
	 * CCG A: (£200,000 − £5,684,285.71) ÷ £5,684,285.71 = −96.48% */
	mp.has_national_allocation = true;
	mp.national_allocation = 795800000000;
	mp.has_national_weighted_population = true;
	mp.national_weighted_population = (int64_t)56000000 * 1000000;
	ds.ccgs[0].has_weighted_population = true;
	ds.ccgs[0].weighted_population = (int64_t)40000 * 1000000;
	ds.ccgs[1].has_target = true;
	ds.ccgs[1].target = 6100000;
	budget_init(&b);
	assert_int_equal(method_compute(&ds, &mp, &b), ST_OK);
	assert_true(b.ccgs[0].has_target);
	assert_pence_eq(b.ccgs[0].target, 568428571);
	assert_pence_eq(b.ccgs[0].distance_bp, -9648);
	/* B: (£60,000 − £61,000) ÷ £61,000 = −1.639% -> −164 bp */
	assert_pence_eq(b.ccgs[1].distance_bp, -164);
	budget_release(&b);
	dataset_release(&ds);
}

/*
 * Premises of INT64_MAX pence on two practices: each practice fits, the
 * CCG's premises do not.  One error naming the CCG, ST_DATA.  Then the
 * largest amount on one practice plus its GMS global sum: the practice
 * itself is named.
 */
static void test_method_reports_figures_too_large_for_pence(void **state)
{
	struct dataset ds;
	struct method_params mp;
	struct budget b;

	(void)state;
	build_two_ccgs(&ds, &mp);
	ds.n_premises = ds.alloc_premises = 2;
	ds.premises = xcalloc(2, sizeof(*ds.premises));
	ds.premises[0] = (struct ds_premises){ 0, PREM_RATES, INT64_MAX, false, 0 };
	ds.premises[1] = (struct ds_premises){ 1, PREM_RATES, INT64_MAX, false, 0 };
	budget_init(&b);
	capture_begin();
	assert_int_equal(method_compute(&ds, &mp, &b), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: practice 'P1': a figure is too large to compute in pence (over £92,233,720,368,547,758.07)\n"
			    "pcbudget: error: practice 'P2': a figure is too large to compute in pence (over £92,233,720,368,547,758.07)\n");
	budget_release(&b);

	/* P1 alone: £85,350.00 core + £92,233,720,368,547,758.07 premises */
	ds.n_premises = 1;
	ds.premises[0].amount = INT64_MAX - 8535000 - 14286 + 1;
	budget_init(&b);
	capture_begin();
	assert_int_equal(method_compute(&ds, &mp, &b), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: practice 'P1': a figure is too large to compute in pence (over £92,233,720,368,547,758.07)\n");
	budget_release(&b);

	/* two practices each just under the limit: only their CCG overflows */
	ds.premises[0].amount = INT64_MAX / 2;
	ds.n_premises = 2;
	ds.premises[1].amount = INT64_MAX / 2;
	budget_init(&b);
	capture_begin();
	assert_int_equal(method_compute(&ds, &mp, &b), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: CCG 'A': a figure is too large to compute in pence (over £92,233,720,368,547,758.07)\n");
	budget_release(&b);

	/* one per CCG, each CCG fits: the national totals overflow */
	ds.premises[1].practice = 2;
	budget_init(&b);
	capture_begin();
	assert_int_equal(method_compute(&ds, &mp, &b), ST_DATA);
	assert_string_equal(capture_end(),
			    "pcbudget: error: the dataset's totals: a figure is too large to compute in pence (over £92,233,720,368,547,758.07)\n");
	budget_release(&b);
	dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_rounds_half_away_from_zero),
		cmocka_unit_test(test_method_gms_global_sum_applies_the_ooh_deduction),
		cmocka_unit_test(test_method_mpig_is_phased_out_in_sevenths),
		cmocka_unit_test(test_method_pms_baseline_is_uplifted_and_premium_released),
		cmocka_unit_test(test_method_apms_value_and_contract_end_warning),
		cmocka_unit_test(test_method_enhanced_services_by_basis),
		cmocka_unit_test(test_method_qof_uses_points_value_and_cpi),
		cmocka_unit_test(test_method_premises_review_uplift_counts_days),
		cmocka_unit_test(test_method_pipeline_counts_months_live),
		cmocka_unit_test(test_method_part_year_and_reserves_and_target),
		cmocka_unit_test(test_method_every_default_parses_as_its_type),
		cmocka_unit_test(test_method_params_for_a_year_without_any_is_one_located_error),
		cmocka_unit_test(test_method_params_2017_18_defaults),
		cmocka_unit_test(test_method_computes_two_ccgs_to_the_penny),
		cmocka_unit_test(test_method_target_from_weighted_population),
		cmocka_unit_test(test_method_rules_flag_amounts_too_large_for_pence),
		cmocka_unit_test(test_method_params_rejects_uplifts_below_minus_100_percent),
		cmocka_unit_test(test_method_reports_figures_too_large_for_pence),
	};

	return cmocka_run_group_tests_name("method", tests, NULL, NULL);
}

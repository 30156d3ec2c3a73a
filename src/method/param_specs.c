/*
 * param_specs.c - every methodology parameter, with its default for
 * each financial year, unit and source.
 *
 * The table the parameter file is checked against (params.h) and the
 * single place a default lives.  Sources are tagged as in
 * ../shared/docs/methodology.md: [V] stated by a published source, [D]
 * computed from the NHS Payments data, [A] an assumption.  Defaults
 * cover 2014/15 to 2019/20 where the methodology gives them; a later
 * budget year needs its own [YYYY/YY] section in params.ini.
 * data/README.md documents the same table for users: keep them in step.
 */
#include <stddef.h>

#include "method.h"

#define Y PARAM_YEARLY
#define M3 "methodology §3 [V]"

const struct param_spec method_param_specs[] = {
	/* [run] */
	{ "run", "budget_year", PARAM_STRING, NULL, "financial year YYYY/YY",
	  "user", "the budget year when --year is not given" },

	/* GMS global sum (§2.1) */
	{ Y, "global_sum_price", PARAM_MONEY, NULL, "£ per weighted patient a year",
	  M3, "GMS global sum price" },
	{ "2013/14", "global_sum_price", PARAM_MONEY, "66.25", "", M3, "" },
	{ "2014/15", "global_sum_price", PARAM_MONEY, "73.56", "", M3, "" },
	{ "2015/16", "global_sum_price", PARAM_MONEY, "76.14", "",
	  "methodology §3 [V]: 75.77 to 30 Sep 2015, 76.51 from 1 Oct 2015; the mean of the two halves [A]", "" },
	{ "2016/17", "global_sum_price", PARAM_MONEY, "80.59", "", M3, "" },
	{ "2017/18", "global_sum_price", PARAM_MONEY, "85.35", "", M3, "" },
	{ "2018/19", "global_sum_price", PARAM_MONEY, "88.96", "", M3, "" },
	{ "2019/20", "global_sum_price", PARAM_MONEY, "89.88", "", M3, "" },

	{ Y, "ooh_deduction", PARAM_RATE, NULL, "share of the global sum",
	  M3, "out-of-hours deduction for practices that opted out" },
	{ "2014/15", "ooh_deduction", PARAM_RATE, "5.46%", "", M3, "" },
	{ "2015/16", "ooh_deduction", PARAM_RATE, "5.39%", "", M3, "" },
	{ "2016/17", "ooh_deduction", PARAM_RATE, "5.15%", "", M3, "" },
	{ "2017/18", "ooh_deduction", PARAM_RATE, "4.9%", "", "methodology §3 [D]", "" },
	{ "2018/19", "ooh_deduction", PARAM_RATE, "4.9%", "", "methodology §3 [D]", "" },
	{ "2019/20", "ooh_deduction", PARAM_RATE, "4.9%", "", "methodology §3 [D]", "" },

	/* PMS and APMS (§2.1) */
	{ Y, "pms_uplift", PARAM_RATE, "1%", "share of the baseline",
	  "[A] PMS baselines are uplifted in line with GMS (methodology §2.1 [V]); 1% approximates the GMS pay and expenses uplift",
	  "uplift of PMS baselines (and of the premium released) over last year's prices" },
	{ Y, "apms_uplift", PARAM_RATE, "0%", "share of the contract value",
	  "[A] APMS contracts are locally negotiated, fixed price", "uplift of APMS contract values over last year's prices" },
	{ Y, "contract_warning_months", PARAM_INT, "24", "months",
	  "issue 4 [A]", "flag APMS contracts ending within this many months of the budget year's start" },

	/* Enhanced services (§2.2) */
	{ Y, "es_activity_growth", PARAM_RATE, "0%", "share of last year's activity",
	  "[A]", "growth applied to activity-based DES" },
	{ Y, "les_growth", PARAM_RATE, "0%", "share of last year's payment",
	  "[A] methodology §2.2: LES at last year's actuals", "growth applied to local enhanced services" },
	{ Y, "es_extended_hours", PARAM_MONEY, "1.90", "£ per registered patient",
	  "methodology §2.2 [V]", "extended hours access DES rate" },
	{ Y, "es_unplanned_admissions", PARAM_MONEY, NULL, "£ per registered patient",
	  "methodology §2.2 [V]", "avoiding unplanned admissions DES rate (ended 31 March 2017)" },
	{ "2014/15", "es_unplanned_admissions", PARAM_MONEY, "2.87", "", "methodology §2.2 [V]", "" },
	{ "2015/16", "es_unplanned_admissions", PARAM_MONEY, "2.87", "", "methodology §2.2 [V]", "" },
	{ "2016/17", "es_unplanned_admissions", PARAM_MONEY, "2.87", "", "methodology §2.2 [V]", "" },
	{ Y, "es_learning_disability", PARAM_MONEY, "140.00", "£ per health check",
	  "methodology §2.2 [V]: £116 to 2016/17, £140 from 2017/18", "learning disability health check DES rate" },
	{ "2014/15", "es_learning_disability", PARAM_MONEY, "116.00", "", "methodology §2.2 [V]", "" },
	{ "2015/16", "es_learning_disability", PARAM_MONEY, "116.00", "", "methodology §2.2 [V]", "" },
	{ "2016/17", "es_learning_disability", PARAM_MONEY, "116.00", "", "methodology §2.2 [V]", "" },
	{ Y, "es_minor_surgery_injection", PARAM_MONEY, "43.54", "£ per injection",
	  "methodology §2.2 [V]", "minor surgery DES rate for an injection" },
	{ Y, "es_minor_surgery_incision", PARAM_MONEY, "87.08", "£ per procedure",
	  "methodology §2.2 [V]", "minor surgery DES rate for an incision or excision" },

	/* QOF (§2.3) */
	{ Y, "qof_point_value", PARAM_MONEY, NULL, "£ per point", M3, "QOF point value" },
	{ "2013/14", "qof_point_value", PARAM_MONEY, "156.92", "", M3, "" },
	{ "2014/15", "qof_point_value", PARAM_MONEY, "156.92", "", M3, "" },
	{ "2015/16", "qof_point_value", PARAM_MONEY, "160.15", "", M3, "" },
	{ "2016/17", "qof_point_value", PARAM_MONEY, "165.18", "", M3, "" },
	{ "2017/18", "qof_point_value", PARAM_MONEY, "171.20", "", M3, "" },
	{ "2018/19", "qof_point_value", PARAM_MONEY, "179.26", "", M3, "" },
	{ "2019/20", "qof_point_value", PARAM_MONEY, "187.74", "", M3, "" },
	{ Y, "national_average_list", PARAM_DECIMAL, NULL, "patients",
	  M3, "national average practice list, the denominator of the contractor population index" },
	{ "2014/15", "national_average_list", PARAM_DECIMAL, "7087", "", M3, "" },
	{ "2015/16", "national_average_list", PARAM_DECIMAL, "7223", "", M3, "" },
	{ "2016/17", "national_average_list", PARAM_DECIMAL, "7460", "", M3, "" },
	{ "2017/18", "national_average_list", PARAM_DECIMAL, "7732", "", M3, "" },
	{ "2018/19", "national_average_list", PARAM_DECIMAL, "8096", "", "methodology §3 [V] (approximate)", "" },
	{ "2019/20", "national_average_list", PARAM_DECIMAL, "8479", "", "methodology §3 [V] (approximate)", "" },
	{ Y, "qof_points_available", PARAM_INT, "559", "points",
	  "methodology §2.3 [V]: 559 from 2014/15", "QOF points available (cap on points achieved)" },
	{ "2013/14", "qof_points_available", PARAM_INT, "900", "", M3, "" },
	{ Y, "qof_aspiration_share", PARAM_RATE, "70%", "share of the QOF budget",
	  "methodology §2.3 [A]", "share paid as monthly aspiration payments" },

	/* Premises (§2.4) */
	{ Y, "rent_review_uplift", PARAM_RATE, "2.5%", "share of the annual amount",
	  "methodology §2.4 [A]", "assumed uplift at a rent review falling due in the year" },
	{ Y, "pipeline_probability_weighted", PARAM_BOOL, "no", "yes/no",
	  "methodology §2.4 [A]: probability belongs to the risk model",
	  "weight pipeline schemes by their probability in the budget" },

	/* Reserves and allocation (§2.6) */
	{ Y, "contingency_rate", PARAM_RATE, "0.5%", "share of the allocation",
	  "methodology §2.6 [V]", "contingency held in the delegated budget" },
	{ Y, "nonrecurrent_reserve_rate", PARAM_RATE, "1%", "share of the allocation",
	  "methodology §2.6 [V]", "non-recurrent reserve" },
	{ Y, "nonrecurrent_uncommitted_share", PARAM_RATE, NULL, "share of the reserve",
	  "methodology §2.6", "share of the non-recurrent reserve held uncommitted" },
	{ "2015/16", "nonrecurrent_uncommitted_share", PARAM_RATE, "100%", "", "[A] as 2016/17", "" },
	{ "2016/17", "nonrecurrent_uncommitted_share", PARAM_RATE, "100%", "", "methodology §2.6 [V]", "" },
	{ "2017/18", "nonrecurrent_uncommitted_share", PARAM_RATE, "50%", "", "methodology §2.6 [V]", "" },
	{ "2018/19", "nonrecurrent_uncommitted_share", PARAM_RATE, "50%", "", "[A] as 2017/18", "" },
	{ "2019/20", "nonrecurrent_uncommitted_share", PARAM_RATE, "50%", "", "[A] as 2017/18", "" },
	{ Y, "national_allocation", PARAM_MONEY, NULL, "£",
	  M3, "national primary medical care allocation (for targets from weighted population)" },
	{ "2015/16", "national_allocation", PARAM_MONEY, "7342000000", "", M3, "" },
	{ "2016/17", "national_allocation", PARAM_MONEY, "7652000000", "", M3, "" },
	{ "2017/18", "national_allocation", PARAM_MONEY, "7958000000", "", M3, "" },
	{ "2018/19", "national_allocation", PARAM_MONEY, "8317000000", "", M3, "" },
	{ "2019/20", "national_allocation", PARAM_MONEY, "8716000000", "", M3, "" },
	{ "2020/21", "national_allocation", PARAM_MONEY, "9188000000", "", M3, "" },
	{ Y, "national_weighted_population", PARAM_DECIMAL, NULL, "people",
	  "user (no published default here)",
	  "national weighted population, to work out a CCG's target from its weighted population" },
};

const size_t method_n_param_specs = sizeof(method_param_specs) / sizeof(method_param_specs[0]);

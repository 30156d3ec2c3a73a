/*
 * mparams.c - the methodology's parameters for one budget year, read
 * once from the loaded parameter file (values over defaults).
 *
 * Between the parameter file (params.h) and the rules (method.c): the
 * rules then take plain numbers.  Every missing value is reported, not
 * just the first.
 */
#include <string.h>

#include "diag.h"
#include "method.h"

enum status method_params_load(const struct params *p, int year,
			       struct method_params *mp)
{
	const char *s;
	int bad = 0;
	struct srcloc loc;

	memset(mp, 0, sizeof(*mp));
	mp->year = year;
	fy_format(year, mp->section);
	s = mp->section;

	if (!params_has_year(p, s) && !params_is_set(p, s, "global_sum_price")) {
		params_section_loc(p, s, &loc);
		diag_at(DIAG_ERROR, &loc,
			"no parameters for the budget year %s: add a [%s] section (built-in defaults cover 2014/15 to 2019/20)",
			s, s);
		return ST_DATA;
	}
	bad |= params_money(p, s, "global_sum_price", &mp->global_sum_price);
	bad |= params_rate_ppm(p, s, "ooh_deduction", &mp->ooh_deduction);
	bad |= params_money(p, s, "qof_point_value", &mp->qof_point_value);
	bad |= params_decimal_micro(p, s, "national_average_list", &mp->national_average_list);
	bad |= params_int(p, s, "qof_points_available", &mp->qof_points_available);
	bad |= params_rate_ppm(p, s, "qof_aspiration_share", &mp->qof_aspiration_share);
	bad |= params_rate_ppm(p, s, "pms_uplift", &mp->pms_uplift);
	bad |= params_rate_ppm(p, s, "apms_uplift", &mp->apms_uplift);
	bad |= params_int(p, s, "contract_warning_months", &mp->contract_warning_months);
	bad |= params_rate_ppm(p, s, "es_activity_growth", &mp->es_activity_growth);
	bad |= params_rate_ppm(p, s, "les_growth", &mp->les_growth);
	bad |= params_rate_ppm(p, s, "rent_review_uplift", &mp->rent_review_uplift);
	bad |= params_bool(p, s, "pipeline_probability_weighted", &mp->pipeline_probability_weighted);
	bad |= params_rate_ppm(p, s, "contingency_rate", &mp->contingency_rate);
	bad |= params_rate_ppm(p, s, "nonrecurrent_reserve_rate", &mp->nonrecurrent_reserve_rate);
	bad |= params_rate_ppm(p, s, "nonrecurrent_uncommitted_share",
			       &mp->nonrecurrent_uncommitted_share);
	if (params_is_set(p, s, "national_allocation")) {
		bad |= params_money(p, s, "national_allocation", &mp->national_allocation);
		mp->has_national_allocation = true;
	}
	if (params_is_set(p, s, "national_weighted_population")) {
		bad |= params_decimal_micro(p, s, "national_weighted_population",
					    &mp->national_weighted_population);
		mp->has_national_weighted_population = true;
	}
	if (bad)
		return ST_DATA;

	/* values a rule cannot use, located where the file gives them */
	params_section_loc(p, s, &loc);
	{
		static const char *const shares[] = {
			"ooh_deduction", "qof_aspiration_share", "contingency_rate",
			"nonrecurrent_reserve_rate", "nonrecurrent_uncommitted_share",
		};
		const int64_t vals[] = {
			mp->ooh_deduction, mp->qof_aspiration_share, mp->contingency_rate,
			mp->nonrecurrent_reserve_rate, mp->nonrecurrent_uncommitted_share,
		};

		for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
			const struct param_value *v = params_lookup(p, s, shares[i]);
			struct srcloc at = loc;

			if (vals[i] >= 0 && vals[i] <= 1000000)
				continue;
			if (v) {
				at.line = v->line;
				at.col = v->col;
			}
			diag_at(DIAG_ERROR, &at, "'%s' for [%s] must be between 0%% and 100%%",
				shares[i], s);
			bad = 1;
		}
	}
	{
		static const char *const positive[] = {
			"global_sum_price", "qof_point_value", "national_average_list",
			"qof_points_available",
		};
		const int64_t vals[] = {
			mp->global_sum_price, mp->qof_point_value, mp->national_average_list,
			mp->qof_points_available,
		};

		for (size_t i = 0; i < sizeof(positive) / sizeof(positive[0]); i++) {
			const struct param_value *v = params_lookup(p, s, positive[i]);
			struct srcloc at = loc;

			if (vals[i] > 0)
				continue;
			if (v) {
				at.line = v->line;
				at.col = v->col;
			}
			diag_at(DIAG_ERROR, &at, "'%s' for [%s] must be more than 0", positive[i], s);
			bad = 1;
		}
	}
	if (mp->has_national_weighted_population && mp->national_weighted_population <= 0) {
		diag_at(DIAG_ERROR, &loc, "'national_weighted_population' for [%s] must be more than 0", s);
		bad = 1;
	}
	{
		/* rules multiply by (1 + rate): below -100% a payment turns negative */
		static const char *const factors[] = {
			"pms_uplift", "apms_uplift", "es_activity_growth", "les_growth",
			"rent_review_uplift",
		};
		const int64_t vals[] = {
			mp->pms_uplift, mp->apms_uplift, mp->es_activity_growth, mp->les_growth,
			mp->rent_review_uplift,
		};

		for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
			const struct param_value *v = params_lookup(p, s, factors[i]);
			struct srcloc at = loc;

			if (vals[i] >= -1000000)
				continue;
			if (v) {
				at.line = v->line;
				at.col = v->col;
			}
			diag_at(DIAG_ERROR, &at, "'%s' for [%s] must not be below -100%%", factors[i], s);
			bad = 1;
		}
	}
	/* a horizon of more than a century is a typo, and would pass any date */
	if (mp->contract_warning_months < 0 || mp->contract_warning_months > 1200) {
		const struct param_value *v = params_lookup(p, s, "contract_warning_months");
		struct srcloc at = loc;

		if (v) {
			at.line = v->line;
			at.col = v->col;
		}
		diag_at(DIAG_ERROR, &at,
			"'contract_warning_months' for [%s] must be between 0 and 1200 (100 years)", s);
		bad = 1;
	}
	/* a value of the wrong range is a bad parameter file (78), not bad data */
	return bad ? ST_CONFIG : ST_OK;
}

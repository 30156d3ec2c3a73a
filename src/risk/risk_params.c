/*
 * risk_params.c - the risk parameters' table, defaults and scenarios
 * (see risk_params.h).
 *
 * The table is the single source of every Monte Carlo default.  [D]
 * values come from `python3 tools/calibrate_risk.py` on the nine NHS
 * Payments files 2014/15-2022/23 (the output is quoted in docs/risk.md);
 * "pooled" means averaged over the eight year-on-year pairs.
 */
#include <string.h>

#include "diag.h"
#include "money.h"
#include "risk_params.h"

#define SRC_CAL "[D] tools/calibrate_risk.py, NHS Payments 2014/15-2022/23"

#define DEC(sec, key, def, unit, src, doc) \
	{ sec, key, PARAM_DECIMAL, def, unit, src, doc }
#define RATE(sec, key, def, unit, src, doc) \
	{ sec, key, PARAM_RATE, def, unit, src, doc }
#define INT(sec, key, def, unit, src, doc) \
	{ sec, key, PARAM_INT, def, unit, src, doc }

const struct param_spec risk_param_specs[] = {
	/* run settings */
	INT("risk", "seed", "20150401", "integer >= 0", "[A] any fixed value",
	    "master seed of the random streams"),
	INT("risk", "iterations", "10000", "simulated years", "[A]",
	    "Monte Carlo iterations"),
	INT("risk", "block_size", "256", "iterations per stream", "[A]",
	    "iterations drawn from one seeded stream; changing it changes the draws"),

	/* list growth */
	RATE("risk", "list_growth_mean", "0.0187", "rate per year",
	     SRC_CAL ": mean national growth of matched practices' lists (1.31%-2.67%)",
	     "mean list growth"),
	DEC("risk", "list_growth_sd_ccg", "0.0053", "rate per year",
	    SRC_CAL ": pooled between-CCG sd",
	    "sd of list growth shared by a CCG's practices"),
	DEC("risk", "list_growth_sd_practice", "0.0543", "rate per year",
	    SRC_CAL ": pooled within-CCG sd",
	    "sd of a practice's own list growth"),

	/* QOF */
	DEC("risk", "qof_ratio_mean", "1", "ratio",
	    "[A] the QOF budget is already repriced for point value and CPI (methodology §2.3)",
	    "QOF achievement this year / budgeted, mean"),
	DEC("risk", "qof_ratio_sd_ccg", "0.0668", "ratio",
	    SRC_CAL ": pooled between-CCG sd of log QOF £ ratio",
	    "sd of QOF achievement shared by a CCG"),
	DEC("risk", "qof_ratio_sd_practice", "0.1469", "ratio",
	    SRC_CAL ": pooled within-CCG sd of log QOF £ ratio",
	    "sd of a practice's own QOF achievement"),
	DEC("risk", "qof_ratio_max", "2", "ratio",
	    "[A] the calibration's band: larger £ ratios are mergers, not achievement",
	    "cap on the QOF ratio (points cannot exceed those available)"),

	/* activity-based enhanced services */
	DEC("risk", "es_volume_mean", "1", "multiplier",
	    SRC_CAL ": national ratio mean 1.0085 (0.946-1.103)",
	    "activity ES volume this year / budgeted, mean"),
	DEC("risk", "es_volume_sigma_ccg", "0.1962", "log scale",
	    SRC_CAL ": learning disability + minor surgery £, between-CCG",
	    "log-scale sd of activity ES volume shared by a CCG"),
	DEC("risk", "es_volume_sigma_practice", "0.4597", "log scale",
	    SRC_CAL ": learning disability + minor surgery £, within-CCG",
	    "log-scale sd of a practice's own activity ES volume"),

	/* premises */
	RATE("risk", "pipeline_probability", "0.7", "probability",
	     "[A] no published base rate; replace with the scheme list's own",
	     "chance a pipeline scheme without its own probability goes live this year"),
	DEC("risk", "pipeline_delay_max_months", "6", "months",
	    "[A]", "a scheme's delay is uniform between 0 and this"),
	RATE("risk", "rent_review_prob", "0.3333", "probability",
	     "[V] reviews every 3 years (Premises Costs Directions 2013, methodology §2.4)",
	     "chance a practice's rent review falls due this year"),
	RATE("risk", "rent_uplift_mean", "0.05", "rate",
	     "[A] the data cannot separate reviews from payment timing (see docs/risk.md)",
	     "rent uplift when a review falls due, mean (upward-only)"),
	DEC("risk", "rent_uplift_sd", "0.05", "rate", "[A]",
	    "sd of the rent uplift, shared by a CCG"),

	/* contracts */
	DEC("risk", "apms_cost_mean", "1", "ratio", "[A]",
	    "re-procured APMS contract cost / current, mean"),
	DEC("risk", "apms_cost_sigma", "0.15", "log scale", "[A]",
	    "log-scale sd of the re-procured cost"),
	RATE("risk", "pms_slip_max", "0.5", "share", "[A]",
	     "share of a planned PMS premium release that slips is uniform up to this"),

	/* discretionary */
	DEC("risk", "disc_mean", "1", "multiplier", "[A] the budget sets the level",
	    "discretionary spend / budgeted, mean"),
	DEC("risk", "disc_claims", "18", "claims per CCG",
	    SRC_CAL ": CCG log ratio sd 0.334 = sqrt((1 + cv^2) / claims) with cv 1",
	    "Poisson mean number of discretionary claims per CCG per year"),
	DEC("risk", "disc_claim_cv", "1", "ratio", "[A]",
	    "coefficient of variation of one claim"),

	/* what the drivers do not explain */
	DEC("risk", "residual_sigma_ccg", "0.0444", "log scale",
	    SRC_CAL ": median yearly sd of CCG growth beyond national, five categories",
	    "log-scale sd of a CCG's unexplained change (local schemes, contracts, timing)"),
	DEC("risk", "residual_sigma_national", "0.0194", "log scale",
	    SRC_CAL ": sd of national log growth; an upper bound, the budget knows some of it",
	    "log-scale sd of the unexplained change shared by every CCG"),

	/* optimistic: less spend */
	RATE("risk_optimistic", "list_growth_mean", "0.0131", "rate per year",
	     SRC_CAL ": lowest national year (2014/15>2015/16)", "mean list growth"),
	DEC("risk_optimistic", "qof_ratio_mean", "0.98", "ratio", "[A]",
	    "QOF achievement / budgeted, mean"),
	DEC("risk_optimistic", "es_volume_mean", "0.946", "multiplier",
	    SRC_CAL ": lowest national year (2021/22>2022/23)", "activity ES volume, mean"),
	RATE("risk_optimistic", "pipeline_probability", "0.5", "probability", "[A]",
	     "chance a pipeline scheme goes live"),
	DEC("risk_optimistic", "pipeline_delay_max_months", "9", "months", "[A]",
	    "maximum scheme delay"),
	RATE("risk_optimistic", "rent_uplift_mean", "0.02", "rate", "[A]",
	     "rent uplift when due, mean"),
	DEC("risk_optimistic", "apms_cost_mean", "0.95", "ratio", "[A]",
	    "re-procured APMS cost ratio, mean"),
	RATE("risk_optimistic", "pms_slip_max", "0.2", "share", "[A]",
	     "maximum PMS release slippage"),
	DEC("risk_optimistic", "disc_mean", "0.871", "multiplier",
	    SRC_CAL ": lowest national year (2014/15>2015/16)", "discretionary, mean"),

	/* pessimistic: more spend */
	RATE("risk_pessimistic", "list_growth_mean", "0.0267", "rate per year",
	     SRC_CAL ": highest national year (2015/16>2016/17)", "mean list growth"),
	DEC("risk_pessimistic", "qof_ratio_mean", "1.02", "ratio", "[A]",
	    "QOF achievement / budgeted, mean"),
	DEC("risk_pessimistic", "es_volume_mean", "1.103", "multiplier",
	    SRC_CAL ": highest national year (2015/16>2016/17)", "activity ES volume, mean"),
	RATE("risk_pessimistic", "pipeline_probability", "0.9", "probability", "[A]",
	     "chance a pipeline scheme goes live"),
	DEC("risk_pessimistic", "pipeline_delay_max_months", "3", "months", "[A]",
	    "maximum scheme delay"),
	RATE("risk_pessimistic", "rent_uplift_mean", "0.08", "rate", "[A]",
	     "rent uplift when due, mean"),
	DEC("risk_pessimistic", "apms_cost_mean", "1.15", "ratio", "[A]",
	    "re-procured APMS cost ratio, mean"),
	RATE("risk_pessimistic", "pms_slip_max", "0.8", "share", "[A]",
	     "maximum PMS release slippage"),
	DEC("risk_pessimistic", "disc_mean", "1.161", "multiplier",
	    SRC_CAL ": highest national year (2016/17>2017/18)", "discretionary, mean"),
};

const size_t risk_n_param_specs =
	sizeof(risk_param_specs) / sizeof(risk_param_specs[0]);

const char *risk_scenario_name(enum risk_scenario s)
{
	switch (s) {
	case RISK_BASE: return "base";
	case RISK_OPTIMISTIC: return "optimistic";
	case RISK_PESSIMISTIC: return "pessimistic";
	case RISK_N_SCENARIOS: break;
	}
	return "?";
}

const char *risk_scenario_section(enum risk_scenario s)
{
	switch (s) {
	case RISK_BASE: return "risk";
	case RISK_OPTIMISTIC: return "risk_optimistic";
	case RISK_PESSIMISTIC: return "risk_pessimistic";
	case RISK_N_SCENARIOS: break;
	}
	return "?";
}

int risk_params_default(void *ctx, const struct param_spec *spec, int64_t *num)
{
	const char *s = spec->def;
	size_t len = s ? strlen(s) : 0;
	enum num_err e;

	(void)ctx;
	if (!s)
		return diag_error("risk parameter '%s' in [%s] has no default",
				  spec->key, spec->section);
	switch (spec->type) {
	case PARAM_RATE:
		if (len && s[len - 1] == '%') {	/* "5.15%": 4 decimals of percent = ppm */
			e = fixed_parse(s, len - 1, 4, NUM_ROUND_REJECT, num);
			break;
		}
		e = fixed_parse(s, len, 6, NUM_ROUND_REJECT, num);
		break;
	case PARAM_DECIMAL:
		e = fixed_parse(s, len, 6, NUM_ROUND_REJECT, num);
		break;
	case PARAM_INT:
		e = fixed_parse(s, len, 0, NUM_ROUND_REJECT, num);
		break;
	case PARAM_MONEY:
	case PARAM_BOOL:
	case PARAM_STRING:
	case PARAM_DATE:
	default:
		return diag_error("risk parameter '%s' in [%s] has an unexpected type",
				  spec->key, spec->section);
	}
	if (e != NUM_OK)
		return diag_error("risk parameter '%s' in [%s]: default '%s' is not a number%s",
				  spec->key, spec->section, s, num_reason(e));
	return 0;
}

static int apply_section(const char *section, risk_param_getter get,
			 void *ctx, struct mc_params *out)
{
	int rc = 0;

	for (size_t i = 0; i < risk_n_param_specs; i++) {
		const struct param_spec *spec = &risk_param_specs[i];
		double *field;
		int64_t v;

		if (strcmp(spec->section, section) != 0 || spec->type == PARAM_INT)
			continue;
		field = mc_params_field(out, spec->key);
		if (!field)
			BUG("risk parameter '%s' has no field", spec->key);
		if (get(ctx, spec, &v) != 0) {
			rc = -1;
			continue;
		}
		*field = (double)v / 1e6;
	}
	return rc;
}

int risk_params_resolve(enum risk_scenario s, risk_param_getter get,
			void *ctx, struct mc_params *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = apply_section("risk", get, ctx, out);
	if (s != RISK_BASE && apply_section(risk_scenario_section(s), get, ctx, out) != 0)
		rc = -1;
	if (rc != 0)
		return -1;
	return mc_params_check(out, risk_scenario_section(s));
}

static int get_int(risk_param_getter get, void *ctx, const char *key,
		   int64_t lo, int64_t hi, int64_t *out)
{
	for (size_t i = 0; i < risk_n_param_specs; i++) {
		const struct param_spec *spec = &risk_param_specs[i];

		if (strcmp(spec->section, "risk") != 0 || strcmp(spec->key, key) != 0)
			continue;
		if (get(ctx, spec, out) != 0)
			return -1;
		if (*out < lo || *out > hi)
			return diag_error("risk parameter '%s' in [risk] must be between "
					  "%lld and %lld (got %lld)", key, (long long)lo,
					  (long long)hi, (long long)*out);
		return 0;
	}
	BUG("risk parameter '%s' has no spec", key);
}

int risk_config_resolve(risk_param_getter get, void *ctx,
			struct mc_config *cfg)
{
	int64_t seed = 0, iters = 0, bs = 0;
	int rc = 0;

	if (get_int(get, ctx, "seed", 0, INT64_MAX, &seed) != 0)
		rc = -1;
	if (get_int(get, ctx, "iterations", 1, MC_MAX_ITERATIONS, &iters) != 0)
		rc = -1;
	if (get_int(get, ctx, "block_size", 1, 1000000, &bs) != 0)
		rc = -1;
	if (rc != 0)
		return -1;
	cfg->seed = (uint64_t)seed;
	cfg->iterations = (size_t)iters;
	cfg->block_size = (size_t)bs;
	cfg->threads = 0;
	return 0;
}

int risk_params_from_file(void *ctx, const struct param_spec *spec, int64_t *num)
{
	const struct params *p = ctx;

	switch (spec->type) {
	case PARAM_RATE:
		return params_rate_ppm(p, spec->section, spec->key, num);
	case PARAM_DECIMAL:
		return params_decimal_micro(p, spec->section, spec->key, num);
	case PARAM_INT:
		return params_int(p, spec->section, spec->key, num);
	case PARAM_MONEY:
	case PARAM_BOOL:
	case PARAM_STRING:
	case PARAM_DATE:
		break;
	}
	BUG("risk parameter '%s' has an unexpected type", spec->key);
}

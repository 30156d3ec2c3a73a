/*
 * risk_params.h - the Monte Carlo's parameters: documented defaults,
 * sources, and the three named scenarios.
 *
 * Where it sits: between the parameter file (params.h, an INI file read
 * against struct param_spec rows) and the Monte Carlo (struct
 * mc_params).  risk_param_specs[] describes every key of the sections
 *     [risk]              base scenario: every driver, and run settings
 *     [risk_optimistic]   the central values (means) of the optimistic scenario
 *     [risk_pessimistic]  the same, pessimistic
 * with its default and where the default comes from ([D] computed from
 * the NHS Payments data by tools/calibrate_risk.py, [V] published, [A]
 * assumption).  "Optimistic" and "pessimistic" are from the allocation's
 * point of view: less or more spend.  A scenario section holds only
 * central values; volatilities come from [risk].  docs/risk.md is the
 * reader's version of this table.
 *
 * Values are fetched through a getter so that this module does not
 * depend on how the file is read: risk_params_default() gives the spec's
 * default; the command wires a getter over params_decimal_micro(),
 * params_rate_ppm() and params_int() (see docs/risk.md).
 */
#ifndef PCBUDGET_RISK_PARAMS_H
#define PCBUDGET_RISK_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "mc.h"
#include "params.h"

enum risk_scenario {
	RISK_BASE,
	RISK_OPTIMISTIC,
	RISK_PESSIMISTIC,
	RISK_N_SCENARIOS
};

/* The spec rows (static). */
extern const struct param_spec risk_param_specs[];
extern const size_t risk_n_param_specs;

/* "base", "optimistic", "pessimistic": static string. */
const char *risk_scenario_name(enum risk_scenario s);
/* "risk", "risk_optimistic", "risk_pessimistic": static string. */
const char *risk_scenario_section(enum risk_scenario s);

/*
 * Returns the value of the parameter described by spec in *num: for
 * PARAM_DECIMAL and PARAM_RATE in millionths (0.0187 -> 18700), for
 * PARAM_INT the integer.  Returns 0, or -1 after reporting.
 */
typedef int (*risk_param_getter)(void *ctx, const struct param_spec *spec,
				 int64_t *num);

/*
 * A getter that returns spec's default (ctx unused).  Returns -1 after
 * reporting if the default text does not parse (a bug in the table).
 */
int risk_params_default(void *ctx, const struct param_spec *spec, int64_t *num);

/*
 * A getter over a loaded parameter file: ctx is a const struct params *
 * (params.h) whose spec table includes risk_param_specs.  Values come
 * from the file, else from the spec's default.
 */
int risk_params_from_file(void *ctx, const struct param_spec *spec, int64_t *num);

/*
 * Fills *out with scenario s: every [risk] key, then the scenario
 * section's keys over them.  Checks the result (mc_params_check, naming
 * the scenario's section).  Returns 0, or -1 after reporting.
 */
int risk_params_resolve(enum risk_scenario s, risk_param_getter get,
			void *ctx, struct mc_params *out);

/*
 * Fills cfg from [risk] seed, iterations and block_size (threads = 0).
 * Returns 0, or -1 after reporting a value out of range (iterations
 * 1..10,000,000, block_size 1..1,000,000, seed >= 0).
 */
int risk_config_resolve(risk_param_getter get, void *ctx,
			struct mc_config *cfg);

#endif

/*
 * fuzz_params.c - libFuzzer harness for the parameter file: any text
 * loaded with params_load_string() against the spec tables "pcbudget
 * run" registers (the methodology's, then the risk model's), then, for
 * a file that loads, every value resolved as the commands resolve it:
 * method_params_load() for every year section and for [run]
 * budget_year, and the three risk scenarios and the run settings
 * through a getter over the typed params getters.
 *
 * Loading must return ST_OK or ST_CONFIG (never crash, leak or
 * overflow); resolving must return OK or a reported error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "method.h"
#include "params.h"
#include "risk_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void resolve(struct params *p)
{
	struct method_params mp;
	struct mc_params mc;
	struct mc_config cfg;
	const struct param_value *v;
	int year;

	for (size_t i = 0; i < p->n_years; i++) {
		if (!fy_parse(p->years[i], strlen(p->years[i]), &year))
			abort();	/* params accepted a section that is not a year */
		(void)method_params_load(p, year, &mp);
	}
	v = params_lookup(p, "run", "budget_year");
	if (v && fy_parse(v->text, strlen(v->text), &year))
		(void)method_params_load(p, year, &mp);
	for (int s = 0; s < RISK_N_SCENARIOS; s++)
		(void)risk_params_resolve((enum risk_scenario)s, risk_params_from_file, p, &mc);
	(void)risk_config_resolve(risk_params_from_file, p, &cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct params p;
	char *text;
	enum status st;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		diag_set_stream(devnull);
		diag_set_max_errors(5);
	}
	diag_reset();
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	params_init(&p, method_param_specs, method_n_param_specs);
	params_add_specs(&p, risk_param_specs, risk_n_param_specs);
	st = params_load_string(&p, "fuzz.ini", text);
	if (st == ST_OK)
		resolve(&p);
	else if (st != ST_CONFIG)
		abort();
	params_release(&p);
	free(text);
	return 0;
}

/*
 * fuzz_dataset.c - libFuzzer harness for the dataset loader and the
 * methodology behind it.
 *
 * The base is the small valid dataset tests/fixtures/run-small (read
 * once; FUZZ_DATASET names another directory), held in memory.  The
 * first input byte picks which of its eleven files the rest of the
 * input replaces: 0-9 a table, in dataset_files[] order, 10 params.ini.
 * Then, as "pcbudget run" does: params_load_string() against the
 * method and risk spec tables, method_params_load() for 2017/18,
 * dataset_load_mem() with every table from memory, and for a dataset
 * that loads, method_compute() and method_reconcile().
 *
 * Loading must return ST_OK, ST_DATA or ST_CONFIG; a dataset the loader
 * accepts must compute and reconcile, or be refused with ST_DATA for a
 * figure too large for int64 pence (method_compute()): ST_INTERNAL, a
 * crash, a leak or undefined behaviour (an overflow) is a finding.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "diag.h"
#include "method.h"
#include "params.h"
#include "risk_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_TABLES 10
#define N_FILES (N_TABLES + 1)

static char *base[N_FILES];

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "fuzz_dataset: cannot read '%s' (run from the repository root "
				"or set FUZZ_DATASET)\n", path);
		exit(1);
	}
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		abort();
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void setup(void)
{
	const char *dir = getenv("FUZZ_DATASET");

	if (!dir)
		dir = "tests/fixtures/run-small";
	for (int k = 0; k < N_TABLES; k++) {
		if (!dataset_files[k])
			abort();
		base[k] = slurp(dir, dataset_files[k]);
	}
	if (dataset_files[N_TABLES])
		abort();	/* a table was added: extend the harness */
	base[N_TABLES] = slurp(dir, "params.ini");
}

/* The check "pcbudget run" makes before computing (cmd_run.c). */
static bool targets_known(const struct dataset *ds, const struct method_params *mp)
{
	for (size_t c = 0; c < ds->n_ccgs; c++)
		if (!ds->ccgs[c].has_target && ds->ccgs[c].has_weighted_population &&
		    !(mp->has_national_allocation && mp->has_national_weighted_population))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	const char *texts[N_FILES];
	char *text;
	struct params p;
	struct method_params mp;
	struct dataset ds;
	struct budget b;
	enum status st;
	size_t which;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		diag_set_stream(devnull);
		diag_set_max_errors(5);
		setup();
	}
	if (size == 0)
		return 0;
	which = data[0] % N_FILES;
	text = malloc(size);
	if (!text)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memcpy(texts, base, sizeof(texts));
	texts[which] = text;

	diag_reset();
	params_init(&p, method_param_specs, method_n_param_specs);
	params_add_specs(&p, risk_param_specs, risk_n_param_specs);
	dataset_init(&ds);
	budget_init(&b);
	st = params_load_string(&p, "ds/params.ini", texts[N_TABLES]);
	if (st != ST_OK && st != ST_CONFIG)
		abort();
	st = status_worst(st, method_params_load(&p, 2017, &mp));
	st = status_worst(st, dataset_load_mem(&ds, "ds", texts, 2017, &p));
	if (st == ST_OK && !targets_known(&ds, &mp))
		st = ST_DATA;
	if (st == ST_OK) {
		/* ST_DATA: a figure too large for pence, reported; never ST_INTERNAL */
		st = method_compute(&ds, &mp, &b);
		if (st == ST_OK ? method_reconcile(&ds, &b) != 0 : st != ST_DATA)
			abort();
	} else if (st != ST_DATA && st != ST_CONFIG) {
		abort();
	}
	budget_release(&b);
	dataset_release(&ds);
	params_release(&p);
	free(text);
	return 0;
}

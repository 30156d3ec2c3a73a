/*
 * dataset.c - a CCG dataset directory -> one validated struct dataset
 * for a budget year.
 *
 * The first stage of "pcbudget run".  Tables are read in a fixed order
 * (practices first: the other tables refer to them), each row becomes a
 * typed record, and every problem is reported where it is, with the
 * row kept whenever its key could be read so that one bad cell does not
 * cascade into "unknown practice" errors elsewhere.  Checks that need
 * several tables (a practice without a contract or without history, a
 * CCG without an allocation, area totals smaller than the dataset's own)
 * run last.  Nothing is computed here beyond what validation needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "dates.h"
#include "diag.h"
#include "money.h"
#include "schema.h"
#include "xalloc.h"

const char *const category_names[N_CATS] = {
	"core_contract", "enhanced_services", "qof", "premises", "other",
};

static const char *const contract_choices[] = { "GMS", "PMS", "APMS", NULL };
static const char *const es_type_choices[] = { "DES", "LES", NULL };
static const char *const basis_es_choices[] = { "per_head", "activity", NULL };
static const char *const premises_choices[] = {
	"notional_rent", "borrowing_costs", "lease_rent", "rates", "water",
	"clinical_waste", NULL,
};
static const char *const area_category_choices[] = { "premises", "other", NULL };
static const char *const area_basis_choices[] = {
	"weighted_list", "registered_list", "historic", NULL,
};

const char *const contract_type_names[] = { "GMS", "PMS", "APMS" };
const char *const premises_type_names[] = {
	"notional rent", "borrowing costs", "lease rent", "business rates",
	"water rates", "clinical waste",
};
const char *const area_basis_names[] = {
	"weighted list", "registered list", "historic share",
};

/* ------------------------------------------------------------------ */
/* Table schemas (documented in data/README.md)                         */

#define COLS(a) a, sizeof(a) / sizeof(a[0])

enum { PR_CODE, PR_NAME, PR_CCG, PR_TYPE, PR_REG, PR_WEIGHTED, PR_OOH, PR_DISP, PR_OPEN, PR_CLOSE };
static const struct col_spec practice_cols[] = {
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "practice_name", COL_TEXT, true, false, 0, NULL },
	{ "ccg_code", COL_CODE, true, false, 0, NULL },
	{ "contract_type", COL_CHOICE, true, false, 0, contract_choices },
	{ "registered_list", COL_INT, true, true, 0, NULL },
	{ "weighted_list", COL_FIXED, true, true, WEIGHTED_DECIMALS, NULL },
	{ "ooh_opt_out", COL_BOOL, true, false, 0, NULL },
	{ "dispensing", COL_BOOL, true, false, 0, NULL },
	{ "open_date", COL_DATE, false, false, 0, NULL },
	{ "close_date", COL_DATE, false, false, 0, NULL },
};

enum { CO_ID, CO_PRACTICE, CO_TYPE, CO_START, CO_END, CO_VALUE, CO_MPIG, CO_GMSEQ, CO_RSTART, CO_RYEARS };
static const struct col_spec contract_cols[] = {
	{ "contract_id", COL_CODE, true, false, 0, NULL },
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "contract_type", COL_CHOICE, true, false, 0, contract_choices },
	{ "start_date", COL_DATE, true, false, 0, NULL },
	{ "end_date", COL_DATE, false, false, 0, NULL },
	{ "annual_value", COL_MONEY, false, true, 0, NULL },
	{ "mpig_cf_2013_14", COL_MONEY, false, true, 0, NULL },
	{ "gms_equivalent", COL_MONEY, false, true, 0, NULL },
	{ "release_start", COL_YEAR, false, false, 0, NULL },
	{ "release_years", COL_INT, false, true, 0, NULL },
};

enum { SV_CODE, SV_NAME, SV_TYPE, SV_BASIS, SV_RATE, SV_PARAM };
static const struct col_spec service_cols[] = {
	{ "service_code", COL_CODE, true, false, 0, NULL },
	{ "service_name", COL_TEXT, true, false, 0, NULL },
	{ "type", COL_CHOICE, true, false, 0, es_type_choices },
	{ "basis", COL_CHOICE, true, false, 0, basis_es_choices },
	{ "rate", COL_MONEY, false, true, 0, NULL },
	{ "rate_param", COL_CODE, false, false, 0, NULL },
};

enum { PA_PRACTICE, PA_SERVICE, PA_SIGNED, PA_PAYMENT, PA_UNITS };
static const struct col_spec participation_cols[] = {
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "service_code", COL_CODE, true, false, 0, NULL },
	{ "signed_up", COL_BOOL, true, false, 0, NULL },
	{ "last_year_payment", COL_MONEY, false, true, 0, NULL },
	{ "activity_units", COL_FIXED, false, true, MICRO_DECIMALS, NULL },
};

enum { QO_PRACTICE, QO_POINTS, QO_PREV };
static const struct col_spec qof_cols[] = {
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "points_achieved", COL_FIXED, true, true, POINTS_DECIMALS, NULL },
	{ "prevalence_factor", COL_FIXED, false, true, MICRO_DECIMALS, NULL },
};

enum { PM_PRACTICE, PM_TYPE, PM_AMOUNT, PM_REVIEW };
static const struct col_spec premises_cols[] = {
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "reimbursement_type", COL_CHOICE, true, false, 0, premises_choices },
	{ "annual_amount", COL_MONEY, true, true, 0, NULL },
	{ "next_review_date", COL_DATE, false, false, 0, NULL },
};

enum { PL_ID, PL_PRACTICE, PL_DESC, PL_START, PL_COST, PL_PROB };
static const struct col_spec pipeline_cols[] = {
	{ "scheme_id", COL_CODE, true, false, 0, NULL },
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "description", COL_TEXT, false, false, 0, NULL },
	{ "start_date", COL_DATE, true, false, 0, NULL },
	{ "annual_cost", COL_MONEY, true, true, 0, NULL },
	{ "probability", COL_FIXED, true, false, MICRO_DECIMALS, NULL },
};

enum { AR_YEAR, AR_CODE, AR_NAME, AR_CAT, AR_AMOUNT, AR_BASIS, AR_TOTAL };
static const struct col_spec area_cols[] = {
	{ "year", COL_YEAR, true, false, 0, NULL },
	{ "line_code", COL_CODE, true, false, 0, NULL },
	{ "line_name", COL_TEXT, true, false, 0, NULL },
	{ "category", COL_CHOICE, true, false, 0, area_category_choices },
	{ "amount", COL_MONEY, true, true, 0, NULL },
	{ "basis", COL_CHOICE, true, false, 0, area_basis_choices },
	{ "area_basis_total", COL_TEXT, true, false, 0, NULL },
};

enum { AL_YEAR, AL_CCG, AL_NAME, AL_ALLOC, AL_TARGET, AL_WPOP };
static const struct col_spec allocation_cols[] = {
	{ "year", COL_YEAR, true, false, 0, NULL },
	{ "ccg_code", COL_CODE, true, false, 0, NULL },
	{ "ccg_name", COL_TEXT, true, false, 0, NULL },
	{ "allocation", COL_MONEY, true, true, 0, NULL },
	{ "target", COL_MONEY, false, true, 0, NULL },
	{ "weighted_population", COL_FIXED, false, true, MICRO_DECIMALS, NULL },
};

enum { HI_YEAR, HI_CCG, HI_PRACTICE, HI_CORE, HI_ES, HI_QOF, HI_PREM, HI_DISC, HI_REG, HI_WEIGHTED };
static const struct col_spec history_cols[] = {
	{ "year", COL_YEAR, true, false, 0, NULL },
	{ "ccg_code", COL_CODE, true, false, 0, NULL },
	{ "practice_code", COL_CODE, true, false, 0, NULL },
	{ "core_contract", COL_MONEY, true, false, 0, NULL },
	{ "enhanced_services", COL_MONEY, true, false, 0, NULL },
	{ "qof", COL_MONEY, true, false, 0, NULL },
	{ "premises", COL_MONEY, true, false, 0, NULL },
	{ "discretionary", COL_MONEY, true, false, 0, NULL },
	{ "registered_patients", COL_INT, false, true, 0, NULL },
	{ "weighted_patients", COL_FIXED, false, true, WEIGHTED_DECIMALS, NULL },
};

enum {
	T_PRACTICES, T_ALLOCATIONS, T_CONTRACTS, T_SERVICES, T_PARTICIPATION,
	T_QOF, T_PREMISES, T_PIPELINE, T_AREA, T_HISTORY, N_TABLES
};
static const struct table_spec table_specs[N_TABLES] = {
	{ "practices.csv", COLS(practice_cols), false, false },
	{ "allocations.csv", COLS(allocation_cols), false, false },
	{ "contracts.csv", COLS(contract_cols), false, false },
	{ "es_catalogue.csv", COLS(service_cols), false, true },
	{ "es_participation.csv", COLS(participation_cols), false, true },
	{ "qof.csv", COLS(qof_cols), false, true },
	{ "premises.csv", COLS(premises_cols), false, true },
	{ "premises_pipeline.csv", COLS(pipeline_cols), false, true },
	{ "area_budgets.csv", COLS(area_cols), false, true },
	{ "practice_history.csv", COLS(history_cols), true, false },
};

const char *const dataset_files[] = {
	"practices.csv", "allocations.csv", "contracts.csv", "es_catalogue.csv",
	"es_participation.csv", "qof.csv", "premises.csv",
	"premises_pipeline.csv", "area_budgets.csv", "practice_history.csv",
	NULL,
};

/* How many past years of history each practice needs. */
#define HISTORY_YEARS 3

/* ------------------------------------------------------------------ */
/* A small string -> index map (open addressing, FNV-1a)                */

struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)(hash(key) & (m->cap - 1));

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = strmap_slot(m, key);
	if (!m->keys[i])
		return false;
	*val = m->vals[i];
	return true;
}

/* Adds key -> val unless key is there; returns false (and *old) if it was. */
static bool strmap_add(struct strmap *m, const char *key, size_t val, size_t *old)
{
	size_t i;

	if (m->n * 2 >= m->cap) {
		struct strmap bigger = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };

		bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = xcalloc(bigger.cap, sizeof(*bigger.vals));
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k]) {
				size_t j = strmap_slot(&bigger, m->keys[k]);

				bigger.keys[j] = m->keys[k];
				bigger.vals[j] = m->vals[k];
				bigger.n++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = bigger;
	}
	i = strmap_slot(m, key);
	if (m->keys[i]) {
		if (old)
			*old = m->vals[i];
		return false;
	}
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
	return true;
}

/* ------------------------------------------------------------------ */
/* Loading context                                                      */

struct loader {
	struct dataset *ds;
	const struct params *p;
	char fy[DATE_BUFSZ];		/* "2017/18" */
	bool *rate_reported;		/* per service: a missing rate was reported */
	bool *has_contract_row;		/* per practice: named in contracts.csv */
	size_t *contract_row;		/* per contract: its row */
	struct schema_table tab[N_TABLES];
	bool ok[N_TABLES];		/* header matched: rows were read */
	bool failed;			/* a data error was reported */
	struct strmap practices, ccgs, contracts_by_practice;
	size_t *practice_row;		/* row in practices.csv of each practice */
	size_t *ccg_first_practice;	/* first practice row of each CCG */
	bool *ccg_has_allocation;
	unsigned *history_years;	/* per practice: bit k = history for year - 1 - k */
	size_t *last_year_row;		/* per practice: history row of year - 1 */
	int64_t qof_points_available;
	bool has_points_available;
};

/* Reports at a cell and marks the load as failed. */
#define FAIL(ld, t, r, c, ...) \
	((ld)->failed = true, schema_error(&(ld)->tab[t], (r), (c), __VA_ARGS__))

static const char *raw(const struct loader *ld, int t, size_t r, size_t c)
{
	return schema_raw(&ld->tab[t], r, c);
}

/* Counts a reader's result: -1 marks the load as failed. */
static int chk(struct loader *ld, int rc)
{
	if (rc < 0)
		ld->failed = true;
	return rc;
}

/*
 * Looks up the practice named in column c of row r of table t.  Reports
 * an unknown code.  Returns the index or -1 (also when the cell could
 * not be read, which was reported).
 */
static long practice_ref(struct loader *ld, int t, size_t r, size_t c)
{
	const char *code = NULL;
	size_t idx;

	if (chk(ld, schema_code(&ld->tab[t], r, c, &code)) != 1)
		return -1;
	if (strmap_get(&ld->practices, code, &idx))
		return (long)idx;
	if (ld->ok[T_PRACTICES])
		FAIL(ld, t, r, c, "unknown practice '%s' (not in practices.csv)", code);
	return -1;
}

static bool in_budget(const struct loader *ld, long pi)
{
	return pi >= 0 && ld->ds->practices[pi].days_open > 0;
}

/* ------------------------------------------------------------------ */
/* practices.csv                                                        */

static int days_open_in(int year, const struct ds_practice *pr)
{
	int32_t from = fy_start(year), to = fy_end(year);

	if (pr->has_open && pr->open_date > from)
		from = pr->open_date;
	if (pr->has_close && pr->close_date < to)
		to = pr->close_date;
	return to >= from ? (int)(to - from + 1) : 0;
}

static void read_practices(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_PRACTICES];

	for (size_t r = 0; r < schema_rows(t); r++) {
		const char *code = NULL, *name = "", *ccg = NULL;
		struct ds_practice pr;
		int type = 0;
		size_t old, ccg_idx;

		memset(&pr, 0, sizeof(pr));
		chk(ld, schema_text(t, r, PR_NAME, &name));
		chk(ld, schema_choice(t, r, PR_TYPE, &type));
		chk(ld, schema_int(t, r, PR_REG, &pr.registered));
		chk(ld, schema_fixed(t, r, PR_WEIGHTED, &pr.weighted));
		chk(ld, schema_bool(t, r, PR_OOH, &pr.ooh_opt_out));
		chk(ld, schema_bool(t, r, PR_DISP, &pr.dispensing));
		pr.has_open = chk(ld, schema_date(t, r, PR_OPEN, &pr.open_date)) == 1;
		pr.has_close = chk(ld, schema_date(t, r, PR_CLOSE, &pr.close_date)) == 1;
		if (pr.has_open && pr.has_close && pr.close_date < pr.open_date) {
			char a[DATE_BUFSZ], b[DATE_BUFSZ];

			FAIL(ld, T_PRACTICES, r, PR_CLOSE,
			     "close date %s is before the open date %s",
			     date_format(pr.close_date, a), date_format(pr.open_date, b));
		}
		if (chk(ld, schema_code(t, r, PR_CCG, &ccg)) != 1 ||
		    chk(ld, schema_code(t, r, PR_CODE, &code)) != 1)
			continue;
		if (!strmap_add(&ld->practices, code, ds->n_practices, &old)) {
			const struct ds_practice *first = &ds->practices[old];
			unsigned long line = schema_line(t, ld->practice_row[old]);

			if (strcmp(ds->ccgs[first->ccg].code, ccg) != 0)
				FAIL(ld, T_PRACTICES, r, PR_CCG,
				     "practice '%s' is in CCG '%s' here and in CCG '%s' on line %lu",
				     code, ccg, ds->ccgs[first->ccg].code, line);
			else
				FAIL(ld, T_PRACTICES, r, PR_CODE,
				     "duplicate practice '%s' (first on line %lu)", code, line);
			continue;
		}
		if (strmap_add(&ld->ccgs, ccg, ds->n_ccgs, &old)) {
			ALLOC_GROW(ds->ccgs, ds->n_ccgs + 1, ds->alloc_ccgs);
			memset(&ds->ccgs[ds->n_ccgs], 0, sizeof(ds->ccgs[0]));
			ds->ccgs[ds->n_ccgs].code = xstrdup(ccg);
			ld->ccg_first_practice = xreallocarray(ld->ccg_first_practice,
							       ds->n_ccgs + 1, sizeof(size_t));
			ld->ccg_first_practice[ds->n_ccgs] = r;
			old = ds->n_ccgs++;
		}
		ccg_idx = old;
		pr.code = xstrdup(code);
		pr.name = xstrdup(name);
		pr.ccg = ccg_idx;
		pr.type = (enum contract_type)type;
		pr.days_open = days_open_in(ds->year, &pr);
		pr.contract = SIZE_MAX;
		if (pr.days_open > 0)
			ds->ccgs[ccg_idx].n_practices++;
		ALLOC_GROW(ds->practices, ds->n_practices + 1, ds->alloc_practices);
		ld->practice_row = xreallocarray(ld->practice_row, ds->n_practices + 1,
						 sizeof(size_t));
		ld->practice_row[ds->n_practices] = r;
		ds->practices[ds->n_practices++] = pr;
	}
	ld->ccg_has_allocation = xcalloc(ds->n_ccgs + 1, sizeof(bool));
	ld->history_years = xcalloc(ds->n_practices + 1, sizeof(unsigned));
	ld->last_year_row = xcalloc(ds->n_practices + 1, sizeof(size_t));
	ld->has_contract_row = xcalloc(ds->n_practices + 1, sizeof(bool));
}

long dataset_find_practice(const struct dataset *ds, const char *code)
{
	for (size_t i = 0; i < ds->n_practices; i++)
		if (strcmp(ds->practices[i].code, code) == 0)
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* allocations.csv                                                      */

static void read_allocations(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_ALLOCATIONS];
	size_t *row_of = xcalloc(ds->n_ccgs + 1, sizeof(size_t));

	for (size_t r = 0; r < schema_rows(t); r++) {
		const char *ccg = NULL, *name = "";
		int year = 0;
		int64_t alloc = 0, target = 0, wpop = 0;
		bool has_target, has_wpop;
		size_t ci;
		struct ds_ccg *c;

		chk(ld, schema_text(t, r, AL_NAME, &name));
		chk(ld, schema_money(t, r, AL_ALLOC, &alloc));
		has_target = chk(ld, schema_money(t, r, AL_TARGET, &target)) == 1;
		has_wpop = chk(ld, schema_fixed(t, r, AL_WPOP, &wpop)) == 1;
		if (has_target && target == 0)
			FAIL(ld, T_ALLOCATIONS, r, AL_TARGET, "column 'target': the target must be more than 0");
		if (has_wpop && wpop == 0)
			FAIL(ld, T_ALLOCATIONS, r, AL_WPOP,
			     "column 'weighted_population': the weighted population must be more than 0");
		if (chk(ld, schema_year(t, r, AL_YEAR, &year)) != 1 ||
		    chk(ld, schema_code(t, r, AL_CCG, &ccg)) != 1)
			continue;
		if (year != ds->year)
			continue;
		if (!strmap_get(&ld->ccgs, ccg, &ci)) {
			if (ld->ok[T_PRACTICES])
				FAIL(ld, T_ALLOCATIONS, r, AL_CCG,
				     "unknown CCG '%s' (no practice in practices.csv)", ccg);
			continue;
		}
		if (ld->ccg_has_allocation[ci]) {
			FAIL(ld, T_ALLOCATIONS, r, AL_CCG,
			     "duplicate allocation for CCG '%s' in %s (first on line %lu)",
			     ccg, ld->fy, schema_line(t, row_of[ci]));
			continue;
		}
		ld->ccg_has_allocation[ci] = true;
		row_of[ci] = r;
		c = &ds->ccgs[ci];
		c->name = xstrdup(name);
		c->allocation = alloc;
		c->has_target = has_target;
		c->target = target;
		c->has_weighted_population = has_wpop;
		c->weighted_population = wpop;
	}
	free(row_of);
}

/* ------------------------------------------------------------------ */
/* contracts.csv                                                        */

static void read_contracts(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_CONTRACTS];
	struct strmap ids = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		const char *id = NULL;
		struct ds_contract co;
		int type = -1, rc_value, rc_mpig, rc_gmseq, rc_rstart, rc_ryears;
		int64_t ryears = 0;
		long pi;
		size_t old;
		bool start_ok;

		memset(&co, 0, sizeof(co));
		pi = practice_ref(ld, T_CONTRACTS, r, CO_PRACTICE);
		if (pi >= 0)
			ld->has_contract_row[pi] = true;
		if (chk(ld, schema_choice(t, r, CO_TYPE, &type)) != 1)
			type = -1;
		start_ok = chk(ld, schema_date(t, r, CO_START, &co.start)) == 1;
		co.has_end = chk(ld, schema_date(t, r, CO_END, &co.end)) == 1;
		rc_value = chk(ld, schema_money(t, r, CO_VALUE, &co.annual_value));
		rc_mpig = chk(ld, schema_money(t, r, CO_MPIG, &co.mpig_cf));
		rc_gmseq = chk(ld, schema_money(t, r, CO_GMSEQ, &co.gms_equivalent));
		rc_rstart = chk(ld, schema_year(t, r, CO_RSTART, &co.release_start));
		rc_ryears = chk(ld, schema_int(t, r, CO_RYEARS, &ryears));
		if (chk(ld, schema_code(t, r, CO_ID, &id)) == 1 &&
		    !strmap_add(&ids, id, r, &old))
			FAIL(ld, T_CONTRACTS, r, CO_ID, "duplicate contract '%s' (first on line %lu)",
			     id, schema_line(t, old));
		if (start_ok && co.has_end && co.end < co.start) {
			char a[DATE_BUFSZ], b[DATE_BUFSZ];

			FAIL(ld, T_CONTRACTS, r, CO_END, "end date %s is before the start date %s",
			     date_format(co.end, a), date_format(co.start, b));
		}
		if (type >= 0) {
			co.type = (enum contract_type)type;
			if (pi >= 0 && ds->practices[pi].type != co.type)
				FAIL(ld, T_CONTRACTS, r, CO_TYPE,
				     "contract type %s differs from practice '%s' (%s in practices.csv)",
				     contract_type_names[type], ds->practices[pi].code,
				     contract_type_names[ds->practices[pi].type]);
			switch (co.type) {
			case CONTRACT_GMS:
				if (rc_value == 1)
					FAIL(ld, T_CONTRACTS, r, CO_VALUE,
					     "a GMS contract is valued by the global sum: leave 'annual_value' empty");
				if (rc_gmseq == 1)
					FAIL(ld, T_CONTRACTS, r, CO_GMSEQ,
					     "'gms_equivalent' is only for PMS contracts");
				break;
			case CONTRACT_PMS:
				if (rc_value == 0)
					FAIL(ld, T_CONTRACTS, r, CO_VALUE,
					     "a PMS contract needs its 'annual_value'");
				if (rc_gmseq == 0)
					FAIL(ld, T_CONTRACTS, r, CO_GMSEQ,
					     "a PMS contract needs its 'gms_equivalent'");
				break;
			case CONTRACT_APMS:
				if (rc_value == 0)
					FAIL(ld, T_CONTRACTS, r, CO_VALUE,
					     "an APMS contract needs its 'annual_value'");
				if (!co.has_end && start_ok)
					FAIL(ld, T_CONTRACTS, r, CO_END,
					     "an APMS contract is for a fixed term: give its 'end_date'");
				if (rc_gmseq == 1)
					FAIL(ld, T_CONTRACTS, r, CO_GMSEQ,
					     "'gms_equivalent' is only for PMS contracts");
				break;
			}
			if (rc_mpig == 1 && co.type != CONTRACT_GMS)
				FAIL(ld, T_CONTRACTS, r, CO_MPIG,
				     "the MPIG correction factor is only paid to GMS contracts");
			if ((rc_rstart == 1 || rc_ryears == 1) && co.type != CONTRACT_PMS)
				FAIL(ld, T_CONTRACTS, r, rc_rstart == 1 ? CO_RSTART : CO_RYEARS,
				     "a premium release schedule is only for PMS contracts");
		}
		if (rc_rstart == 1 && rc_ryears != 1 && rc_ryears != -1)
			FAIL(ld, T_CONTRACTS, r, CO_RYEARS,
			     "'release_start' needs 'release_years' too");
		if (rc_ryears == 1 && rc_rstart != 1 && rc_rstart != -1)
			FAIL(ld, T_CONTRACTS, r, CO_RSTART,
			     "'release_years' needs 'release_start' too");
		if (rc_ryears == 1 && (ryears < 1 || ryears > 50))
			FAIL(ld, T_CONTRACTS, r, CO_RYEARS,
			     "column 'release_years': '%s' is not from 1 to 50",
			     raw(ld, T_CONTRACTS, r, CO_RYEARS));
		co.has_release = rc_rstart == 1 && rc_ryears == 1;
		co.release_years = (int)ryears;
		if (pi < 0 || !id || type < 0 || !start_ok)
			continue;
		if (!strmap_add(&ld->contracts_by_practice, ds->practices[pi].code,
				ds->n_contracts, &old)) {
			FAIL(ld, T_CONTRACTS, r, CO_PRACTICE,
			     "practice '%s' already has contract '%s' (line %lu); give one contract per practice",
			     ds->practices[pi].code, ds->contracts[old].id,
			     schema_line(t, ld->contract_row[old]));
			continue;
		}
		if (in_budget(ld, pi)) {
			const struct ds_practice *pr = &ds->practices[pi];
			int32_t from = fy_start(ds->year), to = fy_end(ds->year);
			char a[DATE_BUFSZ];

			if (pr->has_open && pr->open_date > from)
				from = pr->open_date;
			if (pr->has_close && pr->close_date < to)
				to = pr->close_date;
			if (co.start > to)
				FAIL(ld, T_CONTRACTS, r, CO_START,
				     "contract '%s' starts on %s, after practice '%s' stops being open in %s",
				     id, date_format(co.start, a), pr->code, ld->fy);
			else if (co.has_end && co.end < from)
				FAIL(ld, T_CONTRACTS, r, CO_END,
				     "contract '%s' ended on %s, before the budget year %s; give the contract that replaced it",
				     id, date_format(co.end, a), ld->fy);
		}
		co.id = xstrdup(id);
		co.practice = (size_t)pi;
		ds->practices[pi].contract = ds->n_contracts;
		ALLOC_GROW(ds->contracts, ds->n_contracts + 1, ds->alloc_contracts);
		ld->contract_row = xreallocarray(ld->contract_row, ds->n_contracts + 1,
						 sizeof(size_t));
		ld->contract_row[ds->n_contracts] = r;
		ds->contracts[ds->n_contracts++] = co;
	}
	strmap_release(&ids);
}

/* ------------------------------------------------------------------ */
/* es_catalogue.csv and es_participation.csv                            */

static void read_services(struct loader *ld, struct strmap *by_code, size_t **rows)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_SERVICES];

	for (size_t r = 0; r < schema_rows(t); r++) {
		const char *code = NULL, *name = "", *param = NULL;
		struct ds_service sv;
		int type = -1, basis = -1, rc_rate, rc_param;
		size_t old;

		memset(&sv, 0, sizeof(sv));
		chk(ld, schema_text(t, r, SV_NAME, &name));
		if (chk(ld, schema_choice(t, r, SV_TYPE, &type)) != 1)
			type = -1;
		if (chk(ld, schema_choice(t, r, SV_BASIS, &basis)) != 1)
			basis = -1;
		rc_rate = chk(ld, schema_money(t, r, SV_RATE, &sv.rate));
		rc_param = chk(ld, schema_code(t, r, SV_PARAM, &param));
		if (rc_rate == 1 && rc_param == 1)
			FAIL(ld, T_SERVICES, r, SV_PARAM,
			     "give either 'rate' or 'rate_param', not both");
		if (type == ES_LES && (rc_rate == 1 || rc_param == 1))
			FAIL(ld, T_SERVICES, r, rc_rate == 1 ? SV_RATE : SV_PARAM,
			     "a LES is budgeted from last year's payments: leave 'rate' and 'rate_param' empty");
		if (type == ES_DES && basis == ES_PER_HEAD && rc_rate == 0 && rc_param == 0)
			FAIL(ld, T_SERVICES, r, SV_RATE,
			     "a per-head service needs a 'rate' or a 'rate_param'");
		if (rc_param == 1 && params_key_type(ld->p, ld->fy, param) != PARAM_MONEY)
			FAIL(ld, T_SERVICES, r, SV_PARAM,
			     "'%s' is not a rate parameter (see the es_* keys in data/README.md)",
			     param);
		if (chk(ld, schema_code(t, r, SV_CODE, &code)) != 1 || type < 0 || basis < 0)
			continue;
		if (!strmap_add(by_code, code, ds->n_services, &old)) {
			FAIL(ld, T_SERVICES, r, SV_CODE, "duplicate service '%s' (first on line %lu)",
			     code, schema_line(t, (*rows)[old]));
			continue;
		}
		sv.code = xstrdup(code);
		sv.name = xstrdup(name);
		sv.type = (enum es_type)type;
		sv.basis = (enum es_basis)basis;
		sv.has_rate = rc_rate == 1;
		if (rc_rate == 1)
			sv.rate_source = xstrdup("es_catalogue.csv");
		else if (rc_param == 1)
			sv.rate_param = xstrdup(param);	/* resolved when needed */
		ALLOC_GROW(ds->services, ds->n_services + 1, ds->alloc_services);
		*rows = xreallocarray(*rows, ds->n_services + 1, sizeof(size_t));
		(*rows)[ds->n_services] = r;
		ds->services[ds->n_services++] = sv;
	}
}

/*
 * A service named by rate_param gets its rate for the budget year from
 * the parameters the first time a signed-up practice needs it; a rate
 * missing for the year is reported once, at the catalogue row.
 */
static bool resolve_rate(struct loader *ld, size_t si, size_t catalogue_row)
{
	struct ds_service *sv = &ld->ds->services[si];

	if (sv->has_rate)
		return true;
	if (!sv->rate_param || ld->rate_reported[si])
		return false;
	if (!params_is_set(ld->p, ld->fy, sv->rate_param)) {
		FAIL(ld, T_SERVICES, catalogue_row, SV_PARAM,
		     "rate parameter '%s' has no value for %s, and practices are signed up to '%s'",
		     sv->rate_param, ld->fy, sv->code);
		ld->rate_reported[si] = true;
		return false;
	}
	if (params_money(ld->p, ld->fy, sv->rate_param, &sv->rate)) {
		ld->failed = true;
		ld->rate_reported[si] = true;
		return false;
	}
	sv->has_rate = true;
	sv->rate_source = xasprintf("[%s] %s", ld->fy, sv->rate_param);
	return true;
}

static void read_participation(struct loader *ld, const struct strmap *services,
			       const size_t *service_rows)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_PARTICIPATION];
	struct strmap pairs = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		struct ds_participation pa;
		const char *scode = NULL;
		size_t si = 0, old;
		long pi;
		int rc_pay, rc_units;
		bool have_service = false;
		char *key;
		const struct ds_service *sv;

		memset(&pa, 0, sizeof(pa));
		pi = practice_ref(ld, T_PARTICIPATION, r, PA_PRACTICE);
		if (chk(ld, schema_code(t, r, PA_SERVICE, &scode)) == 1) {
			have_service = strmap_get(services, scode, &si);
			if (!have_service && ld->ok[T_SERVICES])
				FAIL(ld, T_PARTICIPATION, r, PA_SERVICE,
				     "unknown service '%s' (not in es_catalogue.csv)", scode);
		}
		chk(ld, schema_bool(t, r, PA_SIGNED, &pa.signed_up));
		rc_pay = chk(ld, schema_money(t, r, PA_PAYMENT, &pa.last_year_payment));
		rc_units = chk(ld, schema_fixed(t, r, PA_UNITS, &pa.units));
		pa.has_payment = rc_pay == 1;
		pa.has_units = rc_units == 1;
		if (pi < 0 || !have_service)
			continue;
		key = xasprintf("%s\x1f%s", ds->practices[pi].code, scode);
		if (!strmap_add(&pairs, key, r, &old)) {
			FAIL(ld, T_PARTICIPATION, r, PA_SERVICE,
			     "duplicate service '%s' for practice '%s' (first on line %lu)",
			     scode, ds->practices[pi].code, schema_line(t, old));
			free(key);
			continue;
		}
		free(key);
		sv = &ds->services[si];
		/* a bad amount was reported: do not also call it missing */
		if (pa.signed_up && in_budget(ld, pi) && rc_pay >= 0 && rc_units >= 0) {
			if (sv->type == ES_LES && !pa.has_payment)
				FAIL(ld, T_PARTICIPATION, r, PA_PAYMENT,
				     "a LES is budgeted from last year's payment: give 'last_year_payment'");
			else if (sv->type == ES_DES && sv->basis == ES_ACTIVITY &&
				 !pa.has_payment && !pa.has_units)
				FAIL(ld, T_PARTICIPATION, r, PA_UNITS,
				     "an activity service needs 'activity_units' or 'last_year_payment'");
			else if (sv->type == ES_DES && sv->basis == ES_ACTIVITY && pa.has_units &&
				 !sv->has_rate && !sv->rate_param)
				FAIL(ld, T_PARTICIPATION, r, PA_UNITS,
				     "service '%s' has no rate to price 'activity_units' (see es_catalogue.csv)",
				     sv->code);
			else if (sv->type == ES_DES &&
				 (sv->basis == ES_PER_HEAD || pa.has_units))
				resolve_rate(ld, si, service_rows[si]);
		}
		pa.practice = (size_t)pi;
		pa.service = si;
		ALLOC_GROW(ds->participation, ds->n_participation + 1, ds->alloc_participation);
		ds->participation[ds->n_participation++] = pa;
	}
	strmap_release(&pairs);
}

/* ------------------------------------------------------------------ */
/* qof.csv, premises.csv, premises_pipeline.csv                         */

static void read_qof(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_QOF];
	struct strmap seen = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		struct ds_qof q = { 0, 0, 1000000 };
		bool has_points;
		size_t old;
		long pi = practice_ref(ld, T_QOF, r, QO_PRACTICE);

		has_points = chk(ld, schema_fixed(t, r, QO_POINTS, &q.points)) == 1;
		if (chk(ld, schema_fixed(t, r, QO_PREV, &q.prevalence)) == 1 && q.prevalence == 0)
			FAIL(ld, T_QOF, r, QO_PREV,
			     "column 'prevalence_factor': the factor must be more than 0");
		if (has_points && ld->has_points_available &&
		    q.points > ld->qof_points_available * 100)
			FAIL(ld, T_QOF, r, QO_POINTS,
			     "column 'points_achieved': %s points is more than the %lld available in %s",
			     raw(ld, T_QOF, r, QO_POINTS), (long long)ld->qof_points_available, ld->fy);
		if (pi < 0)
			continue;
		if (!strmap_add(&seen, ds->practices[pi].code, r, &old)) {
			FAIL(ld, T_QOF, r, QO_PRACTICE, "duplicate QOF row for practice '%s' (first on line %lu)",
			     ds->practices[pi].code, schema_line(t, old));
			continue;
		}
		q.practice = (size_t)pi;
		ALLOC_GROW(ds->qof, ds->n_qof + 1, ds->alloc_qof);
		ds->qof[ds->n_qof++] = q;
	}
	strmap_release(&seen);
}

static void read_premises(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_PREMISES];
	struct strmap seen = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		struct ds_premises pm;
		int type = -1;
		size_t old;
		char *key;
		long pi = practice_ref(ld, T_PREMISES, r, PM_PRACTICE);

		memset(&pm, 0, sizeof(pm));
		if (chk(ld, schema_choice(t, r, PM_TYPE, &type)) != 1)
			type = -1;
		chk(ld, schema_money(t, r, PM_AMOUNT, &pm.amount));
		pm.has_review = chk(ld, schema_date(t, r, PM_REVIEW, &pm.review)) == 1;
		if (pi < 0 || type < 0)
			continue;
		key = xasprintf("%s\x1f%d", ds->practices[pi].code, type);
		if (!strmap_add(&seen, key, r, &old)) {
			FAIL(ld, T_PREMISES, r, PM_TYPE,
			     "duplicate %s for practice '%s' (first on line %lu)",
			     premises_choices[type], ds->practices[pi].code, schema_line(t, old));
			free(key);
			continue;
		}
		free(key);
		pm.practice = (size_t)pi;
		pm.type = (enum premises_type)type;
		ALLOC_GROW(ds->premises, ds->n_premises + 1, ds->alloc_premises);
		ds->premises[ds->n_premises++] = pm;
	}
	strmap_release(&seen);
}

static void read_pipeline(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_PIPELINE];
	struct strmap seen = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		struct ds_scheme sc;
		const char *id = NULL, *desc = "";
		size_t old;
		bool ok = true;
		long pi = practice_ref(ld, T_PIPELINE, r, PL_PRACTICE);

		memset(&sc, 0, sizeof(sc));
		chk(ld, schema_text(t, r, PL_DESC, &desc));
		ok &= chk(ld, schema_date(t, r, PL_START, &sc.start)) == 1;
		chk(ld, schema_money(t, r, PL_COST, &sc.annual_cost));
		if (chk(ld, schema_fixed(t, r, PL_PROB, &sc.probability)) == 1 &&
		    (sc.probability < 0 || sc.probability > 1000000))
			FAIL(ld, T_PIPELINE, r, PL_PROB,
			     "column 'probability': '%s' is not between 0 and 1",
			     raw(ld, T_PIPELINE, r, PL_PROB));
		if (chk(ld, schema_code(t, r, PL_ID, &id)) != 1)
			continue;
		if (!strmap_add(&seen, id, r, &old)) {
			FAIL(ld, T_PIPELINE, r, PL_ID, "duplicate scheme '%s' (first on line %lu)",
			     id, schema_line(t, old));
			continue;
		}
		if (pi < 0 || !ok)
			continue;
		sc.id = xstrdup(id);
		sc.description = xstrdup(desc);
		sc.practice = (size_t)pi;
		ALLOC_GROW(ds->schemes, ds->n_schemes + 1, ds->alloc_schemes);
		ds->schemes[ds->n_schemes++] = sc;
	}
	strmap_release(&seen);
}

/* ------------------------------------------------------------------ */
/* area_budgets.csv                                                     */

static void read_area(struct loader *ld, size_t **rows)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_AREA];
	struct strmap seen = { 0 };

	for (size_t r = 0; r < schema_rows(t); r++) {
		struct ds_area_line al;
		const char *code = NULL, *name = "", *total = NULL;
		int year = 0, cat = -1, basis = -1;
		size_t old;
		bool ok = true;

		memset(&al, 0, sizeof(al));
		chk(ld, schema_text(t, r, AR_NAME, &name));
		ok &= chk(ld, schema_choice(t, r, AR_CAT, &cat)) == 1;
		chk(ld, schema_money(t, r, AR_AMOUNT, &al.amount));
		ok &= chk(ld, schema_choice(t, r, AR_BASIS, &basis)) == 1;
		if (chk(ld, schema_text(t, r, AR_TOTAL, &total)) == 1 && basis >= 0) {
			static const unsigned decimals[] = { WEIGHTED_DECIMALS, 0, 2 };
			static const char *const what[] = {
				"a weighted list", "a whole number of patients", "an amount",
			};
			enum num_err e = fixed_parse(total, strlen(total), decimals[basis],
						     NUM_ROUND_REJECT, &al.basis_total);

			if (e != NUM_OK) {
				FAIL(ld, T_AREA, r, AR_TOTAL, "column 'area_basis_total': '%s' is not %s%s",
				     total, what[basis], num_reason(e));
				ok = false;
			} else if (al.basis_total <= 0) {
				FAIL(ld, T_AREA, r, AR_TOTAL,
				     "column 'area_basis_total': the area total must be more than 0");
				ok = false;
			}
		} else {
			ok = false;
		}
		if (chk(ld, schema_year(t, r, AR_YEAR, &year)) != 1 ||
		    chk(ld, schema_code(t, r, AR_CODE, &code)) != 1 || year != ds->year)
			continue;
		if (!strmap_add(&seen, code, r, &old)) {
			FAIL(ld, T_AREA, r, AR_CODE, "duplicate area line '%s' in %s (first on line %lu)",
			     code, ld->fy, schema_line(t, old));
			continue;
		}
		if (!ok)
			continue;
		al.code = xstrdup(code);
		al.name = xstrdup(name);
		al.category = cat == 0 ? CAT_PREMISES : CAT_OTHER;
		al.basis = (enum area_basis)basis;
		ALLOC_GROW(ds->area_lines, ds->n_area_lines + 1, ds->alloc_area_lines);
		*rows = xreallocarray(*rows, ds->n_area_lines + 1, sizeof(size_t));
		(*rows)[ds->n_area_lines] = r;
		ds->area_lines[ds->n_area_lines++] = al;
	}
	strmap_release(&seen);
}

/* The weight of a practice in an area line's basis. */
static int64_t basis_weight(const struct ds_practice *pr, const struct ds_area_line *al)
{
	switch (al->basis) {
	case BASIS_WEIGHTED_LIST:
		return pr->weighted;
	case BASIS_REGISTERED_LIST:
		return pr->registered;
	case BASIS_HISTORIC:
		return pr->last_year[al->category];
	}
	return 0;
}

/*
 * The dataset's own practices must not weigh more than the whole area,
 * and historic shares need last year's payments, none negative.
 */
static void check_area(struct loader *ld, const size_t *rows)
{
	struct dataset *ds = ld->ds;

	for (size_t a = 0; a < ds->n_area_lines; a++) {
		const struct ds_area_line *al = &ds->area_lines[a];
		int64_t sum = 0;
		bool bad = false, over = false;	/* over: the sum passed INT64_MAX */

		for (size_t i = 0; i < ds->n_practices; i++) {
			const struct ds_practice *pr = &ds->practices[i];

			if (pr->days_open == 0)
				continue;
			if (al->basis == BASIS_HISTORIC && !pr->has_last_year)
				continue;	/* reported by the history check */
			if (al->basis == BASIS_HISTORIC && pr->last_year[al->category] < 0) {
				FAIL(ld, T_HISTORY, ld->last_year_row[i],
				     al->category == CAT_PREMISES ? HI_PREM : HI_DISC,
				     "area line '%s' is shared by last year's payments, which cannot be negative for practice '%s'",
				     al->code, pr->code);
				bad = true;
				continue;
			}
			if (!over && __builtin_add_overflow(sum, basis_weight(pr, al), &sum))
				over = true;
		}
		if (!bad && (over || sum > al->basis_total)) {
			char a_buf[MONEY_BUFSZ], b_buf[MONEY_BUFSZ];
			unsigned dec = al->basis == BASIS_WEIGHTED_LIST ? WEIGHTED_DECIMALS :
				       al->basis == BASIS_HISTORIC ? 2 : 0;

			if (over)
				FAIL(ld, T_AREA, rows[a], AR_TOTAL,
				     "area total %s is less than what the practices in the dataset add up to (over %s)",
				     fixed_format(al->basis_total, dec, a_buf),
				     fixed_format(INT64_MAX, dec, b_buf));
			else
				FAIL(ld, T_AREA, rows[a], AR_TOTAL,
				     "area total %s is less than the %s of the practices in the dataset",
				     fixed_format(al->basis_total, dec, a_buf),
				     fixed_format(sum, dec, b_buf));
		}
	}
}

/* ------------------------------------------------------------------ */
/* practice_history.csv                                                 */

static void read_history(struct loader *ld)
{
	struct dataset *ds = ld->ds;
	struct schema_table *t = &ld->tab[T_HISTORY];
	struct strmap seen = { 0 };
	char **ccg_of = xcalloc(schema_rows(t) + 1, sizeof(char *));

	for (size_t r = 0; r < schema_rows(t); r++) {
		int64_t cat[N_CATS] = { 0 }, reg = 0, weighted = 0;
		const char *ccg = NULL;
		int year = 0, has_reg, has_weighted;
		size_t old;
		char *key, fy[DATE_BUFSZ];
		bool ok = true;
		long pi;

		pi = practice_ref(ld, T_HISTORY, r, HI_PRACTICE);
		ok &= chk(ld, schema_code(t, r, HI_CCG, &ccg)) == 1;
		for (int c = 0; c < N_CATS; c++)
			ok &= chk(ld, schema_money(t, r, (size_t)(HI_CORE + c), &cat[c])) == 1;
		has_reg = chk(ld, schema_int(t, r, HI_REG, &reg));
		has_weighted = chk(ld, schema_fixed(t, r, HI_WEIGHTED, &weighted));
		ok &= has_reg >= 0 && has_weighted >= 0;
		if (chk(ld, schema_year(t, r, HI_YEAR, &year)) != 1 || pi < 0)
			continue;
		ds->n_history++;
		key = xasprintf("%d\x1f%s", year, ds->practices[pi].code);
		if (!strmap_add(&seen, key, r, &old)) {
			if (ccg && ccg_of[old] && strcmp(ccg, ccg_of[old]) != 0)
				FAIL(ld, T_HISTORY, r, HI_CCG,
				     "practice '%s' is in CCG '%s' here and in CCG '%s' on line %lu for %s",
				     ds->practices[pi].code, ccg, ccg_of[old], schema_line(t, old),
				     fy_format(year, fy));
			else
				FAIL(ld, T_HISTORY, r, HI_PRACTICE,
				     "duplicate history for practice '%s' in %s (first on line %lu)",
				     ds->practices[pi].code, fy_format(year, fy), schema_line(t, old));
			free(key);
			continue;
		}
		free(key);
		if (ccg)
			ccg_of[r] = xstrdup(ccg);
		if (year < ds->year && year >= ds->year - HISTORY_YEARS)
			ld->history_years[pi] |= 1u << (ds->year - 1 - year);
		if (ok) {
			struct ds_history *h;

			ALLOC_GROW(ds->history, ds->n_history_rows + 1, ds->alloc_history);
			h = &ds->history[ds->n_history_rows++];
			memset(h, 0, sizeof(*h));
			h->year = year;
			h->practice = (size_t)pi;
			h->ccg_code = xstrdup(ccg ? ccg : "");
			memcpy(h->paid, cat, sizeof(cat));
			h->has_registered = has_reg == 1;
			h->registered = reg;
			h->has_weighted = has_weighted == 1;
			h->weighted = weighted;
		}
		if (year == ds->year - 1 && ok) {
			ds->practices[pi].has_last_year = true;
			memcpy(ds->practices[pi].last_year, cat, sizeof(cat));
			ld->last_year_row[pi] = r;
		}
	}
	for (size_t r = 0; r < schema_rows(t); r++)
		free(ccg_of[r]);
	free(ccg_of);
	strmap_release(&seen);
}

/* ------------------------------------------------------------------ */
/* Checks across tables                                                 */

static void check_practices(struct loader *ld)
{
	struct dataset *ds = ld->ds;

	for (size_t i = 0; i < ds->n_practices; i++) {
		const struct ds_practice *pr = &ds->practices[i];
		size_t r = ld->practice_row[i];

		if (pr->days_open == 0)
			continue;
		if (ld->ok[T_CONTRACTS] && !ld->has_contract_row[i])
			FAIL(ld, T_PRACTICES, r, PR_CODE,
			     "practice '%s' has no contract in contracts.csv", pr->code);
		if (ld->ok[T_HISTORY]) {
			for (int k = HISTORY_YEARS; k >= 1; k--) {
				int y = ds->year - k;
				char fy[DATE_BUFSZ], from[DATE_BUFSZ], to[DATE_BUFSZ];

				if (ld->history_years[i] & (1u << (k - 1)))
					continue;
				if (pr->has_open && pr->open_date > fy_start(y))
					continue;	/* not open for the whole year yet */
				FAIL(ld, T_PRACTICES, r, PR_CODE,
				     "practice '%s' has no history for %s in practice_history.csv (%d past years are needed: %s to %s)",
				     pr->code, fy_format(y, fy), HISTORY_YEARS,
				     fy_format(ds->year - HISTORY_YEARS, from),
				     fy_format(ds->year - 1, to));
			}
		}
	}
	if (ld->ok[T_ALLOCATIONS]) {
		for (size_t c = 0; c < ds->n_ccgs; c++) {
			if (ld->ccg_has_allocation[c] || ds->ccgs[c].n_practices == 0)
				continue;
			FAIL(ld, T_PRACTICES, ld->ccg_first_practice[c], PR_CCG,
			     "CCG '%s' has no allocation for %s in allocations.csv",
			     ds->ccgs[c].code, ld->fy);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */

void dataset_init(struct dataset *ds)
{
	memset(ds, 0, sizeof(*ds));
}

void dataset_release(struct dataset *ds)
{
	for (size_t i = 0; i < ds->n_ccgs; i++) {
		free(ds->ccgs[i].code);
		free(ds->ccgs[i].name);
	}
	for (size_t i = 0; i < ds->n_practices; i++) {
		free(ds->practices[i].code);
		free(ds->practices[i].name);
	}
	for (size_t i = 0; i < ds->n_contracts; i++)
		free(ds->contracts[i].id);
	for (size_t i = 0; i < ds->n_services; i++) {
		free(ds->services[i].code);
		free(ds->services[i].name);
		free(ds->services[i].rate_source);
		free(ds->services[i].rate_param);
	}
	for (size_t i = 0; i < ds->n_schemes; i++) {
		free(ds->schemes[i].id);
		free(ds->schemes[i].description);
	}
	for (size_t i = 0; i < ds->n_area_lines; i++) {
		free(ds->area_lines[i].code);
		free(ds->area_lines[i].name);
	}
	for (size_t i = 0; i < ds->n_history_rows; i++)
		free(ds->history[i].ccg_code);
	free(ds->history);
	free(ds->ccgs);
	free(ds->practices);
	free(ds->contracts);
	free(ds->services);
	free(ds->participation);
	free(ds->qof);
	free(ds->premises);
	free(ds->schemes);
	free(ds->area_lines);
	free(ds->dir);
	dataset_init(ds);
}

/* dataset_load() and dataset_load_mem(): texts may be NULL. */
static enum status load(struct dataset *ds, const char *dir,
			const char *const *texts, int year,
			const struct params *p)
{
	struct loader ld;
	struct strmap services = { 0 };
	size_t *service_rows = NULL, *area_rows = NULL;
	enum status st = ST_OK;

	memset(&ld, 0, sizeof(ld));
	ld.ds = ds;
	ld.p = p;
	fy_format(year, ld.fy);
	ds->dir = xstrdup(dir);
	ds->year = year;

	for (int k = 0; k < N_TABLES; k++) {
		enum status ts;

		schema_table_init(&ld.tab[k]);
		if (texts && texts[k]) {
			size_t n = strlen(dir);
			char *path = xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
					       table_specs[k].file);

			ts = schema_load_mem(&ld.tab[k], path, texts[k], &table_specs[k]);
			free(path);
		} else {
			ts = schema_load(&ld.tab[k], dir, &table_specs[k]);
		}
		ld.ok[k] = ts == ST_OK;
		/* a file that cannot be read outranks bad data */
		if (ts == ST_NOINPUT || ts == ST_IO)
			st = st == ST_OK || st == ST_DATA ? ts : st;
		else
			st = status_worst(st, ts);
	}
	if (params_is_set(p, ld.fy, "qof_points_available") &&
	    params_key_type(p, ld.fy, "qof_points_available") == PARAM_INT &&
	    params_int(p, ld.fy, "qof_points_available", &ld.qof_points_available) == 0)
		ld.has_points_available = true;

	read_practices(&ld);
	read_allocations(&ld);
	read_contracts(&ld);
	read_services(&ld, &services, &service_rows);
	ld.rate_reported = xcalloc(ds->n_services + 1, sizeof(bool));
	read_participation(&ld, &services, service_rows);
	read_qof(&ld);
	read_premises(&ld);
	read_pipeline(&ld);
	read_area(&ld, &area_rows);
	read_history(&ld);
	check_practices(&ld);
	if (ld.ok[T_HISTORY] && ld.ok[T_AREA])
		check_area(&ld, area_rows);

	if (st == ST_OK && ld.failed)
		st = ST_DATA;
	for (int k = 0; k < N_TABLES; k++)
		schema_table_release(&ld.tab[k]);
	strmap_release(&services);
	strmap_release(&ld.practices);
	strmap_release(&ld.ccgs);
	strmap_release(&ld.contracts_by_practice);
	free(service_rows);
	free(area_rows);
	free(ld.practice_row);
	free(ld.ccg_first_practice);
	free(ld.ccg_has_allocation);
	free(ld.history_years);
	free(ld.last_year_row);
	free(ld.rate_reported);
	free(ld.has_contract_row);
	free(ld.contract_row);
	return st;
}

enum status dataset_load(struct dataset *ds, const char *dir, int year,
			 const struct params *p)
{
	return load(ds, dir, NULL, year, p);
}

enum status dataset_load_mem(struct dataset *ds, const char *dir,
			     const char *const *texts, int year,
			     const struct params *p)
{
	return load(ds, dir, texts, year, p);
}

/*
 * dataset.h - a CCG dataset: practices, contracts, enhanced services,
 * QOF, premises, area budgets, allocations and payment history, read
 * and validated for one budget year.
 *
 * The first stage of "pcbudget run": a directory of CSV tables
 * (documented column by column in data/README.md) becomes one struct
 * dataset of typed, cross-checked records.  Every problem is reported
 * as path:line:col before anything is computed: unknown practices,
 * services or CCGs in a child table, duplicate keys, a practice in two
 * CCGs, negative lists or amounts, an end date before its start date,
 * probabilities outside [0, 1], a practice without a contract or
 * without three years of history, a CCG without an allocation, a rate
 * parameter missing for the budget year.  The methodology (method.h)
 * then reads the dataset and never fails on data, except on figures
 * too large for int64 pence (see method_compute()).
 *
 * Ownership: the dataset owns every string and array it holds; release
 * everything with dataset_release().  Indices (practice, ccg, service)
 * refer to the dataset's own arrays.
 */
#ifndef PCBUDGET_DATASET_H
#define PCBUDGET_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "status.h"

/* The five budget categories of methodology §2, in output order. */
enum category { CAT_CORE, CAT_ES, CAT_QOF, CAT_PREMISES, CAT_OTHER, N_CATS };

/* Column names of the categories: "core_contract", ..., "other". */
extern const char *const category_names[N_CATS];

enum contract_type { CONTRACT_GMS, CONTRACT_PMS, CONTRACT_APMS };
enum es_type { ES_DES, ES_LES };
enum es_basis { ES_PER_HEAD, ES_ACTIVITY };
enum premises_type {
	PREM_NOTIONAL_RENT, PREM_BORROWING_COSTS, PREM_LEASE_RENT,
	PREM_RATES, PREM_WATER, PREM_CLINICAL_WASTE
};
enum area_basis { BASIS_WEIGHTED_LIST, BASIS_REGISTERED_LIST, BASIS_HISTORIC };

/* Printable names, indexed by the enums above. */
extern const char *const contract_type_names[];
extern const char *const premises_type_names[];
extern const char *const area_basis_names[];

/* Decimal places of weighted lists (billionths of a patient). */
#define WEIGHTED_DECIMALS 9
/* Decimal places of QOF points (hundredths). */
#define POINTS_DECIMALS 2
/* Decimal places of factors, probabilities and activity units. */
#define MICRO_DECIMALS 6

struct ds_ccg {
	char *code, *name;
	int64_t allocation;		/* pence, for the budget year */
	bool has_target;
	int64_t target;			/* pence */
	bool has_weighted_population;
	int64_t weighted_population;	/* millionths of a person */
	size_t n_practices;		/* practices in the budget */
};

struct ds_practice {
	char *code, *name;
	size_t ccg;
	enum contract_type type;
	int64_t registered;		/* patients */
	int64_t weighted;		/* billionths of a weighted patient */
	bool ooh_opt_out, dispensing;
	bool has_open, has_close;
	int32_t open_date, close_date;	/* days since 1970-01-01 */
	int days_open;			/* days open in the budget year; 0 = not in the budget */
	size_t contract;		/* index in contracts */
	bool has_last_year;		/* a history row for the year before */
	int64_t last_year[N_CATS];	/* pence, from practice_history.csv */
};

struct ds_contract {
	char *id;
	size_t practice;
	enum contract_type type;
	int32_t start, end;
	bool has_end;
	int64_t annual_value;		/* pence, PMS/APMS, prices of the year before */
	int64_t mpig_cf;		/* pence a year, 2013/14 correction factor (GMS) */
	int64_t gms_equivalent;		/* pence, PMS */
	bool has_release;
	int release_start;		/* financial year the premium release starts */
	int release_years;		/* years over which it is released */
};

struct ds_service {
	char *code, *name;
	enum es_type type;
	enum es_basis basis;
	char *rate_param;		/* parameter holding the rate, NULL if given here */
	bool has_rate;			/* resolved for the budget year when needed */
	int64_t rate;			/* pence per patient or per unit */
	char *rate_source;		/* "es_catalogue.csv" or "[2017/18] es_extended_hours"; NULL until resolved */
};

struct ds_participation {
	size_t practice, service;
	bool signed_up;
	bool has_payment, has_units;
	int64_t last_year_payment;	/* pence */
	int64_t units;			/* millionths of a unit */
};

struct ds_qof {
	size_t practice;
	int64_t points;			/* hundredths of a point, last year */
	int64_t prevalence;		/* millionths; 1000000 when not given */
};

struct ds_premises {
	size_t practice;
	enum premises_type type;
	int64_t amount;			/* pence a year */
	bool has_review;
	int32_t review;			/* next review date */
};

struct ds_scheme {
	char *id, *description;
	size_t practice;
	int32_t start;
	int64_t annual_cost;		/* pence */
	int64_t probability;		/* millionths */
};

struct ds_area_line {
	char *code, *name;
	enum category category;		/* CAT_PREMISES or CAT_OTHER */
	int64_t amount;			/* pence, the area's budget for the year */
	enum area_basis basis;
	/*
	 * The whole area's total of the basis: billionths of weighted
	 * patients, patients, or pence paid last year in the category.
	 */
	int64_t basis_total;
};

/* One row of practice_history.csv: what a practice was paid in a past year. */
struct ds_history {
	int year;			/* financial year (2016 = 2016/17) */
	size_t practice;		/* index in practices */
	char *ccg_code;			/* its CCG that year, as written (owned) */
	int64_t paid[N_CATS];		/* pence; CAT_OTHER is the "discretionary" column */
	bool has_registered, has_weighted;	/* the optional list columns */
	int64_t registered;		/* registered_patients */
	int64_t weighted;		/* weighted_patients, billionths */
};

struct dataset {
	char *dir;
	int year;			/* budget year (2017 = 2017/18) */
	struct ds_ccg *ccgs;
	size_t n_ccgs, alloc_ccgs;
	struct ds_practice *practices;
	size_t n_practices, alloc_practices;
	struct ds_contract *contracts;
	size_t n_contracts, alloc_contracts;
	struct ds_service *services;
	size_t n_services, alloc_services;
	struct ds_participation *participation;
	size_t n_participation, alloc_participation;
	struct ds_qof *qof;
	size_t n_qof, alloc_qof;
	struct ds_premises *premises;
	size_t n_premises, alloc_premises;
	struct ds_scheme *schemes;
	size_t n_schemes, alloc_schemes;
	struct ds_area_line *area_lines;
	size_t n_area_lines, alloc_area_lines;
	size_t n_history;		/* history rows read */
	/*
	 * The valid history rows, every year of the file (also years after
	 * the budget year, which the methodology ignores), in file order.
	 */
	struct ds_history *history;
	size_t n_history_rows, alloc_history;
};

/* Zeroes ds so dataset_release() is safe. */
void dataset_init(struct dataset *ds);

/* Frees everything ds holds; leaves it initialised. */
void dataset_release(struct dataset *ds);

/*
 * Reads and validates the dataset in directory dir for the budget year
 * (2017 = 2017/18).  p is the loaded parameter file (for the rates the
 * enhanced services catalogue names and the QOF points available).
 * Reports every problem through diag and returns ST_OK, ST_NOINPUT (a
 * table cannot be opened), ST_IO or ST_DATA; on error ds holds nothing
 * the caller may use (release it).
 */
enum status dataset_load(struct dataset *ds, const char *dir, int year,
			 const struct params *p);

/*
 * Same as dataset_load(), but table k (in dataset_files[] order) is
 * parsed from texts[k] (NUL-terminated, borrowed) when it is not NULL,
 * as if read from dir/<file> (the name used in messages); the other
 * tables are read from dir.  For tests and the fuzzer.
 */
enum status dataset_load_mem(struct dataset *ds, const char *dir,
			     const char *const *texts, int year,
			     const struct params *p);

/* Index of a practice by code, or -1. */
long dataset_find_practice(const struct dataset *ds, const char *code);

/* The table file names, in the order they are read (NULL-terminated). */
extern const char *const dataset_files[];

#endif

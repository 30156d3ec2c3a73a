/*
 * test_dataset.c - reading and validating a dataset directory: a valid
 * dataset loads; every validation error is reported, located, with its
 * exact message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "method.h"
#include "helpers.h"

static char root[64];
static char cwd[4096];

static const char practices[] =
	"practice_code,practice_name,ccg_code,contract_type,registered_list,weighted_list,ooh_opt_out,dispensing,open_date,close_date\n"
	"A00001,One Surgery,01A,GMS,7500,7600.5,yes,no,,\n"
	"A00002,\"Two, Surgery\",01A,PMS,5000,5100,Yes,NO,1990-04-01,\n";
static const char allocations[] =
	"year,ccg_code,ccg_name,allocation,target,weighted_population\n"
	"2016/17,01A,NHS One CCG,11000000.00,,\n"
	"2017/18,01A,NHS One CCG,12000000.00,12500000.00,\n";
static const char contracts[] =
	"contract_id,practice_code,contract_type,start_date,end_date,annual_value,mpig_cf_2013_14,gms_equivalent,release_start,release_years\n"
	"C1,A00001,GMS,2004-04-01,,,1000.00,,,\n"
	"C2,A00002,PMS,2004-04-01,,500000.00,,400000.00,2015/16,4\n";
static const char catalogue[] =
	"service_code,service_name,type,basis,rate,rate_param\n"
	"EXT,Extended hours,DES,per_head,,es_extended_hours\n"
	"UNP,Unplanned admissions,DES,per_head,,es_unplanned_admissions\n"
	"ANT,Anticoagulation,LES,activity,,\n";
static const char participation[] =
	"practice_code,service_code,signed_up,last_year_payment,activity_units\n"
	"A00001,EXT,yes,,\n"
	"A00001,UNP,no,21525.00,\n"
	"A00002,ANT,yes,12000.00,\n";
static const char qof[] =
	"practice_code,points_achieved,prevalence_factor\n"
	"A00001,530.5,\n"
	"A00002,559,0.97\n";
static const char premises[] =
	"practice_code,reimbursement_type,annual_amount,next_review_date\n"
	"A00001,rates,20000.00,\n"
	"A00001,notional_rent,60000.00,2017-10-01\n";
static const char pipeline[] =
	"scheme_id,practice_code,description,start_date,annual_cost,probability\n"
	"S1,A00002,Extension,2017-10-01,50000.00,0.8\n";
static const char area[] =
	"year,line_code,line_name,category,amount,basis,area_basis_total\n"
	"2017/18,SEN,Seniority,other,100000.00,weighted_list,500000\n"
	"2017/18,LOC,Locum,other,50000.00,historic,900000.00\n";
static const char history[] =
	"year,ccg_code,practice_code,core_contract,enhanced_services,qof,premises,discretionary,memo_vi\n"
	"2014/15,01A,A00001,550000.00,40000.00,80000.00,75000.00,10000.00,1.00\n"
	"2015/16,01A,A00001,560000.00,41000.00,81000.00,76000.00,11000.00,1.00\n"
	"2016/17,01A,A00001,570000.00,42000.00,82000.00,77000.00,12000.00,1.00\n"
	"2014/15,01A,A00002,450000.00,30000.00,60000.00,55000.00,8000.00,1.00\n"
	"2015/16,01A,A00002,460000.00,31000.00,61000.00,56000.00,9000.00,1.00\n"
	"2016/17,01A,A00002,470000.00,32000.00,62000.00,57000.00,9500.00,1.00\n";

struct file {
	const char *name, *text;
};

static const struct file base[] = {
	{ "practices.csv", practices }, { "allocations.csv", allocations },
	{ "contracts.csv", contracts }, { "es_catalogue.csv", catalogue },
	{ "es_participation.csv", participation }, { "qof.csv", qof },
	{ "premises.csv", premises }, { "premises_pipeline.csv", pipeline },
	{ "area_budgets.csv", area }, { "practice_history.csv", history },
};
#define N_BASE (sizeof(base) / sizeof(base[0]))

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "ds/%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(root, sizeof(root), "/tmp/test_dataset_XXXXXX");
	if (!mkdtemp(root) || chdir(root) != 0 || mkdir("ds", 0777) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	DIR *d;
	struct dirent *e;
	char path[512];

	(void)state;
	d = opendir("ds");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "ds/%s", e->d_name);
		remove(path);
	}
	if (d)
		closedir(d);
	rmdir("ds");
	if (chdir(cwd) != 0)
		return -1;
	return rmdir(root);
}

/*
 * Writes the base dataset with the given files replaced (text NULL
 * removes the file), loads it for 2017/18 and returns the status;
 * *err gets the messages.
 */
static enum status load(struct dataset *ds, const struct file *over, size_t n_over,
			const char **err)
{
	struct params p;
	enum status st;

	for (size_t i = 0; i < N_BASE; i++) {
		const char *text = base[i].text;

		for (size_t k = 0; k < n_over; k++)
			if (strcmp(over[k].name, base[i].name) == 0)
				text = over[k].text;
		if (text) {
			put(base[i].name, text);
		} else {
			char path[256];

			snprintf(path, sizeof(path), "ds/%s", base[i].name);
			remove(path);
		}
	}
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	assert_int_equal(params_load_string(&p, "ds/params.ini", "[run]\nbudget_year = 2017/18\n"),
			 ST_OK);
	dataset_init(ds);
	st = dataset_load(ds, "ds", 2017, &p);
	*err = capture_end();
	params_release(&p);
	return st;
}

#define LOAD(ds, err, ...) \
	load((ds), (const struct file[]){ __VA_ARGS__ }, \
	     sizeof((const struct file[]){ __VA_ARGS__ }) / sizeof(struct file), (err))

static void test_dataset_loads_a_valid_dataset(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(load(&ds, NULL, 0, &err), ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(ds.n_ccgs, 1);
	assert_string_equal(ds.ccgs[0].name, "NHS One CCG");
	assert_pence_eq(ds.ccgs[0].allocation, 1200000000);
	assert_true(ds.ccgs[0].has_target);
	assert_int_equal(ds.n_practices, 2);
	assert_string_equal(ds.practices[1].name, "Two, Surgery");
	assert_pence_eq(ds.practices[0].weighted, 7600500000000);
	assert_int_equal(ds.practices[0].days_open, 365);
	assert_true(ds.practices[1].ooh_opt_out);
	assert_false(ds.practices[1].dispensing);
	assert_int_equal(ds.n_contracts, 2);
	assert_pence_eq(ds.contracts[0].mpig_cf, 100000);
	assert_true(ds.contracts[1].has_release);
	assert_int_equal(ds.contracts[1].release_start, 2015);
	/* the rate of EXT comes from the parameters; UNP is not needed */
	assert_true(ds.services[0].has_rate);
	assert_pence_eq(ds.services[0].rate, 190);
	assert_string_equal(ds.services[0].rate_source, "[2017/18] es_extended_hours");
	assert_false(ds.services[1].has_rate);
	assert_int_equal(ds.n_participation, 3);
	assert_pence_eq(ds.qof[0].points, 53050);
	assert_pence_eq(ds.qof[0].prevalence, 1000000);
	assert_pence_eq(ds.qof[1].prevalence, 970000);
	assert_int_equal(ds.n_premises, 2);
	assert_int_equal(ds.n_schemes, 1);
	assert_pence_eq(ds.schemes[0].probability, 800000);
	assert_int_equal(ds.n_area_lines, 2);
	assert_pence_eq(ds.area_lines[0].basis_total, 500000000000000);
	assert_pence_eq(ds.area_lines[1].basis_total, 90000000);
	assert_int_equal(ds.n_history, 6);
	assert_true(ds.practices[0].has_last_year);
	assert_pence_eq(ds.practices[0].last_year[CAT_OTHER], 1200000);
	dataset_release(&ds);
}

static void test_dataset_reports_unknown_practices_services_and_ccgs(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "qof.csv", "practice_code,points_achieved,prevalence_factor\n"
					   "A00001,530.5,\nA00009,500,\n" },
			      { "es_participation.csv",
				"practice_code,service_code,signed_up,last_year_payment,activity_units\n"
				"A00001,EXT,yes,,\nA00002,XYZ,yes,,\n" },
			      { "allocations.csv",
				"year,ccg_code,ccg_name,allocation,target,weighted_population\n"
				"2017/18,01A,NHS One CCG,12000000.00,,\n"
				"2017/18,02B,NHS Two CCG,1.00,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/allocations.csv:3:9: error: unknown CCG '02B' (no practice in practices.csv)\n"
			    "ds/es_participation.csv:3:8: error: unknown service 'XYZ' (not in es_catalogue.csv)\n"
			    "ds/qof.csv:3:1: error: unknown practice 'A00009' (not in practices.csv)\n");
	dataset_release(&ds);
}

static void test_dataset_reports_a_practice_in_two_ccgs(void **state)
{
	struct dataset ds;
	const char *err;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%sA00001,One Surgery,02B,GMS,7500,7600.5,yes,no,,\n", practices);
	assert_int_equal(LOAD(&ds, &err, { "practices.csv", text }), ST_DATA);
	assert_string_equal(err,
			    "ds/practices.csv:4:20: error: practice 'A00001' is in CCG '02B' here and in CCG '01A' on line 2\n");
	dataset_release(&ds);
}

static void test_dataset_reports_duplicate_keys(void **state)
{
	struct dataset ds;
	const char *err;
	char p[1024], c[1024], a[1024], s[1024], h[2048];

	(void)state;
	snprintf(p, sizeof(p), "%sA00002,Two again,01A,PMS,5000,5100,yes,no,,\n", practices);
	snprintf(c, sizeof(c), "%sC1,A00002,PMS,2004-04-01,,1.00,,1.00,,\n", contracts);
	snprintf(a, sizeof(a), "%sA00001,EXT,no,,\n", participation);
	snprintf(s, sizeof(s), "%sS1,A00001,Again,2017-10-01,1.00,0.5\n", pipeline);
	snprintf(h, sizeof(h), "%s2016/17,01A,A00001,1.00,1.00,1.00,1.00,1.00,1.00\n", history);
	assert_int_equal(LOAD(&ds, &err, { "practices.csv", p }, { "contracts.csv", c },
			      { "es_participation.csv", a }, { "premises_pipeline.csv", s },
			      { "practice_history.csv", h }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/practices.csv:4:1: error: duplicate practice 'A00002' (first on line 3)\n"
			    "ds/contracts.csv:4:1: error: duplicate contract 'C1' (first on line 2)\n"
			    "ds/contracts.csv:4:4: error: practice 'A00002' already has contract 'C2' (line 3); give one contract per practice\n"
			    "ds/es_participation.csv:5:8: error: duplicate service 'EXT' for practice 'A00001' (first on line 2)\n"
			    "ds/premises_pipeline.csv:3:1: error: duplicate scheme 'S1' (first on line 2)\n"
			    "ds/practice_history.csv:8:13: error: duplicate history for practice 'A00001' in 2016/17 (first on line 4)\n");
	dataset_release(&ds);
}

static void test_dataset_reports_negative_lists_and_amounts(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "practices.csv",
				"practice_code,practice_name,ccg_code,contract_type,registered_list,weighted_list,ooh_opt_out,dispensing,open_date,close_date\n"
				"A00001,One Surgery,01A,GMS,-7500,7600.5,yes,no,,\n"
				"A00002,Two Surgery,01A,PMS,5000,-0.5,yes,no,,\n" },
			      { "premises.csv",
				"practice_code,reimbursement_type,annual_amount,next_review_date\n"
				"A00001,rates,-20000.00,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/practices.csv:2:28: error: column 'registered_list': '-7500' must not be negative\n"
			    "ds/practices.csv:3:33: error: column 'weighted_list': '-0.5' must not be negative\n"
			    "ds/premises.csv:2:14: error: column 'annual_amount': '-20000.00' must not be negative\n");
	dataset_release(&ds);
}

static void test_dataset_reports_an_end_date_before_its_start(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "contracts.csv",
				"contract_id,practice_code,contract_type,start_date,end_date,annual_value,mpig_cf_2013_14,gms_equivalent,release_start,release_years\n"
				"C1,A00001,GMS,2004-04-01,2003-03-31,,,,,\n"
				"C2,A00002,PMS,2004-04-01,2017-03-31,500000.00,,400000.00,,\n" },
			      { "practices.csv",
				"practice_code,practice_name,ccg_code,contract_type,registered_list,weighted_list,ooh_opt_out,dispensing,open_date,close_date\n"
				"A00001,One Surgery,01A,GMS,7500,7600.5,yes,no,2010-01-01,2009-12-31\n"
				"A00002,Two Surgery,01A,PMS,5000,5100,yes,no,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/practices.csv:2:58: error: close date 2009-12-31 is before the open date 2010-01-01\n"
			    "ds/contracts.csv:2:26: error: end date 2003-03-31 is before the start date 2004-04-01\n"
			    "ds/contracts.csv:3:26: error: contract 'C2' ended on 2017-03-31, before the budget year 2017/18; give the contract that replaced it\n");
	dataset_release(&ds);
}

static void test_dataset_reports_a_probability_outside_0_and_1(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "premises_pipeline.csv",
				"scheme_id,practice_code,description,start_date,annual_cost,probability\n"
				"S1,A00002,Extension,2017-10-01,50000.00,1.2\n"
				"S2,A00001,New build,2017-10-01,50000.00,-0.1\n"
				"S3,A00001,Another,2017-10-01,50000.00,1\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/premises_pipeline.csv:2:41: error: column 'probability': '1.2' is not between 0 and 1\n"
			    "ds/premises_pipeline.csv:3:41: error: column 'probability': '-0.1' is not between 0 and 1\n");
	dataset_release(&ds);
}

static void test_dataset_reports_a_rate_parameter_missing_for_the_year(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	/* the unplanned admissions DES ended on 31 March 2017: no rate in 2017/18 */
	assert_int_equal(LOAD(&ds, &err,
			      { "es_participation.csv",
				"practice_code,service_code,signed_up,last_year_payment,activity_units\n"
				"A00001,UNP,yes,,\nA00002,UNP,yes,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/es_catalogue.csv:3:40: error: rate parameter 'es_unplanned_admissions' has no value for 2017/18, and practices are signed up to 'UNP'\n");
	dataset_release(&ds);
}

static void test_dataset_reports_bad_catalogue_rows(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "es_catalogue.csv",
				"service_code,service_name,type,basis,rate,rate_param\n"
				"EXT,Extended hours,DES,per_head,1.90,es_extended_hours\n"
				"UNP,Unplanned admissions,DES,per_head,,\n"
				"ANT,Anticoagulation,LES,activity,3.00,\n"
				"XX,Typo,DES,per_head,,es_extended_hour\n"
				"YY,Bad basis,DES,per_patient,1.00,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/es_catalogue.csv:2:38: error: give either 'rate' or 'rate_param', not both\n"
			    "ds/es_catalogue.csv:3:39: error: a per-head service needs a 'rate' or a 'rate_param'\n"
			    "ds/es_catalogue.csv:4:34: error: a LES is budgeted from last year's payments: leave 'rate' and 'rate_param' empty\n"
			    "ds/es_catalogue.csv:5:23: error: 'es_extended_hour' is not a rate parameter (see the es_* keys in data/README.md)\n"
			    "ds/es_catalogue.csv:6:18: error: column 'basis': 'per_patient' is not one of per_head or activity\n");
	dataset_release(&ds);
}

/*
 * A LES payment that is there but malformed is one error at the cell,
 * not also "give 'last_year_payment'"; an empty one is the missing
 * value.
 */
static void test_dataset_reports_a_bad_payment_once(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "es_participation.csv",
				"practice_code,service_code,signed_up,last_year_payment,activity_units\n"
				"A00001,EXT,yes,,\n"
				"A00001,UNP,no,21525.00,\n"
				"A00002,ANT,yes,12000.005,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/es_participation.csv:4:16: error: column 'last_year_payment': '12000.005' is not an amount (too many decimal places)\n");
	dataset_release(&ds);
	assert_int_equal(LOAD(&ds, &err,
			      { "es_participation.csv",
				"practice_code,service_code,signed_up,last_year_payment,activity_units\n"
				"A00002,ANT,yes,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/es_participation.csv:2:16: error: a LES is budgeted from last year's payment: give 'last_year_payment'\n");
	dataset_release(&ds);
}

static void test_dataset_reports_missing_and_unknown_columns_and_files(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "qof.csv", "practice_code,points,prevalence_factor\nA00001,530.5,\n" },
			      { "premises_pipeline.csv", NULL }),
			 ST_NOINPUT);
	assert_string_equal(err,
			    "ds/qof.csv:1: error: missing column 'points_achieved'\n"
			    "ds/qof.csv:1:15: error: unknown column 'points'\n"
			    "pcbudget: error: cannot open 'ds/premises_pipeline.csv': No such file or directory\n");
	dataset_release(&ds);
}

static void test_dataset_reports_missing_contract_history_and_allocation(void **state)
{
	struct dataset ds;
	const char *err;
	char h[2048];

	(void)state;
	/* A00002 loses its 2015/16 row; A00001 its contract; no 2017/18 allocation */
	snprintf(h, sizeof(h), "%s",
		 "year,ccg_code,practice_code,core_contract,enhanced_services,qof,premises,discretionary\n"
		 "2014/15,01A,A00001,1.00,1.00,1.00,1.00,1.00\n"
		 "2015/16,01A,A00001,1.00,1.00,1.00,1.00,1.00\n"
		 "2016/17,01A,A00001,1.00,1.00,1.00,1.00,1.00\n"
		 "2014/15,01A,A00002,1.00,1.00,1.00,1.00,1.00\n"
		 "2016/17,01A,A00002,1.00,1.00,1.00,1.00,1.00\n");
	assert_int_equal(LOAD(&ds, &err, { "practice_history.csv", h },
			      { "contracts.csv",
				"contract_id,practice_code,contract_type,start_date,end_date,annual_value,mpig_cf_2013_14,gms_equivalent,release_start,release_years\n"
				"C2,A00002,PMS,2004-04-01,,500000.00,,400000.00,2015/16,4\n" },
			      { "allocations.csv",
				"year,ccg_code,ccg_name,allocation,target,weighted_population\n"
				"2016/17,01A,NHS One CCG,11000000.00,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/practices.csv:2:1: error: practice 'A00001' has no contract in contracts.csv\n"
			    "ds/practices.csv:3:1: error: practice 'A00002' has no history for 2015/16 in practice_history.csv (3 past years are needed: 2014/15 to 2016/17)\n"
			    "ds/practices.csv:2:20: error: CCG '01A' has no allocation for 2017/18 in allocations.csv\n");
	dataset_release(&ds);
}

static void test_dataset_reports_contract_rules(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "contracts.csv",
				"contract_id,practice_code,contract_type,start_date,end_date,annual_value,mpig_cf_2013_14,gms_equivalent,release_start,release_years\n"
				"C1,A00001,APMS,2004-04-01,,,5.00,,2015/16,\n"
				"C2,A00002,PMS,2004-04-01,,,,,,\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/contracts.csv:2:11: error: contract type APMS differs from practice 'A00001' (GMS in practices.csv)\n"
			    "ds/contracts.csv:2:28: error: an APMS contract needs its 'annual_value'\n"
			    "ds/contracts.csv:2:27: error: an APMS contract is for a fixed term: give its 'end_date'\n"
			    "ds/contracts.csv:2:29: error: the MPIG correction factor is only paid to GMS contracts\n"
			    "ds/contracts.csv:2:35: error: a premium release schedule is only for PMS contracts\n"
			    "ds/contracts.csv:2:43: error: 'release_start' needs 'release_years' too\n"
			    "ds/contracts.csv:3:27: error: a PMS contract needs its 'annual_value'\n"
			    "ds/contracts.csv:3:29: error: a PMS contract needs its 'gms_equivalent'\n");
	dataset_release(&ds);
}

static void test_dataset_reports_qof_points_above_those_available(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "qof.csv", "practice_code,points_achieved,prevalence_factor\n"
					   "A00001,559.01,\nA00002,12.5x,0\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/qof.csv:2:8: error: column 'points_achieved': 559.01 points is more than the 559 available in 2017/18\n"
			    "ds/qof.csv:3:8: error: column 'points_achieved': '12.5x' is not a number\n"
			    "ds/qof.csv:3:14: error: column 'prevalence_factor': the factor must be more than 0\n");
	dataset_release(&ds);
}

static void test_dataset_reports_negative_history_for_a_historic_share(void **state)
{
	struct dataset ds;
	const char *err;
	char h[2048], *at;

	(void)state;
	/* A00002 is paid −£5.00 discretionary in 2016/17, and LOC is shared
	 * by last year's payments */
	snprintf(h, sizeof(h), "%s", history);
	at = strstr(h, "57000.00,9500.00");
	assert_non_null(at);
	memcpy(at + 9, "-5.00,1.00\n", 12);
	assert_int_equal(LOAD(&ds, &err, { "practice_history.csv", h },
			      { "area_budgets.csv",
				"year,line_code,line_name,category,amount,basis,area_basis_total\n"
				"2017/18,LOC,Locum,other,50000.00,historic,900000.00\n"
				"2017/18,SEN,Seniority,other,1.00,weighted_list,10000\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/practice_history.csv:7:57: error: area line 'LOC' is shared by last year's payments, which cannot be negative for practice 'A00002'\n"
			    "ds/area_budgets.csv:3:48: error: area total 10000 is less than the 12700.5 of the practices in the dataset\n");
	dataset_release(&ds);
}

/*
 * Two practices of 9,223,372,036.854775807 and 5,100 weighted patients:
 * their sum passes INT64_MAX billionths; the loader says so at the area
 * total instead of overflowing.
 */
static void test_dataset_reports_an_area_basis_too_large_to_add_up(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	assert_int_equal(LOAD(&ds, &err,
			      { "practices.csv",
				"practice_code,practice_name,ccg_code,contract_type,registered_list,weighted_list,ooh_opt_out,dispensing,open_date,close_date\n"
				"A00001,One Surgery,01A,GMS,7500,9223372036.854775807,yes,no,,\n"
				"A00002,Two Surgery,01A,PMS,5000,5100,Yes,NO,1990-04-01,\n" },
			      { "area_budgets.csv",
				"year,line_code,line_name,category,amount,basis,area_basis_total\n"
				"2017/18,SEN,Seniority,other,1.00,weighted_list,9223372036.854775807\n" }),
			 ST_DATA);
	assert_string_equal(err,
			    "ds/area_budgets.csv:2:48: error: area total 9223372036.854775807 is less than what the practices in the dataset add up to (over 9223372036.854775807)\n");
	dataset_release(&ds);
}

static void test_dataset_counts_days_open_in_the_year(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	/* A00001 closes on 31 Dec 2017: 1 Apr to 31 Dec = 275 days; A00002
	 * closed before the year, so its missing history is not an error */
	assert_int_equal(LOAD(&ds, &err,
			      { "practices.csv",
				"practice_code,practice_name,ccg_code,contract_type,registered_list,weighted_list,ooh_opt_out,dispensing,open_date,close_date\n"
				"A00001,One Surgery,01A,GMS,7500,7600.5,yes,no,,2017-12-31\n"
				"A00002,Two Surgery,01A,PMS,5000,5100,yes,no,,2017-03-31\n" },
			      { "practice_history.csv",
				"year,ccg_code,practice_code,core_contract,enhanced_services,qof,premises,discretionary\n"
				"2014/15,01A,A00001,1.00,1.00,1.00,1.00,1.00\n"
				"2015/16,01A,A00001,1.00,1.00,1.00,1.00,1.00\n"
				"2016/17,01A,A00001,1.00,1.00,1.00,1.00,1.00\n" }),
			 ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(ds.practices[0].days_open, 275);
	assert_int_equal(ds.practices[1].days_open, 0);
	assert_int_equal(ds.ccgs[0].n_practices, 1);
	dataset_release(&ds);
}

/*
 * dataset_load_mem(): tables given in memory are used instead of the
 * files and named dir/<file> in messages; the others come from dir.
 * Here practices.csv is on disk, qof.csv (with an unknown practice) in
 * memory, so the message must name ds/qof.csv line 3.
 */
static void test_dataset_loads_tables_given_in_memory(void **state)
{
	const char *texts[11] = { NULL };
	struct dataset ds;
	struct params p;
	const char *err;

	(void)state;
	/* write the base dataset, then remove the qof file from disk */
	assert_int_equal(LOAD(&ds, &err, { "qof.csv", NULL }), ST_NOINPUT);
	dataset_release(&ds);
	texts[5] = "practice_code,points_achieved,prevalence_factor\n"
		   "A00001,530.5,\nA00009,500,\n";
	assert_string_equal(dataset_files[5], "qof.csv");
	params_init(&p, method_param_specs, method_n_param_specs);
	capture_begin();
	dataset_init(&ds);
	assert_int_equal(dataset_load_mem(&ds, "ds", texts, 2017, &p), ST_DATA);
	err = capture_end();
	assert_string_equal(err, "ds/qof.csv:3:1: error: unknown practice 'A00009' (not in practices.csv)\n");
	dataset_release(&ds);

	/* all of the base dataset from memory: the same as from the files */
	for (size_t i = 0; i < N_BASE; i++) {
		assert_string_equal(dataset_files[i], base[i].name);
		texts[i] = base[i].text;
	}
	capture_begin();
	dataset_init(&ds);
	assert_int_equal(dataset_load_mem(&ds, "nowhere", texts, 2017, &p), ST_OK);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(ds.n_practices, 2);
	assert_int_equal(ds.n_history, 6);
	assert_pence_eq(ds.qof[0].points, 53050);
	dataset_release(&ds);
	params_release(&p);
}

static void test_dataset_keeps_every_history_row_with_its_lists(void **state)
{
	struct dataset ds;
	const char *err;

	(void)state;
	/* the optional list columns are read where given, checked, and kept */
	assert_int_equal(LOAD(&ds, &err,
			      { "practice_history.csv",
				"year,ccg_code,practice_code,core_contract,enhanced_services,qof,premises,discretionary,registered_patients,weighted_patients\n"
				"2014/15,01X,A00001,1.00,2.00,3.00,4.00,5.00,7400,7500.123\n"
				"2015/16,01A,A00001,1.00,1.00,1.00,1.00,-1.00,,\n"
				"2016/17,01A,A00001,1.00,1.00,1.00,1.00,1.00,7450,\n"
				"2014/15,01A,A00002,1.00,1.00,1.00,1.00,1.00,5000,5100\n"
				"2015/16,01A,A00002,1.00,1.00,1.00,1.00,1.00,5000,5100\n"
				"2016/17,01A,A00002,1.00,1.00,1.00,1.00,1.00,5000,5100\n"
				"2018/19,01A,A00002,9.00,1.00,1.00,1.00,1.00,5000,5100\n" }),
			 ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(ds.n_history_rows, 7);
	assert_int_equal(ds.history[0].year, 2014);
	assert_int_equal(ds.history[0].practice, 0);
	assert_string_equal(ds.history[0].ccg_code, "01X");
	assert_pence_eq(ds.history[0].paid[CAT_ES], 200);
	assert_pence_eq(ds.history[0].paid[CAT_OTHER], 500);
	assert_true(ds.history[0].has_registered && ds.history[0].has_weighted);
	assert_pence_eq(ds.history[0].registered, 7400);
	assert_pence_eq(ds.history[0].weighted, 7500123000000);
	assert_false(ds.history[1].has_registered || ds.history[1].has_weighted);
	assert_pence_eq(ds.history[1].paid[CAT_OTHER], -100);
	assert_true(ds.history[2].has_registered && !ds.history[2].has_weighted);
	/* a year after the budget year is kept too (the methodology ignores it) */
	assert_int_equal(ds.history[6].year, 2018);
	assert_int_equal(ds.history[6].practice, 1);
	dataset_release(&ds);

	/* a bad list is an error, located */
	assert_int_equal(LOAD(&ds, &err,
			      { "practice_history.csv",
				"year,ccg_code,practice_code,core_contract,enhanced_services,qof,premises,discretionary,registered_patients\n"
				"2014/15,01A,A00001,1.00,1.00,1.00,1.00,1.00,-3\n"
				"2015/16,01A,A00001,1.00,1.00,1.00,1.00,1.00,\n"
				"2016/17,01A,A00001,1.00,1.00,1.00,1.00,1.00,\n"
				"2014/15,01A,A00002,1.00,1.00,1.00,1.00,1.00,\n"
				"2015/16,01A,A00002,1.00,1.00,1.00,1.00,1.00,\n"
				"2016/17,01A,A00002,1.00,1.00,1.00,1.00,1.00,\n" }),
			 ST_DATA);
	assert_string_equal(err, "ds/practice_history.csv:2:45: error: column 'registered_patients': '-3' must not be negative\n");
	dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dataset_loads_a_valid_dataset),
		cmocka_unit_test(test_dataset_reports_unknown_practices_services_and_ccgs),
		cmocka_unit_test(test_dataset_reports_a_practice_in_two_ccgs),
		cmocka_unit_test(test_dataset_reports_duplicate_keys),
		cmocka_unit_test(test_dataset_reports_negative_lists_and_amounts),
		cmocka_unit_test(test_dataset_reports_an_end_date_before_its_start),
		cmocka_unit_test(test_dataset_reports_a_probability_outside_0_and_1),
		cmocka_unit_test(test_dataset_reports_a_rate_parameter_missing_for_the_year),
		cmocka_unit_test(test_dataset_reports_bad_catalogue_rows),
		cmocka_unit_test(test_dataset_reports_a_bad_payment_once),
		cmocka_unit_test(test_dataset_reports_missing_and_unknown_columns_and_files),
		cmocka_unit_test(test_dataset_reports_missing_contract_history_and_allocation),
		cmocka_unit_test(test_dataset_reports_contract_rules),
		cmocka_unit_test(test_dataset_reports_qof_points_above_those_available),
		cmocka_unit_test(test_dataset_reports_negative_history_for_a_historic_share),
		cmocka_unit_test(test_dataset_counts_days_open_in_the_year),
		cmocka_unit_test(test_dataset_loads_tables_given_in_memory),
		cmocka_unit_test(test_dataset_reports_an_area_basis_too_large_to_add_up),
		cmocka_unit_test(test_dataset_keeps_every_history_row_with_its_lists),
	};

	return cmocka_run_group_tests_name("dataset", tests, setup, teardown);
}

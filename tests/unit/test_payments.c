/*
 * test_payments.c - the NHS payments import: one small fixture per quirk
 * of the published files (tests/fixtures/payments/, README in the data
 * folder), every error located, the judgement calls switchable.
 *
 * Expected amounts are worked out by hand from the fixture rows in the
 * comments next to each assertion (pence).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "csvread.h"
#include "payments.h"
#include "payments_io.h"

#define FIX "tests/fixtures/payments/"

struct fixture {
	struct pay_colmap m;
	struct pay_options o;
	struct pay_year y;
};

static int setup(void **state)
{
	static struct fixture f;

	pay_colmap_init(&f.m);
	if (pay_colmap_load(&f.m, NULL) != ST_OK)
		return -1;
	pay_options_init(&f.o);
	pay_year_init(&f.y);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pay_year_release(&f->y);
	pay_colmap_release(&f->m);
	return 0;
}

/* Reads one fixture with the fixture's options; returns the status. */
static enum status load(struct fixture *f, const char *path)
{
	pay_year_release(&f->y);
	return pay_read_year(&f->y, path, 0, &f->m, &f->o);
}

static const struct pay_practice *practice(const struct pay_year *y,
					   const char *code)
{
	for (size_t i = 0; i < y->n; i++)
		if (strcmp(pay_text(y, &y->p[i], PAY_PRACTICE_CODE), code) == 0)
			return &y->p[i];
	fail_msg("practice '%s' not found", code);
	return NULL;
}

static const struct pay_ccg *ccg(const struct pay_year *y, const char *code)
{
	for (size_t i = 0; i < y->n_ccgs; i++)
		if (strcmp(y->ccgs[i].code, code) == 0)
			return &y->ccgs[i];
	fail_msg("CCG '%s' not found", code);
	return NULL;
}

/* Loads a fixture that must fail; returns its diagnostics. */
static const char *load_failing(struct fixture *f, const char *path,
				enum status want)
{
	enum status st;

	capture_begin();
	st = load(f, path);
	assert_int_equal(st, want);
	return capture_end();
}

/*
 * Loads text as the file "16-17.csv" the table way (csv_read_mem(),
 * pay_layout_build(), pay_year_load()) into f->y; the CSV and the
 * layout must be good.  Returns what pay_year_load() returned.
 */
static enum status load_text(struct fixture *f, const char *text)
{
	struct csv_table t;
	struct pay_layout l;
	enum status st;

	csv_table_init(&t);
	pay_layout_init(&l);
	pay_year_release(&f->y);
	assert_int_equal(csv_read_mem(&t, "16-17.csv", text, strlen(text), NULL), ST_OK);
	assert_int_equal(pay_layout_build(&l, &t, &f->m, &f->o), ST_OK);
	st = pay_year_load(&f->y, &t, &l, 2016);
	pay_layout_release(&l);
	csv_table_release(&t);
	return st;
}

/* ------------------------------------------------------------------ */

static void test_payments_reads_bom_crlf_and_no_final_newline(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;
	const struct pay_ccg *c;

	assert_int_equal(load(f, FIX "16-17-bom-crlf.csv"), ST_OK);
	assert_int_equal(f->y.start, 2016);
	assert_string_equal(f->y.label, "2016/17");
	assert_int_equal(f->y.n, 3);

	/* A81001: Global Sum 300000.50 + MPIG 1200.00 + PMS balance 0 */
	p = practice(&f->y, "A81001");
	assert_string_equal(pay_text(&f->y, p, PAY_PRACTICE_NAME),
			    "The Densham Surgery, Stockton");
	assert_pence_eq(p->m[PAY_CORE_CONTRACT], 30120050);
	/* Minor Surgery 1500.25 + Total LES 800.00 */
	assert_pence_eq(p->m[PAY_ENHANCED_SERVICES], 230025);
	assert_pence_eq(p->m[PAY_MEMO_LOCAL_ES], 80000);
	assert_pence_eq(p->m[PAY_QOF], 4000000);
	assert_pence_eq(p->m[PAY_PREMISES], 2000000);
	assert_pence_eq(p->m[PAY_DISCRETIONARY], 100000);	/* Seniority */
	/* Childhood V&I 2500.10 (out of scope by default, and memo) */
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 250010);
	assert_pence_eq(p->m[PAY_MEMO_VI], 250010);
	assert_pence_eq(p->m[PAY_TOTAL_PUBLISHED], 36700085);
	assert_pence_eq(p->m[PAY_DEDUCTIONS], -4000000);
	/* lists: 4179 and 4513.21, in 10^-9 patients */
	assert_pence_eq(p->registered, 4179000000000LL);
	assert_pence_eq(p->weighted, 4513210000000LL);

	/*
	 * CCG 00K = A81001 + A81002 (zero list, N/A averages, only Other
	 * Payments 5000.00): out of scope 2500.10 + 5000.00 = 7500.10,
	 * total 367000.85 + 5000.00 = 372000.85.
	 */
	c = ccg(&f->y, "00K");
	assert_int_equal(c->practices, 2);
	assert_pence_eq(c->m[PAY_OUT_OF_SCOPE], 750010);
	assert_pence_eq(c->m[PAY_TOTAL_PUBLISHED], 37200085);
	assert_pence_eq(c->registered, 4179000000000LL);
	/* 00M = A81004 alone: core 500000.00 + 100000.00 PMS balance */
	c = ccg(&f->y, "00M");
	assert_pence_eq(c->m[PAY_CORE_CONTRACT], 60000000);
	assert_pence_eq(c->weighted, 9500500000000LL);
	/* England: 372000.85 + 712000.00 */
	assert_pence_eq(f->y.national.m[PAY_TOTAL_PUBLISHED], 108400085);
}

static void test_payments_reads_unknown_contract_type_and_na_averages(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;

	assert_int_equal(load(f, FIX "16-17-bom-crlf.csv"), ST_OK);
	p = practice(&f->y, "A81002");
	assert_int_equal(p->contract, PAY_CONTRACT_UNKNOWN);
	assert_int_equal(p->dispensing, PAY_DISPENSING_UNKNOWN);
	assert_pence_eq(p->registered, 0);
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 500000);
	assert_int_equal(practice(&f->y, "A81004")->contract, PAY_PMS);
	assert_int_equal(practice(&f->y, "A81004")->dispensing, PAY_DISPENSING_YES);
}

static void test_payments_maps_shifted_2022_23_labels_by_meaning(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;

	assert_int_equal(load(f, FIX "22-23-shifted-labels.csv"), ST_OK);
	p = practice(&f->y, "A81001");
	/* CCG Code, Sub ICB NAME, Code, CCG NAME */
	assert_string_equal(pay_text(&f->y, p, PAY_CCG_CODE), "16C");
	assert_string_equal(pay_text(&f->y, p, PAY_CCG_NAME),
			    "NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C");
	assert_string_equal(pay_text(&f->y, p, PAY_PCN_CODE), "U54321");
	assert_string_equal(pay_text(&f->y, p, PAY_PCN_NAME), "Stockton North PCN");
	/* Local Incentive Schemes 2500.00; Appraisal - Appraiser ... 150.00 */
	assert_pence_eq(p->m[PAY_ENHANCED_SERVICES], 250000);
	assert_pence_eq(p->m[PAY_DISCRETIONARY], 15000);
	/* winter Access Fund 3000.00 */
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 300000);
	/* right of the total: PCN Enhanced Access 1200.00, Long Covid 40.00 */
	assert_pence_eq(p->m[PAY_PCN_OUTSIDE], 120000);
	assert_pence_eq(p->m[PAY_COVID_OUTSIDE], 4000);
	assert_pence_eq(p->m[PAY_TOTAL_PUBLISHED], 31565000);
	/* list sizes are quarterly means from 2018/19: 4029.25 */
	assert_pence_eq(p->registered, 4029250000000LL);
}

static void test_payments_counts_local_es_once_in_2015_16(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;
	const struct pay_ccg *c;

	assert_int_equal(load(f, FIX "15-16-les-parts.csv"), ST_OK);
	/*
	 * C85001: NHAIS 1200.50 + ISFE 300.25 = Total LES 1500.75, counted
	 * once: enhanced 1500.75, not 3001.50.
	 */
	p = practice(&f->y, "C85001");
	assert_pence_eq(p->m[PAY_ENHANCED_SERVICES], 150075);
	assert_pence_eq(p->m[PAY_MEMO_LOCAL_ES], 150075);
	/* Doctors.Retainer.Scheme.Payments 500.00 + "Appraisal Costs " 300.00 */
	assert_pence_eq(p->m[PAY_DISCRETIONARY], 80000);
	/* 9 decimals: 5209.497299123 */
	assert_pence_eq(p->weighted, 5209497299123LL);
	/* the CCG: weighted 5209.497299123 + 2999.000000001 */
	c = ccg(&f->y, "02P");
	assert_pence_eq(c->weighted, 8208497299124LL);
	/* total 122400.84 + 59010.00 */
	assert_pence_eq(c->m[PAY_TOTAL_PUBLISHED], 18141084);
	assert_false(f->y.whole_pounds);
}

static void test_payments_rejects_local_es_parts_that_do_not_add_up(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(load_failing(f, FIX "15-16-les-parts-mismatch.csv", ST_DATA),
			    FIX "15-16-les-parts-mismatch.csv:2:109: error: practice "
			    "'C85001': the parts of the local enhanced services add up to "
			    "1500.74 but their total is 1500.75 (difference -0.01)\n");
}

static void test_payments_keeps_whole_pound_rounding_per_ccg(void **state)
{
	struct fixture *f = *state;
	const struct pay_ccg *c;

	assert_int_equal(load(f, FIX "14-15-whole-pounds.csv"), ST_OK);
	assert_true(f->y.whole_pounds);
	/*
	 * 02P: C85001 parts 1532 vs total 1534 (-2), C85003 2660 vs 2657
	 * (+3): net +£1 over 2 practices; 02Q adds up exactly.
	 */
	assert_int_equal(f->y.n_rounding, 1);
	assert_string_equal(f->y.pool + f->y.rounding[0].ccg, "02P");
	assert_int_equal(f->y.rounding[0].practices, 2);
	assert_pence_eq(f->y.rounding[0].diff, 100);
	/* totals are kept as published: 1534 + 2657 */
	c = ccg(&f->y, "02P");
	assert_pence_eq(c->m[PAY_TOTAL_PUBLISHED], 419100);
	/* and the parts as published: Global Sum 1000 + 2000, MPIG 50 */
	assert_pence_eq(c->m[PAY_CORE_CONTRACT], 305000);

	capture_begin();
	pay_report_rounding(&f->y, true);
	assert_string_equal(capture_end(),
			    FIX "14-15-whole-pounds.csv: note: CCG 02P: components differ "
			    "from published totals by £1 over 2 practices (whole-pound "
			    "rounding in the source)\n"
			    FIX "14-15-whole-pounds.csv: note: 2014/15: components differ "
			    "from published totals by £1 over 2 of 3 practices in 1 CCG "
			    "(whole-pound rounding in the source; totals are kept as "
			    "published)\n");
}

/*
 * Once a year's rows are formatted its practices go and its pool keeps
 * only the CCG codes and names: "" then "02P" "NHS BARNSLEY CCG" "02Q"
 * "NHS BASSETLAW CCG", each with its NUL, 1 + 4 + 17 + 4 + 18 = 44
 * bytes; the totals and the rounding note name the same CCGs as before.
 */
static void test_payments_dropping_practices_keeps_the_ccgs_and_notes(void **state)
{
	struct fixture *f = *state;
	const struct pay_ccg *c;

	assert_int_equal(load(f, FIX "14-15-whole-pounds.csv"), ST_OK);
	pay_year_drop_practices(&f->y);
	assert_null(f->y.p);
	assert_int_equal(f->y.n, 3);
	assert_int_equal(f->y.pool_len, 44);
	assert_int_equal(f->y.n_ccgs, 2);
	assert_string_equal(f->y.ccgs[0].code, "02P");
	assert_string_equal(f->y.ccgs[0].name, "NHS BARNSLEY CCG");
	assert_string_equal(f->y.ccgs[1].code, "02Q");
	assert_string_equal(f->y.ccgs[1].name, "NHS BASSETLAW CCG");
	c = ccg(&f->y, "02P");
	assert_pence_eq(c->m[PAY_TOTAL_PUBLISHED], 419100);
	assert_int_equal(f->y.n_rounding, 1);
	assert_string_equal(f->y.pool + f->y.rounding[0].ccg, "02P");
	capture_begin();
	pay_report_rounding(&f->y, true);
	assert_string_equal(capture_end(),
			    FIX "14-15-whole-pounds.csv: note: CCG 02P: components differ "
			    "from published totals by £1 over 2 practices (whole-pound "
			    "rounding in the source)\n"
			    FIX "14-15-whole-pounds.csv: note: 2014/15: components differ "
			    "from published totals by £1 over 2 of 3 practices in 1 CCG "
			    "(whole-pound rounding in the source; totals are kept as "
			    "published)\n");
}

static void test_payments_rejects_differences_rounding_cannot_explain(void **state)
{
	struct fixture *f = *state;

	/* 9 amounts in the total: at most 10 x 50p = £5 of rounding; £8 is not */
	assert_string_equal(load_failing(f, FIX "14-15-rounding-too-big.csv", ST_DATA),
			    FIX "14-15-rounding-too-big.csv:2:92: error: practice 'C85001': "
			    "the payments add up to 1532.00 but 'Total NHS Payments to "
			    "General Practice' is 1540.00 (difference -8.00, more than "
			    "whole-pound rounding explains)\n");
}

static void test_payments_reads_fractional_list_sizes(void **state)
{
	struct fixture *f = *state;
	const struct pay_ccg *c;

	assert_int_equal(load(f, FIX "18-19-fractional-lists.csv"), ST_OK);
	c = ccg(&f->y, "00K");
	/* 4095.25 + 2000.5 and 4512.75 + 2100.25 */
	assert_pence_eq(c->registered, 6095750000000LL);
	assert_pence_eq(c->weighted, 6613000000000LL);
	/* Total Local Incentive Schemes 1000.00 in enhanced; GPFV 500 + Other 0.50 out */
	assert_pence_eq(c->m[PAY_ENHANCED_SERVICES], 100000);
	assert_pence_eq(c->m[PAY_OUT_OF_SCOPE], 50050);
	assert_false(f->y.has[PAY_MEMO_VI]);	/* no V&I column in this file */
}

static void test_payments_keeps_columns_outside_the_total_apart(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;

	assert_int_equal(load(f, FIX "20-21-outside-total.csv"), ST_OK);
	p = practice(&f->y, "A81001");
	/* inside: 300000 + 40000 + PCN Participation 2000 = 342000 */
	assert_pence_eq(p->m[PAY_TOTAL_PUBLISHED], 34200000);
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 200000);
	/* outside: PCN Leadership 1500 + PCN Workforce 7000; covid 6000 + 1000 */
	assert_pence_eq(p->m[PAY_PCN_OUTSIDE], 850000);
	assert_pence_eq(p->m[PAY_COVID_OUTSIDE], 700000);
	assert_true(f->y.has[PAY_PCN_OUTSIDE]);
	assert_string_equal(pay_text(&f->y, p, PAY_PCN_NAME), "Stockton PCN");
}

static void test_payments_judgement_calls_move_columns(void **state)
{
	struct fixture *f = *state;
	const struct pay_practice *p;

	f->o.group_cat[PAY_GROUP_VI] = PAY_ENHANCED_SERVICES;
	f->o.group_cat[PAY_GROUP_LOCAL_ES] = PAY_OUT_OF_SCOPE;
	f->o.group_cat[PAY_GROUP_OTHER_PAYMENTS] = PAY_CORE_CONTRACT;
	assert_int_equal(load(f, FIX "16-17-bom-crlf.csv"), ST_OK);
	pay_options_init(&f->o);
	/* A81001: enhanced = Minor Surgery 1500.25 + V&I 2500.10 (LES out) */
	p = practice(&f->y, "A81001");
	assert_pence_eq(p->m[PAY_ENHANCED_SERVICES], 400035);
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 80000);
	/* the memos do not move */
	assert_pence_eq(p->m[PAY_MEMO_VI], 250010);
	assert_pence_eq(p->m[PAY_MEMO_LOCAL_ES], 80000);
	/* A81002: Other Payments 5000.00 now core */
	p = practice(&f->y, "A81002");
	assert_pence_eq(p->m[PAY_CORE_CONTRACT], 500000);
	assert_pence_eq(p->m[PAY_OUT_OF_SCOPE], 0);

	assert_int_equal(pay_options_set(&f->o, PAY_GROUP_PCN_PARTICIPATION,
					 "--pcn-participation", "enhanced"), 0);
	assert_int_equal(f->o.group_cat[PAY_GROUP_PCN_PARTICIPATION], PAY_ENHANCED_SERVICES);
	capture_begin();
	assert_int_equal(pay_options_set(&f->o, PAY_GROUP_VI, "--vi", "maybe"), -1);
	assert_string_equal(capture_end(),
			    "pcbudget: error: option '--vi': 'maybe' is not 'out' or 'in'\n");
	pay_options_init(&f->o);
}

static void test_payments_rejects_unknown_column_and_says_how_to_map_it(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(load_failing(f, FIX "16-17-unknown-column.csv", ST_DATA),
			    FIX "16-17-unknown-column.csv:1:481: error: unknown column "
			    "'Mystery Payments'\n"
			    FIX "16-17-unknown-column.csv:1:481: note: map it by adding a row "
			    "'mystery payments,<concept>,<category>' to a copy of the column "
			    "table (pcbudget import-payments --print-columns) and passing "
			    "that with --columns\n");
}

static void test_payments_locates_bad_rows(void **state)
{
	static const struct {
		const char *file;
		enum status st;
		const char *err;
	} cases[] = {
		{ "16-17-bad-amount.csv", ST_DATA,
		  "16-17-bad-amount.csv:3:90: error: column 'Global Sum': "
		  "'5000x0.00' is not an amount\n" },
		{ "16-17-duplicate-practice.csv", ST_DATA,
		  "16-17-duplicate-practice.csv:4:28: error: practice 'A81001' is "
		  "listed twice (first on line 2)\n" },
		{ "16-17-total-mismatch.csv", ST_DATA,
		  "16-17-total-mismatch.csv:3:148: error: practice 'A81004': the "
		  "payments add up to 712000.00 but 'Total NHS Payments to General "
		  "Practice' is 712000.01 (difference -0.01)\n" },
		{ "16-17-ragged.csv", ST_DATA,
		  "16-17-ragged.csv:3:178: error: row has 26 fields, the header has 25\n" },
		{ "16-17-unterminated.csv", ST_DATA,
		  "16-17-unterminated.csv:3:35: error: unterminated quoted field\n" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256], want[512];

		snprintf(path, sizeof(path), FIX "%s", cases[i].file);
		snprintf(want, sizeof(want), FIX "%s", cases[i].err);
		assert_string_equal(load_failing(f, path, cases[i].st), want);
		assert_int_equal(f->y.n, 0);	/* nothing kept */
	}
}

/*
 * Amounts that pass INT64_MAX pence when added: on one row, reported at
 * the cell that tipped the sum over; across rows, at the row where the
 * file's sum of parts passes it.
 */
static void test_payments_reports_amounts_too_large_to_add_up(void **state)
{
	static const char text[] =
		"CCG Code,CCG NAME,Practice Code,Number of Registered Patients (Last Known Figure),"
		"Number of Weighted Patients (Last Known Figure),Global Sum,MPIG Correction factor,"
		"Total NHS Payments to General Practice\n"
		"00K,NHS X CCG,A81001,10,10,92233720368547758.07,0.01,1.00\n"
		"00K,NHS X CCG,A81002,10,10,50000000000000000.00,0,50000000000000000.00\n"
		"00K,NHS X CCG,A81003,10,10,50000000000000000.00,0,50000000000000000.00\n";
	struct fixture *f = *state;

	capture_begin();
	assert_int_equal(load_text(f, text), ST_DATA);
	assert_string_equal(capture_end(),
			    "16-17.csv:2:49: error: column 'MPIG Correction factor': '0.01' makes the "
			    "amounts on this row too large to add up (over £92,233,720,368,547,758.07)\n"
			    "16-17.csv:4:1: error: the amounts of the file up to this row are too large "
			    "to add up (over £92,233,720,368,547,758.07)\n");
}

static void test_payments_takes_the_year_from_the_file_name(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(pay_year_from_name("../data/16-17.csv"), 2016);
	assert_int_equal(pay_year_from_name("payments-2019-20.csv"), 2019);
	assert_int_equal(pay_year_from_name("x/22-23-shifted-labels.csv"), 2022);
	assert_int_equal(pay_year_from_name("99-00.csv"), 2099);
	assert_int_equal(pay_year_from_name("16-18.csv"), -1);	/* not consecutive */
	assert_int_equal(pay_year_from_name("123-24.csv"), -1);
	assert_int_equal(pay_year_from_name("payments.csv"), -1);
	assert_int_equal(pay_year_from_name("16-17/payments.csv"), -1);	/* the file's name only */
	assert_int_equal(pay_parse_year("2016/17"), 2016);
	assert_int_equal(pay_parse_year("2016/18"), -1);
	assert_int_equal(pay_parse_year("16/17"), -1);
	assert_int_equal(pay_parse_year("2016/17x"), -1);
	pay_year_label(2099, buf);
	assert_string_equal(buf, "2099/00");
}

static void test_payments_reports_a_file_name_without_a_year(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(load_failing(f, FIX "badname.csv", ST_USAGE),
			    "pcbudget: error: cannot tell the financial year of '"
			    FIX "badname.csv' from its name; name it YY-YY.csv (e.g. "
			    "16-17.csv) or pass --year=2016/17\n");
	/* with the year given, the same file reads */
	pay_year_release(&f->y);
	assert_int_equal(pay_read_year(&f->y, FIX "badname.csv", 2016, &f->m, &f->o),
			 ST_OK);
	assert_int_equal(f->y.n, 1);
}

static void test_payments_column_table_is_checked(void **state)
{
	static const char bad[] =
		"header,concept,category,requires\n"
		"global sum,Global sum,core_contract,\n"
		"Global_Sum,Global sum again,core_contract,\n"
		"qof,QOF,quality,\n";
	struct pay_colmap m;
	struct csv_table t;

	(void)state;
	csv_table_init(&t);
	assert_int_equal(csv_read_mem(&t, "map.csv", bad, sizeof(bad) - 1, NULL), ST_OK);
	pay_colmap_init(&m);
	capture_begin();
	assert_int_equal(pay_colmap_from_table(&m, &t), ST_CONFIG);
	assert_string_equal(capture_end(),
			    "map.csv:3:1: error: 'global sum' is already mapped on line 2\n"
			    "map.csv:4:9: error: unknown category 'quality' (known: "
			    "region_code ccg_code ccg_name pcn_code pcn_name practice_code "
			    "practice_name contract_type dispensing registered_patients "
			    "weighted_patients core_contract enhanced_services qof premises "
			    "discretionary out_of_scope vi local_es pcn_participation "
			    "other_payments local_es_part total deductions outside_total_pcn "
			    "outside_total_covid derived info)\n");
	csv_table_release(&t);
}

static void test_payments_builtin_table_knows_every_published_header(void **state)
{
	struct fixture *f = *state;
	char path[512];
	const char *dir = test_data_dir();
	static const char *const files[] = {
		"14-15.csv", "15-16.csv", "16-17.csv", "17-18.csv", "18-19.csv",
		"19-20.csv", "20-21.csv", "21-22.csv", "22-23.csv",
	};

	if (!dir) {
		printf("skipped: real data not found\n");
		return;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct csv_table t;
		struct pay_layout l;

		snprintf(path, sizeof(path), "%s/nhs-payments/%s", dir, files[i]);
		csv_table_init(&t);
		pay_layout_init(&l);
		assert_int_equal(csv_read_file(&t, path, NULL), ST_OK);
		assert_int_equal(pay_layout_build(&l, &t, &f->m, &f->o), ST_OK);
		/* the 2022/23 labels resolve by meaning */
		if (strcmp(files[i], "22-23.csv") == 0) {
			assert_int_equal(l.text_col[PAY_CCG_NAME], csv_find_col(&t, "sub icb name"));
			assert_int_equal(l.text_col[PAY_PCN_CODE], csv_find_col(&t, "code"));
			assert_int_equal(l.text_col[PAY_PCN_NAME], csv_find_col(&t, "ccg name"));
		}
		pay_layout_release(&l);
		csv_table_release(&t);
	}
}

/* Reads path the old way, as one table, then loads it (pay_year_load()). */
static enum status load_as_table(struct fixture *f, struct pay_year *y,
				 const char *path)
{
	struct csv_table t;
	struct pay_layout l;
	enum status st;

	csv_table_init(&t);
	pay_layout_init(&l);
	st = csv_read_file(&t, path, NULL);
	if (st == ST_OK)
		st = pay_layout_build(&l, &t, &f->m, &f->o);
	if (st == ST_OK)
		st = pay_year_load(y, &t, &l, pay_year_from_name(path));
	pay_layout_release(&l);
	csv_table_release(&t);
	return st;
}

/* Fails unless the two loads of one file hold the same practices and sums. */
static void expect_same_year(const struct pay_year *a, const struct pay_year *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->n_ccgs, b->n_ccgs);
	assert_int_equal(a->whole_pounds, b->whole_pounds);
	assert_int_equal(a->has_pcn, b->has_pcn);
	assert_memory_equal(a->has, b->has, sizeof(a->has));
	assert_int_equal(a->parts_sum, b->parts_sum);
	/* the same strings added in the same order: the same offsets */
	assert_int_equal(a->pool_len, b->pool_len);
	assert_memory_equal(a->pool, b->pool, a->pool_len);
	for (size_t i = 0; i < a->n; i++) {
		const struct pay_practice *p = &a->p[i], *q = &b->p[i];

		assert_memory_equal(p->text, q->text, sizeof(p->text));
		assert_int_equal(p->line, q->line);
		assert_int_equal(p->contract, q->contract);
		assert_int_equal(p->dispensing, q->dispensing);
		assert_int_equal(p->registered, q->registered);
		assert_int_equal(p->weighted, q->weighted);
		assert_memory_equal(p->m, q->m, sizeof(p->m));
	}
	for (size_t i = 0; i < a->n_ccgs; i++) {
		assert_string_equal(a->ccgs[i].code, b->ccgs[i].code);
		assert_int_equal(a->ccgs[i].practices, b->ccgs[i].practices);
		assert_memory_equal(a->ccgs[i].m, b->ccgs[i].m, sizeof(a->ccgs[i].m));
	}
	assert_memory_equal(a->national.m, b->national.m, sizeof(a->national.m));
	assert_int_equal(a->n_rounding, b->n_rounding);
	for (size_t i = 0; i < a->n_rounding; i++) {
		assert_int_equal(a->rounding[i].ccg, b->rounding[i].ccg);
		assert_int_equal(a->rounding[i].practices, b->rounding[i].practices);
		assert_int_equal(a->rounding[i].diff, b->rounding[i].diff);
	}
}

/*
 * pay_read_year() streams a file row by row; the table path reads it
 * whole first.  Both must give the same year and the same messages, for
 * every fixture (good and bad) and, where present, every published file.
 */
static void test_payments_streamed_file_loads_as_the_whole_table_does(void **state)
{
	static const char *const fixtures[] = {
		"14-15-rounding-too-big.csv", "14-15-whole-pounds.csv",
		"15-16-les-parts-mismatch.csv", "15-16-les-parts.csv",
		"16-17-bad-amount.csv", "16-17-bom-crlf.csv",
		"16-17-duplicate-practice.csv", "16-17-ragged.csv",
		"16-17-total-mismatch.csv", "16-17-unknown-column.csv",
		"16-17-unterminated.csv", "18-19-fractional-lists.csv",
		"20-21-outside-total.csv", "22-23-shifted-labels.csv",
		"budget/16-17.csv", "history/15-16.csv",
	};
	static const char *const published[] = {
		"14-15.csv", "15-16.csv", "16-17.csv", "17-18.csv", "18-19.csv",
		"19-20.csv", "20-21.csv", "21-22.csv", "22-23.csv",
	};
	const size_t n_fix = sizeof(fixtures) / sizeof(fixtures[0]);
	const size_t n_pub = sizeof(published) / sizeof(published[0]);
	struct fixture *f = *state;
	const char *dir = test_data_dir();

	for (size_t i = 0; i < n_fix + (dir ? n_pub : 0); i++) {
		struct pay_year table;
		enum status st_table, st_stream;
		char path[512], *diag_table;

		if (i < n_fix)
			snprintf(path, sizeof(path), FIX "%s", fixtures[i]);
		else
			snprintf(path, sizeof(path), "%s/nhs-payments/%s", dir,
				 published[i - n_fix]);
		pay_year_init(&table);
		capture_begin();
		st_table = load_as_table(f, &table, path);
		diag_table = strdup(capture_end());
		capture_begin();
		st_stream = load(f, path);
		if (st_stream != st_table)
			fail_msg("%s: stream %d, table %d", path, st_stream, st_table);
		assert_string_equal(capture_end(), diag_table);
		if (st_table == ST_OK)
			expect_same_year(&table, &f->y);
		free(diag_table);
		pay_year_release(&table);
	}
	if (!dir)
		printf("published files skipped: real data not found\n");
}

/* The header of 16-17-total-mismatch.csv, for files made by the tests. */
static const char mismatch_header[] =
	"NHS England (Region) code,CCG Code,CCG NAME,Practice Code,Practice Name,"
	"Contract Type,Dispensing Practice,Number of Registered Patients (Last "
	"Known Figure),Number of Weighted Patients (Last Known Figure),Average "
	"payments per registered patient,Average payments per weighted patient,"
	"Global Sum,MPIG Correction factor,Balance of PMS Expenditure,Minor "
	"Surgery,Total Local Enhanced Services,Childhood Vaccination and "
	"Immunisation Scheme,Total QOF Payments,Premises Payments,Seniority,Other "
	"Payments,Prescribing Fee Payments,Total NHS Payments to General Practice,"
	"\"Deductions for Pensions, Levies and Prescription Charge Income\",Total "
	"NHS Payments to General Practice Minus Deductions\n";

/* Writes header and rows to DIR/16-17.csv in a new directory dir. */
static void write_year_file(char *dir, char *path, size_t size, const char *rows)
{
	FILE *out;

	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/16-17.csv", dir);
	out = fopen(path, "w");
	assert_non_null(out);
	fputs(mismatch_header, out);
	fputs(rows, out);
	assert_int_equal(fclose(out), 0);
}

/*
 * A row read straight from its line (pay_load_plain(): not the last
 * line) whose parts miss its total is reported as from cells: at the
 * total's cell, line 2 column 148 here (the line is the last row of
 * 16-17-total-mismatch.csv, moved up, and the total is its 23rd field).
 */
static void test_payments_plain_line_mismatch_is_reported_at_its_cell(void **state)
{
	static const char rows[] =
		"Q74,00M,NHS SOUTH TEES CCG,A81004,Acklam Medical Centre,PMS,Yes,9000,"
		"9500.5,100.00,94.73,500000.00,0,100000.00,0,0,0,80000.00,30000.00,0,0,"
		"2000.00,712000.01,-60000.00,652000.00\n"
		"Q74,00K,NHS HARTLEPOOL CCG,A81001,\"The Densham Surgery, Stockton\",GMS,"
		"No,4179,4513.21,148.10,137.14,300000.50,1200.00,0,1500.25,800.00,"
		"2500.10,40000.00,20000.00,1000.00,0,0,367000.85,-40000.00,327000.85\n";
	struct fixture *f = *state;
	char dir[] = "/tmp/pcbudget-plain-XXXXXX", path[64], want[512];
	struct pay_year table;

	write_year_file(dir, path, sizeof(path), rows);
	snprintf(want, sizeof(want), "%s:2:148: error: practice 'A81004': the "
		 "payments add up to 712000.00 but 'Total NHS Payments to General "
		 "Practice' is 712000.01 (difference -0.01)\n", path);
	capture_begin();
	assert_int_equal(load(f, path), ST_DATA);
	assert_string_equal(capture_end(), want);
	pay_year_init(&table);
	capture_begin();
	assert_int_equal(load_as_table(f, &table, path), ST_DATA);
	assert_string_equal(capture_end(), want);
	pay_year_release(&table);
	unlink(path);
	rmdir(dir);
}

/*
 * Quoted fields on a plain line are read without their quotes, a comma
 * inside them is text, and a quoted amount is an amount: the name of
 * A81001 and its Global Sum, written "300000.50", as the cells give
 * them.  A field with a doubled quote, or one that goes on to the next
 * line, is left to the cells (the doubled quote is read as one, the line
 * end kept).  The year is the table's, row for row.
 */
static void test_payments_plain_line_reads_quoted_fields(void **state)
{
	static const char rows[] =
		"Q74,00K,NHS HARTLEPOOL CCG,A81001,\"The Densham Surgery, Stockton\",GMS,"
		"No,4179,4513.21,148.10,137.14,\"300000.50\",1200.00,0,1500.25,800.00,"
		"2500.10,40000.00,20000.00,1000.00,0,0,367000.85,-40000.00,327000.85\n"
		"Q74,00M,NHS SOUTH TEES CCG,A81004,\"Acklam \"\"Medical\"\" Centre\",PMS,"
		"Yes,9000,9500.5,100.00,94.73,500000.00,0,100000.00,0,0,0,80000.00,"
		"30000.00,0,0,2000.00,712000.00,-60000.00,652000.00\n"
		"Q74,00M,NHS SOUTH TEES CCG,A81005,\"Mar\nton\",PMS,Yes,9000,9500.5,100.00,"
		"94.73,500000.00,0,100000.00,0,0,0,80000.00,30000.00,0,0,2000.00,"
		"712000.00,-60000.00,652000.00\n"
		"Q74,00M,NHS SOUTH TEES CCG,A81006,Filler,PMS,Yes,1,1,1,1,0,0,0,0,0,0,0,"
		"0,0,0,0,0,0,0\n";
	struct fixture *f = *state;
	char dir[] = "/tmp/pcbudget-quoted-XXXXXX", path[64];
	struct pay_year table;

	write_year_file(dir, path, sizeof(path), rows);
	assert_int_equal(load(f, path), ST_OK);
	assert_int_equal(f->y.n, 4);
	assert_string_equal(pay_text(&f->y, &f->y.p[0], PAY_PRACTICE_NAME),
			    "The Densham Surgery, Stockton");
	assert_pence_eq(f->y.p[0].m[PAY_CORE_CONTRACT], 30000050 + 120000);
	assert_string_equal(pay_text(&f->y, &f->y.p[1], PAY_PRACTICE_NAME),
			    "Acklam \"Medical\" Centre");
	assert_string_equal(pay_text(&f->y, &f->y.p[2], PAY_PRACTICE_NAME), "Mar\nton");
	pay_year_init(&table);
	assert_int_equal(load_as_table(f, &table, path), ST_OK);
	expect_same_year(&table, &f->y);
	pay_year_release(&table);
	unlink(path);
	rmdir(dir);
}

/*
 * max_rows only sizes the first allocations: a loader told to expect
 * one row takes 300 (the practice set grows six times over, 16 slots
 * to 1024) and still finds a practice listed twice, at column 15
 * ("00K,NHS X CCG," is 14 bytes).  Each row pays 1.00 in Global Sum, so
 * the CCG's total is 300.00.
 */
static void test_payments_loader_takes_more_rows_than_its_hint(void **state)
{
	struct fixture *f = *state;
	struct csv_table t;
	struct pay_layout l;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	fputs("CCG Code,CCG NAME,Practice Code,Number of Registered Patients (Last Known Figure),"
	      "Number of Weighted Patients (Last Known Figure),Global Sum,"
	      "Total NHS Payments to General Practice\n", mem);
	for (int i = 1; i <= 300; i++)
		fprintf(mem, "00K,NHS X CCG,P%05d,10,10,1.00,1.00\n", i);
	fputs("00K,NHS X CCG,P00007,10,10,1.00,1.00\n", mem);	/* line 302 */
	fclose(mem);

	for (int dup = 0; dup < 2; dup++) {
		struct pay_loader *ld;
		size_t rows;

		csv_table_init(&t);
		pay_layout_init(&l);
		pay_year_release(&f->y);
		assert_int_equal(csv_read_mem(&t, "16-17.csv", text, len, NULL), ST_OK);
		assert_int_equal(pay_layout_build(&l, &t, &f->m, &f->o), ST_OK);
		rows = dup ? t.n_rows : t.n_rows - 1;
		capture_begin();
		ld = pay_load_begin(&f->y, &t, &l, 2016, 1);
		for (size_t r = 0; r < rows; r++)
			assert_true(pay_load_row(ld, csv_at(&t, r, 0)));
		if (dup) {
			assert_int_equal(pay_load_end(ld, ST_OK), ST_DATA);
			assert_string_equal(capture_end(),
					    "16-17.csv:302:15: error: practice 'P00007' is "
					    "listed twice (first on line 8)\n");
		} else {
			assert_int_equal(pay_load_end(ld, ST_OK), ST_OK);
			assert_string_equal(capture_end(), "");
			assert_int_equal(f->y.n, 300);
			assert_int_equal(f->y.n_ccgs, 1);
			assert_pence_eq(f->y.ccgs[0].m[PAY_TOTAL_PUBLISHED], 30000);
			assert_pence_eq(f->y.ccgs[0].m[PAY_CORE_CONTRACT], 30000);
			assert_string_equal(pay_text(&f->y, &f->y.p[299], PAY_PRACTICE_CODE),
					    "P00300");
		}
		pay_layout_release(&l);
		csv_table_release(&t);
	}
	free(text);
}

/*
 * Practices come out by CCG code, then practice code, whatever order
 * the file lists them in: here CCGs interleave and, within 00K, the
 * codes run backwards (the published files list them by practice code,
 * which the sort takes as it comes).  Each row pays its own amount, so
 * the CCG totals show the rows were kept with their amounts.
 */
static void test_payments_sorts_practices_by_ccg_then_code_whatever_the_file_order(void **state)
{
	static const char text[] =
		"CCG Code,CCG NAME,Practice Code,Number of Registered Patients (Last Known Figure),"
		"Number of Weighted Patients (Last Known Figure),Global Sum,"
		"Total NHS Payments to General Practice\n"
		"00M,NHS M CCG,A81001,10,10,1.00,1.00\n"
		"00K,NHS K CCG,C81009,10,10,2.00,2.00\n"
		"00M,NHS M CCG,A81000,10,10,4.00,4.00\n"
		"00K,NHS K CCG,B81005,10,10,8.00,8.00\n"
		"00K,NHS K CCG,A81007,10,10,16.00,16.00\n"
		"00A,NHS A CCG,Z99999,10,10,32.00,32.00\n";
	static const char *const want[][2] = {
		{ "00A", "Z99999" }, { "00K", "A81007" }, { "00K", "B81005" },
		{ "00K", "C81009" }, { "00M", "A81000" }, { "00M", "A81001" },
	};
	struct fixture *f = *state;

	assert_int_equal(load_text(f, text), ST_OK);
	assert_int_equal(f->y.n, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(pay_text(&f->y, &f->y.p[i], PAY_CCG_CODE), want[i][0]);
		assert_string_equal(pay_text(&f->y, &f->y.p[i], PAY_PRACTICE_CODE), want[i][1]);
	}
	assert_int_equal(f->y.n_ccgs, 3);
	assert_pence_eq(f->y.ccgs[0].m[PAY_TOTAL_PUBLISHED], 3200);	/* 00A: 32.00 */
	assert_pence_eq(f->y.ccgs[1].m[PAY_TOTAL_PUBLISHED], 2600);	/* 00K: 2 + 8 + 16 */
	assert_pence_eq(f->y.ccgs[2].m[PAY_TOTAL_PUBLISHED], 500);	/* 00M: 1 + 4 */
	assert_string_equal(f->y.ccgs[1].name, "NHS K CCG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payments_reads_bom_crlf_and_no_final_newline),
		cmocka_unit_test(test_payments_reads_unknown_contract_type_and_na_averages),
		cmocka_unit_test(test_payments_maps_shifted_2022_23_labels_by_meaning),
		cmocka_unit_test(test_payments_counts_local_es_once_in_2015_16),
		cmocka_unit_test(test_payments_rejects_local_es_parts_that_do_not_add_up),
		cmocka_unit_test(test_payments_keeps_whole_pound_rounding_per_ccg),
		cmocka_unit_test(test_payments_dropping_practices_keeps_the_ccgs_and_notes),
		cmocka_unit_test(test_payments_rejects_differences_rounding_cannot_explain),
		cmocka_unit_test(test_payments_reads_fractional_list_sizes),
		cmocka_unit_test(test_payments_keeps_columns_outside_the_total_apart),
		cmocka_unit_test(test_payments_judgement_calls_move_columns),
		cmocka_unit_test(test_payments_rejects_unknown_column_and_says_how_to_map_it),
		cmocka_unit_test(test_payments_locates_bad_rows),
		cmocka_unit_test(test_payments_reports_amounts_too_large_to_add_up),
		cmocka_unit_test(test_payments_takes_the_year_from_the_file_name),
		cmocka_unit_test(test_payments_reports_a_file_name_without_a_year),
		cmocka_unit_test(test_payments_column_table_is_checked),
		cmocka_unit_test(test_payments_builtin_table_knows_every_published_header),
		cmocka_unit_test(test_payments_streamed_file_loads_as_the_whole_table_does),
		cmocka_unit_test(test_payments_plain_line_mismatch_is_reported_at_its_cell),
		cmocka_unit_test(test_payments_plain_line_reads_quoted_fields),
		cmocka_unit_test(test_payments_loader_takes_more_rows_than_its_hint),
		cmocka_unit_test(test_payments_sorts_practices_by_ccg_then_code_whatever_the_file_order),
	};

	return cmocka_run_group_tests_name("payments", tests, setup, teardown);
}

/*
 * test_report.c - the whole report folder from a representative document
 * with hostile input text: CSV neutralisation (TEXT only), HTML and
 * Markdown escaping, the workbook read back from its XML, manifest
 * hashes against sha256sum, determinism, and the previous report
 * surviving a run that fails midway.
 *
 * With PCBUDGET_SAMPLE_REPORT=DIR set, the program instead only writes
 * the sample folder to DIR (tests/scripts/browser.sh renders its
 * report.html).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "report.h"
#include "reportdir.h"
#include "svg.h"
#include "xalloc.h"

#define STARTED 1496307600	/* date -u -d 2017-06-01T09:00:00 +%s */
#define FINISHED 1496307725	/* 2017-06-01T09:02:05Z */

enum { T_SUMMARY, T_CATEGORIES, T_PRACTICES, T_HISTORY, T_PROJECTIONS,
       T_RISK, T_CONTRACTS, T_BACKTEST, T_PARAMETERS, N_TABLES };

struct sample {
	char root[64];
	char *input;		/* a fake input file */
	char *params;		/* a fake parameter file */
	struct rtable *t[N_TABLES];
	struct report_doc doc;
	struct report_input inputs[2];
	struct report_total totals[1];
	struct report_param par[3];
	struct report_kv info[2];
	char *argv[4];
	struct report_manifest man;
};

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Output of a shell command (its stdout), or NULL if it failed. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;
	char chunk[4096];

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		ALLOC_GROW(buf, len + n + 1, alloc);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	if (pclose(p) != 0) {
		free(buf);
		return NULL;
	}
	if (!buf)
		buf = xstrdup("");
	else
		buf[len] = '\0';
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ------------------------------------------------------------------ */
/* the sample document                                                  */

static const char *const categories[] = {
	"Core contract", "=HYPERLINK(\"x\")", "<script>alert(1)</script>", "-12.50"
};

static void build_tables(struct sample *s)
{
	struct rtable *t;
	size_t r;

	/* summary */
	t = s->t[T_SUMMARY] = rtable_new("summary", "Summary");
	rtable_add_col(t, "figure", "Figure", RCOL_TEXT, 0);
	rtable_add_col(t, "amount", "Amount (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "share", "Share of allocation", RCOL_PERCENT, 1);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "Allocation");
	rtable_set_money(t, r, 1, 1400000000);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "Planned spend");
	rtable_set_money(t, r, 1, 1350000050);
	rtable_set_percent(t, r, 2, 1350000050.0 / 1400000000.0);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "Probability of overspend");
	rtable_set_percent(t, r, 2, 0.125);

	/* categories by CCG: the hostile names live here */
	t = s->t[T_CATEGORIES] = rtable_new("categories", "Budget by category");
	rtable_add_col(t, "ccg", "CCG", RCOL_CODE, 0);
	rtable_add_col(t, "category", "Category", RCOL_TEXT, 0);
	rtable_add_col(t, "prior", "2016/17 actual (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "budget", "2017/18 budget (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "change", "Change", RCOL_PERCENT, 1);
	{
		static const int64_t prior[] = { 1000000000, 250000000, 50000000, -1250 };
		static const int64_t budget[] = { 1042000000, 260000050, 48000000, 0 };
		static const int64_t ppm[] = { 42000, 40000, -40000, 0 };

		for (size_t i = 0; i < 4; i++) {
			r = rtable_add_row(t);
			rtable_set_text(t, r, 0, "00C");
			rtable_set_text(t, r, 1, categories[i]);
			rtable_set_money(t, r, 2, prior[i]);
			rtable_set_money(t, r, 3, budget[i]);
			if (i < 3)
				rtable_set_percent_ppm(t, r, 4, ppm[i]);
		}
	}
	r = rtable_add_row(t);
	rtable_set_row_flags(t, r, RROW_TOTAL);
	rtable_set_text(t, r, 0, "00C");
	rtable_set_text(t, r, 1, "Total");
	rtable_set_money(t, r, 2, 1299998750);	/* sum of the four above */
	rtable_set_money(t, r, 3, 1350000050);
	rtable_set_note(t, "Source: sample data for the report tests.");

	/* practices: 40, one hostile name, two outliers */
	t = s->t[T_PRACTICES] = rtable_new("practices", "Practices");
	rtable_add_col(t, "code", "Practice", RCOL_CODE, 0);
	rtable_add_col(t, "name", "Name", RCOL_TEXT, 0);
	rtable_add_col(t, "weighted_list", "Weighted list", RCOL_FIXED, 6);
	rtable_add_col(t, "per_weighted_patient", "£ per weighted patient",
		       RCOL_MONEY, 0);
	for (int i = 0; i < 40; i++) {
		char code[16], name[64];
		int64_t pence = 14000 + (i * 7919) % 3000;	/* £140.00-£169.99 */

		if (i == 7)
			pence = 31050;
		if (i == 23)
			pence = 4020;
		snprintf(code, sizeof(code), "Y%05d", 1000 + i);
		snprintf(name, sizeof(name), "Practice %d", i);
		r = rtable_add_row(t);
		rtable_set_text(t, r, 0, code);
		rtable_set_text(t, r, 1, i == 3 ? "<img src=x onerror=alert(1)>" :
				i == 4 ? "@SUM(A1)" : name);
		rtable_set_fixed(t, r, 2, 5000000000 + (int64_t)i * 123456789);
		rtable_set_money(t, r, 3, pence);
	}

	/* history: 3 years x 4 categories */
	t = s->t[T_HISTORY] = rtable_new("history", "Category history");
	rtable_add_col(t, "year", "Year", RCOL_CODE, 0);
	rtable_add_col(t, "category", "Category", RCOL_TEXT, 0);
	rtable_add_col(t, "amount", "Amount (£)", RCOL_MONEY, 0);
	for (int y = 0; y < 3; y++)
		for (int c = 0; c < 4; c++) {
			static const char *const yrs[] = { "2014/15", "2015/16", "2016/17" };

			r = rtable_add_row(t);
			rtable_set_text(t, r, 0, yrs[y]);
			rtable_set_text(t, r, 1, categories[c]);
			rtable_set_money(t, r, 2, (int64_t)(4 - c) * 250000000 +
					 (int64_t)y * 10000000);
		}

	/* projections */
	t = s->t[T_PROJECTIONS] = rtable_new("projections", "Projected spend");
	rtable_add_col(t, "year", "Year", RCOL_CODE, 0);
	rtable_add_col(t, "p2_5", "2.5%", RCOL_MONEY, 0);
	rtable_add_col(t, "p10", "10%", RCOL_MONEY, 0);
	rtable_add_col(t, "median", "Median", RCOL_MONEY, 0);
	rtable_add_col(t, "p90", "90%", RCOL_MONEY, 0);
	rtable_add_col(t, "p97_5", "97.5%", RCOL_MONEY, 0);
	rtable_add_col(t, "allocation", "Allocation", RCOL_MONEY, 0);
	for (int y = 0; y < 3; y++) {
		static const char *const yrs[] = { "2017/18", "2018/19", "2019/20" };
		int64_t med = 1350000050 + (int64_t)y * 50000000;
		int64_t w = (int64_t)(y + 1) * 20000000;

		r = rtable_add_row(t);
		rtable_set_text(t, r, 0, yrs[y]);
		rtable_set_money(t, r, 1, med - 2 * w);
		rtable_set_money(t, r, 2, med - w);
		rtable_set_money(t, r, 3, med);
		rtable_set_money(t, r, 4, med + w);
		rtable_set_money(t, r, 5, med + 2 * w);
		rtable_set_money(t, r, 6, 1400000000 + (int64_t)y * 56000000);
	}

	/* risk drivers */
	t = s->t[T_RISK] = rtable_new("risk", "Risk drivers");
	rtable_add_col(t, "driver", "Driver", RCOL_TEXT, 0);
	rtable_add_col(t, "low", "Spend at P10 (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "high", "Spend at P90 (£)", RCOL_MONEY, 0);
	{
		static const char *const d[] = { "List growth", "QOF achievement",
						 "Premises pipeline", "Locum claims" };
		static const int64_t lo[] = { 1330000000, 1340000000, 1345000000, 1348000000 };
		static const int64_t hi[] = { 1380000000, 1360000000, 1370000000, 1352000000 };

		for (int i = 0; i < 4; i++) {
			r = rtable_add_row(t);
			rtable_set_text(t, r, 0, d[i]);
			rtable_set_money(t, r, 1, lo[i]);
			rtable_set_money(t, r, 2, hi[i]);
		}
	}

	/* contracts ending soon */
	t = s->t[T_CONTRACTS] = rtable_new("contracts", "Contracts ending soon");
	rtable_add_col(t, "practice", "Practice", RCOL_CODE, 0);
	rtable_add_col(t, "contract", "Contract", RCOL_TEXT, 0);
	rtable_add_col(t, "ends", "Ends", RCOL_DATE, 0);
	rtable_add_col(t, "value", "Annual value (£)", RCOL_MONEY, 0);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "Y01003");
	rtable_set_text(t, r, 1, "APMS \"walk-in\" centre, Leeds");
	rtable_set_date(t, r, 2, 17621);	/* 2018-03-31 */
	rtable_set_money(t, r, 3, 123456789);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "Y01010");
	rtable_set_text(t, r, 1, "+44 list\nsecond line");
	rtable_set_date(t, r, 2, 17439);	/* 2017-09-30 */
	rtable_set_money(t, r, 3, 9900000);

	/* backtest */
	t = s->t[T_BACKTEST] = rtable_new("backtest", "Backtest");
	rtable_add_col(t, "year", "Year", RCOL_CODE, 0);
	rtable_add_col(t, "predicted", "Predicted (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "actual", "Actual (£)", RCOL_MONEY, 0);
	rtable_add_col(t, "error", "Error", RCOL_PERCENT, 1);
	r = rtable_add_row(t);
	rtable_set_text(t, r, 0, "2016/17");
	rtable_set_money(t, r, 1, 1290000000);
	rtable_set_money(t, r, 2, 1299998750);
	rtable_set_percent(t, r, 3, -0.0077);

	/* parameters */
	t = s->t[T_PARAMETERS] = rtable_new("parameters", "Parameters");
	rtable_add_col(t, "section", "Section", RCOL_CODE, 0);
	rtable_add_col(t, "key", "Key", RCOL_CODE, 0);
	rtable_add_col(t, "value", "Value", RCOL_TEXT, 0);
	rtable_add_col(t, "origin", "Origin", RCOL_TEXT, 0);
	for (int i = 0; i < 3; i++) {
		static const char *const k[][4] = {
			{ "2017/18", "global_sum", "85.35", "default" },
			{ "risk", "iterations", "10000", "params.ini:4" },
			{ "run", "note", "=cmd|' /C calc'!A0", "params.ini:9" },
		};

		r = rtable_add_row(t);
		for (size_t c = 0; c < 4; c++)
			rtable_set_text(t, r, c, k[i][c]);
	}
}

static void build_doc(struct sample *s)
{
	struct report_doc *d = &s->doc;
	struct sbuf sb;
	size_t sec;

	report_doc_init(d, "Delegated budget 2017/18: <Demo> CCG");
	report_doc_set_subtitle(d, "Dataset \"demo\" & friends");
	d->generated = STARTED;
	report_doc_add_money(d, "Allocation", 1400000000, NULL, REPORT_TONE_NEUTRAL);
	report_doc_add_money(d, "Planned spend", 1350000050, "contract + ES + QOF + premises + other",
			     REPORT_TONE_NEUTRAL);
	report_doc_add_money(d, "Contingency", 7000000, "0.5% of allocation", REPORT_TONE_NEUTRAL);
	report_doc_add_money(d, "Reserve", 14000000, "1% non-recurrent", REPORT_TONE_NEUTRAL);
	report_doc_add_money(d, "Headroom", 28999950, NULL, REPORT_TONE_GOOD);
	report_doc_add_percent(d, "Probability of overspend", 0.125, "10,000 simulations",
			       REPORT_TONE_BAD);
	report_doc_add_flag(d, REPORT_ALERT, "Practice <img src=x onerror=alert(1)> funding is 2x the median");
	report_doc_add_flag(d, REPORT_WARNING, "APMS contract at Y01003 ends 2018-03-31");
	report_doc_add_flag(d, REPORT_NOTE, "=HYPERLINK(\"x\") is a category name");

	sec = report_doc_add_section(d, "Budget by category", true);
	report_doc_add_para(d, sec, "The budget follows the transfer methodology:\n"
			    "1. core contract\n- enhanced services & <QOF>");
	report_doc_add_table(d, sec, s->t[T_CATEGORIES], 0);
	{
		static const char *const yrs[] = { "2014/15", "2015/16", "2016/17", "2017/18" };
		double v[16], line[4] = { SVG_NONE, SVG_NONE, SVG_NONE, 14000000 };
		bool bud[4] = { false, false, false, true };
		struct svg_stacked c = {
			.title = "Category history and budget", .unit = SVG_UNIT_GBP,
			.n_x = 4, .x_labels = yrs, .n_series = 4,
			.series_labels = categories, .values = v, .is_budget = bud,
			.line = line, .line_label = "Allocation",
		};

		for (int y = 0; y < 3; y++)
			for (int k = 0; k < 4; k++)
				v[y * 4 + k] = (double)((4 - k) * 250000000 + y * 10000000) / 100;
		v[12] = 10420000;
		v[13] = 2600000.5;
		v[14] = 480000;
		v[15] = 0;
		sbuf_init(&sb);
		svg_stacked_bars(&sb, &c);
		report_doc_take_chart(d, sec, "History by category, and the 2017/18 budget against the allocation.",
				      sbuf_detach(&sb, NULL));
	}

	sec = report_doc_add_section(d, "Projected spend", false);
	{
		static const char *const yrs[] = { "2014/15", "2015/16", "2016/17",
						   "2017/18", "2018/19", "2019/20" };
		double act[6] = { 12.8e6, 12.9e6, 13.0e6, SVG_NONE, SVG_NONE, SVG_NONE };
		double med[6] = { SVG_NONE, SVG_NONE, 13.0e6, 13.5e6, 14.0e6, 14.5e6 };
		double l80[6] = { SVG_NONE, SVG_NONE, 13.0e6, 13.3e6, 13.6e6, 13.9e6 };
		double h80[6] = { SVG_NONE, SVG_NONE, 13.0e6, 13.7e6, 14.4e6, 15.1e6 };
		double l95[6] = { SVG_NONE, SVG_NONE, 13.0e6, 13.1e6, 13.2e6, 13.3e6 };
		double h95[6] = { SVG_NONE, SVG_NONE, 13.0e6, 13.9e6, 14.8e6, 15.7e6 };
		double al[6] = { SVG_NONE, SVG_NONE, SVG_NONE, 14.0e6, 14.56e6, 15.12e6 };
		struct svg_fan c = {
			.title = "Projected spend against allocation", .unit = SVG_UNIT_GBP,
			.n_x = 6, .x_labels = yrs, .actual = act, .median = med,
			.lo80 = l80, .hi80 = h80, .lo95 = l95, .hi95 = h95,
			.line = al, .line_label = "Allocation",
		};

		sbuf_init(&sb);
		svg_fan(&sb, &c);
		report_doc_take_chart(d, sec, "Median projection with 80% and 95% intervals.",
				      sbuf_detach(&sb, NULL));
	}
	report_doc_add_table(d, sec, s->t[T_PROJECTIONS], 0);

	sec = report_doc_add_section(d, "Risk drivers", false);
	{
		static const char *const dr[] = { "List growth", "QOF achievement",
						  "Premises pipeline", "Locum claims" };
		double lo[4] = { 13.3e6, 13.4e6, 13.45e6, 13.48e6 };
		double hi[4] = { 13.8e6, 13.6e6, 13.7e6, 13.52e6 };
		struct svg_tornado c = {
			.title = "What moves planned spend", .unit = SVG_UNIT_GBP,
			.base = 13500000.5, .base_label = "Planned spend",
			.low_label = "Driver at P10", .high_label = "Driver at P90",
			.n = 4, .labels = dr, .low = lo, .high = hi,
		};

		sbuf_init(&sb);
		svg_tornado(&sb, &c);
		report_doc_take_chart(d, sec, NULL, sbuf_detach(&sb, NULL));
	}
	report_doc_add_table(d, sec, s->t[T_RISK], 0);

	sec = report_doc_add_section(d, "Funding per weighted patient", false);
	{
		const struct rtable *t = s->t[T_PRACTICES];
		double v[40], lo, hi;
		const char *names[40];
		bool out[40];
		struct svg_strip c = {
			.title = "Funding per weighted patient across practices",
			.unit = SVG_UNIT_GBP, .axis_label = "£ per weighted patient",
			.n = 40, .values = v, .labels = names, .is_outlier = out,
		};

		for (size_t i = 0; i < 40; i++) {
			v[i] = rtable_number(t, i, 3);
			names[i] = rtable_cell(t, i, 0)->v.s;
		}
		svg_tukey_outliers(v, 40, out, &lo, &hi);
		c.fence_lo = lo;
		c.fence_hi = hi;
		sbuf_init(&sb);
		svg_strip(&sb, &c);
		report_doc_take_chart(d, sec, "Outliers lie outside Tukey's fences.",
				      sbuf_detach(&sb, NULL));
	}
	report_doc_add_table(d, sec, s->t[T_PRACTICES], 10);

	sec = report_doc_add_section(d, "Contracts ending soon", false);
	report_doc_add_table(d, sec, s->t[T_CONTRACTS], 0);
	sec = report_doc_add_section(d, "Backtest", false);
	report_doc_add_para(d, sec, "Budgets built from earlier years only, against what was paid.");
	report_doc_add_table(d, sec, s->t[T_BACKTEST], 0);
	sec = report_doc_add_section(d, "Parameters and methodology", false);
	report_doc_add_table(d, sec, s->t[T_PARAMETERS], 0);
	report_doc_add_para(d, sec, "Headroom = allocation - planned spend - contingency - reserve.");
}

static void build_manifest(struct sample *s)
{
	struct report_manifest *m = &s->man;

	s->totals[0] = (struct report_total){ "total_paid", 1299998750 };
	s->inputs[0] = (struct report_input){ s->input, "payments 2016/17", 2,
					      s->totals, 1 };
	s->inputs[1] = (struct report_input){ s->params, "parameters", -1, NULL, 0 };
	s->par[0] = (struct report_param){ "2017/18", "global_sum", "85.35", "default",
					   "methodology §3 [V]" };
	s->par[1] = (struct report_param){ "risk", "iterations", "10000", "params.ini:4", NULL };
	s->par[2] = (struct report_param){ "run", "note", "=cmd|' /C calc'!A0", "params.ini:9",
					   NULL };
	s->info[0] = (struct report_kv){ "mode", "dataset" };
	s->info[1] = (struct report_kv){ "year", "2017/18" };
	{
		static char a0[] = "pcbudget", a1[] = "run",
			    a2[] = "--seed=20240101", a3[] = "data/demo";

		s->argv[0] = a0;
		s->argv[1] = a1;
		s->argv[2] = a2;
		s->argv[3] = a3;
	}
	memset(m, 0, sizeof(*m));
	m->tool_version = "0.1.0-test";
	m->argc = 4;
	m->argv = s->argv;
	m->started = STARTED;
	m->finished = FINISHED;
	m->info = s->info;
	m->n_info = 2;
	m->has_seed = true;
	m->seed = 20240101;
	m->generator = "taus2";
	m->params = s->par;
	m->n_params = 3;
	m->inputs = s->inputs;
	m->n_inputs = 2;
}

static const struct rtable *const *tables(struct sample *s)
{
	return (const struct rtable *const *)s->t;
}

static int setup(void **state)
{
	struct sample *s = xcalloc(1, sizeof(*s));

	snprintf(s->root, sizeof(s->root), "/tmp/pcb-report-XXXXXX");
	if (!mkdtemp(s->root))
		return -1;
	s->input = xasprintf("%s/payments.csv", s->root);
	s->params = xasprintf("%s/params.ini", s->root);
	put(s->input, "practice,paid\nY01000,12999987.50\n");
	put(s->params, "[risk]\niterations = 10000\n");
	build_tables(s);
	build_doc(s);
	build_manifest(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct sample *s = *state;

	reportdir_remove_tree(s->root);
	report_doc_release(&s->doc);
	for (int i = 0; i < N_TABLES; i++)
		rtable_free(s->t[i]);
	free(s->input);
	free(s->params);
	free(s);
	return 0;
}

/* Writes the sample folder to root/<name> and returns its path. */
static char *write_sample(struct sample *s, const char *name)
{
	char *dir = xasprintf("%s/reports/%s", s->root, name);

	assert_int_equal(report_folder_write(dir, &s->doc, tables(s), N_TABLES,
					     &s->man), ST_OK);
	return dir;
}

static char *file_in(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	char *text = slurp(p);

	if (!text)
		fail_msg("missing '%s'", p);
	free(p);
	return text;
}

/* ------------------------------------------------------------------ */

static const char *const all_files[] = {
	"backtest.csv", "categories.csv", "contracts.csv", "history.csv",
	"manifest.json", "parameters.csv", "pcbudget.xlsx", "practices.csv",
	"projections.csv", "report.html", "risk.csv", "summary.csv",
	"summary.md",
};
#define N_FILES (sizeof(all_files) / sizeof(all_files[0]))

static void test_report_folder_has_every_file_and_nothing_else(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "demo-2017-18");
	char *parent = xasprintf("%s/reports", s->root);
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	for (size_t i = 0; i < N_FILES; i++) {
		char *p = xasprintf("%s/%s", dir, all_files[i]);

		if (access(p, R_OK) != 0)
			fail_msg("missing %s", all_files[i]);
		free(p);
	}
	d = opendir(dir);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, N_FILES);
	/* nothing left beside it: no temporary or old folder */
	d = opendir(parent);
	n = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	free(parent);
	free(dir);
}

static void test_report_csv_neutralises_text_cells_only(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "csv");
	char *got = file_in(dir, "categories.csv");

	/*
	 * Written by hand from the table: TEXT cells starting with = or -
	 * get an apostrophe; the MONEY -12.50 stays a number; the total row
	 * is the sum of the four (12,999,987.50 and 13,500,000.50).
	 */
	assert_string_equal(got,
		"ccg,category,prior,budget,change\r\n"
		"00C,Core contract,10000000.00,10420000.00,4.2\r\n"
		"00C,\"'=HYPERLINK(\"\"x\"\")\",2500000.00,2600000.50,4.0\r\n"
		"00C,<script>alert(1)</script>,500000.00,480000.00,-4.0\r\n"
		"00C,'-12.50,-12.50,0.00,\r\n"
		"00C,Total,12999987.50,13500000.50,\r\n");
	free(got);
	got = file_in(dir, "contracts.csv");
	assert_string_equal(got,
		"practice,contract,ends,value\r\n"
		"Y01003,\"APMS \"\"walk-in\"\" centre, Leeds\",2018-03-31,1234567.89\r\n"
		"Y01010,\"'+44 list\nsecond line\",2017-09-30,99000.00\r\n");
	free(got);
	got = file_in(dir, "parameters.csv");
	assert_non_null(strstr(got, "run,note,'=cmd|' /C calc'!A0,params.ini:9\r\n"));
	free(got);
	got = file_in(dir, "practices.csv");
	assert_non_null(strstr(got, "\r\nY01004,'@SUM(A1),5493.827156,"));
	free(got);
	free(dir);
}

static void test_report_html_escapes_every_input_string(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "html");
	char *html = file_in(dir, "report.html");
	const char *p;

	/* no raw markup from the inputs, and no scripts of our own */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<Demo>"));
	assert_null(strstr(html, "<QOF>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(html, "<title>Delegated budget 2017/18: &lt;Demo&gt; CCG</title>"));
	assert_non_null(strstr(html, "Dataset &quot;demo&quot; &amp; friends"));
	assert_non_null(strstr(html, "=HYPERLINK(&quot;x&quot;)"));
	/* self-contained: the only URL is the SVG namespace */
	assert_int_equal(count(html, "://"), count(html, "http://www.w3.org/2000/svg"));
	assert_null(strstr(html, " src=\""));	/* no attribute; "src=x" is only escaped text */
	assert_null(strstr(html, "<link"));
	for (p = html; (p = strstr(p, "href=\"")) != NULL; p++)
		assert_int_equal(p[6], '#');
	assert_non_null(strstr(html, "Content-Security-Policy"));
	assert_non_null(strstr(html, "@media print"));
	/* four charts, each with its accessible title */
	assert_int_equal(count(html, "<svg "), 4);
	assert_int_equal(count(html, "role=\"img\""), 4);
	/* headline, total row, cut table */
	assert_non_null(strstr(html, "<dd>£14,000,000.00</dd>"));
	assert_non_null(strstr(html, "<dd>12.5%<span class=\"note\">10,000 simulations</span></dd>"));
	assert_non_null(strstr(html, "<tr class=\"total\">"));
	assert_non_null(strstr(html, "<td class=\"num neg\">-£12.50</td>"));
	assert_non_null(strstr(html, "Showing the first 10 of 40 rows"));
	assert_non_null(strstr(html, "<span class=\"badge\">Alert:</span>Practice &lt;img"));
	free(html);
	free(dir);
}

static void test_report_markdown_escapes_and_keeps_the_summary(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "md");
	char *md = file_in(dir, "summary.md");

	assert_true(strncmp(md, "# Delegated budget 2017/18: \\<Demo\\> CCG\n", 41) == 0);
	assert_non_null(strstr(md, "| Allocation | £14,000,000.00 |  |\n"));
	assert_non_null(strstr(md, "| Probability of overspend | 12.5% | 10,000 simulations |\n"));
	assert_non_null(strstr(md, "| 00C | \\<script\\>alert(1)\\</script\\> | £500,000.00 | £480,000.00 | -4.0% |\n"));
	assert_non_null(strstr(md, "| 00C | -12.50 | -£12.50 | £0.00 | – |\n"));
	assert_non_null(strstr(md, "| **00C** | **Total** | **£12,999,987.50** | **£13,500,000.50** | – |\n"));
	/* a paragraph line cannot start a list; a table cell can hold 1. */
	assert_non_null(strstr(md, "  \n1\\. core contract  \n\\- enhanced services \\& \\<QOF\\>\n"));
	assert_non_null(strstr(md, "- **Alert:** Practice \\<img src=x onerror=alert(1)\\> funding"));
	/* only the summary section; no charts */
	assert_null(strstr(md, "Risk drivers"));
	assert_null(strstr(md, "<svg"));
	free(md);
	free(dir);
}

/* One zip entry of the workbook, read back with unzip. */
static char *xlsx_part(const char *dir, const char *part)
{
	char *cmd = xasprintf("unzip -p '%s/pcbudget.xlsx' '%s'", dir, part);
	char *out = run(cmd);

	if (!out)
		fail_msg("cannot read %s from the workbook", part);
	free(cmd);
	return out;
}

/* The <c ...>...</c> element for cell ref in sheet xml. */
static char *cell_xml(const char *xml, const char *ref)
{
	char *key = xasprintf("<c r=\"%s\"", ref);
	const char *a = strstr(xml, key), *b;

	free(key);
	if (!a)
		return xstrdup("<none>");
	b = strstr(a, "</c>");
	if (!b || (strstr(a, "/>") && strstr(a, "/>") < b))
		b = strstr(a, "/>");
	return xmemdupz(a, (size_t)(b - a) + 4);
}

static void test_report_xlsx_reads_back_with_numbers_formats_and_strings(void **state)
{
	struct sample *s = *state;
	char *dir, *wb, *sheet, *styles, *strings, *core, *c;

	if (system("command -v unzip >/dev/null 2>&1") != 0)
		skip();
	dir = write_sample(s, "xlsx");
	wb = xlsx_part(dir, "xl/workbook.xml");
	{
		static const char *const names[] = {
			"summary", "categories", "practices", "history",
			"projections", "risk", "contracts", "backtest",
			"parameters",
		};
		const char *p = wb;

		for (size_t i = 0; i < 9; i++) {
			char *want = xasprintf("<sheet name=\"%s\" sheetId=\"%zu\"",
					       names[i], i + 1);

			p = strstr(p, want);
			if (!p)
				fail_msg("sheet %s missing or out of order", names[i]);
			free(want);
		}
	}
	/* categories: header + 5 rows, 5 columns */
	sheet = xlsx_part(dir, "xl/worksheets/sheet2.xml");
	assert_non_null(strstr(sheet, "<dimension ref=\"A1:E6\"/>"));
	assert_non_null(strstr(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" "
				      "activePane=\"bottomLeft\" state=\"frozen\"/>"));
	assert_non_null(strstr(sheet, "<autoFilter ref=\"A1:E6\"/>"));
	assert_null(strstr(sheet, "<f>"));
	/* the money -12.50 is a number... */
	c = cell_xml(sheet, "C5");
	assert_non_null(strstr(c, "<v>-12.5</v>"));
	assert_null(strstr(c, "t=\""));
	free(c);
	/* ...the text "-12.50" and the formula-like name are strings */
	c = cell_xml(sheet, "B5");
	assert_non_null(strstr(c, "t=\"s\""));
	free(c);
	c = cell_xml(sheet, "B3");
	assert_non_null(strstr(c, "t=\"s\""));
	free(c);
	c = cell_xml(sheet, "E2");	/* 42,000 ppm = 0.042 */
	assert_non_null(strstr(c, "<v>0.042</v>"));
	free(c);
	c = cell_xml(sheet, "D6");	/* total 13,500,000.50 */
	assert_non_null(strstr(c, "<v>13500000.5</v>"));
	free(c);
	free(sheet);
	/* contracts: 2018-03-31 is day 17,621 + 25,569 = serial 43,190 */
	sheet = xlsx_part(dir, "xl/worksheets/sheet7.xml");
	c = cell_xml(sheet, "C2");
	assert_non_null(strstr(c, "<v>43190</v>"));
	free(c);
	c = cell_xml(sheet, "D2");
	assert_non_null(strstr(c, "<v>1234567.89</v>"));
	free(c);
	free(sheet);
	strings = xlsx_part(dir, "xl/sharedStrings.xml");
	assert_non_null(strstr(strings, "<t>=HYPERLINK(\"x\")</t>"));
	assert_non_null(strstr(strings, "<t>&lt;script&gt;alert(1)&lt;/script&gt;</t>"));
	assert_non_null(strstr(strings, "<t>-12.50</t>"));
	assert_non_null(strstr(strings, "<t>=cmd|' /C calc'!A0</t>"));
	styles = xlsx_part(dir, "xl/styles.xml");
	assert_non_null(strstr(styles, "formatCode=\"&quot;£&quot;#,##0.00;[Red]-&quot;£&quot;#,##0.00\""));
	assert_non_null(strstr(styles, "formatCode=\"0.0%\""));
	assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd\""));
	assert_non_null(strstr(styles, "formatCode=\"#,##0.000000\""));
	core = xlsx_part(dir, "docProps/core.xml");
	assert_non_null(strstr(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2017-06-01T09:00:00Z</dcterms:created>"));
	for (int i = 1; i <= 9; i++) {
		char *part = xasprintf("xl/worksheets/sheet%d.xml", i);

		sheet = xlsx_part(dir, part);
		assert_null(strstr(sheet, "<f>"));
		assert_non_null(strstr(sheet, "state=\"frozen\""));
		assert_non_null(strstr(sheet, "<autoFilter ref="));
		free(sheet);
		free(part);
	}
	free(core);
	free(styles);
	free(strings);
	free(wb);
	free(dir);
}

static bool has_real(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_real(j))
		return true;
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if (has_real(v))
				return true;
	}
	if (json_is_array(j))
		json_array_foreach(j, i, v)
			if (has_real(v))
				return true;
	return false;
}

static void assert_sha256sum(const char *path, const char *hex)
{
	char *cmd = xasprintf("sha256sum '%s'", path);
	char *out = run(cmd);

	assert_non_null(out);
	assert_memory_equal(out, hex, 64);
	free(out);
	free(cmd);
}

static void test_report_manifest_hashes_match_sha256sum(void **state)
{
	struct sample *s = *state;
	char *dir, *text;
	json_t *root, *outs, *ins, *tabs, *o;
	json_error_t err;
	size_t i;

	if (system("command -v sha256sum >/dev/null 2>&1") != 0)
		skip();
	dir = write_sample(s, "manifest");
	text = file_in(dir, "manifest.json");
	root = json_loads(text, 0, &err);
	if (!root)
		fail_msg("manifest.json: %s", err.text);
	assert_string_equal(json_string_value(json_object_get(root, "tool")), "pcbudget");
	assert_string_equal(json_string_value(json_object_get(root, "version")), "0.1.0-test");
	assert_string_equal(json_string_value(json_object_get(root, "started")), "2017-06-01T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(root, "finished")), "2017-06-01T09:02:05Z");
	assert_int_equal(json_array_size(json_object_get(root, "command_line")), 4);
	o = json_object_get(root, "random");
	assert_int_equal(json_integer_value(json_object_get(o, "seed")), 20240101);
	assert_string_equal(json_string_value(json_object_get(o, "generator")), "taus2");
	assert_non_null(strstr(json_string_value(json_object_get(root, "note")),
			       "cannot contain its own SHA-256"));

	/* every output but the manifest, sorted, each hash as sha256sum says */
	outs = json_object_get(root, "outputs");
	assert_int_equal(json_array_size(outs), N_FILES - 1);
	for (i = 0; i < N_FILES - 1; i++) {
		size_t k = i + (i >= 4);	/* skip manifest.json in all_files */
		char *p;

		o = json_array_get(outs, i);
		assert_string_equal(json_string_value(json_object_get(o, "path")), all_files[k]);
		p = xasprintf("%s/%s", dir, all_files[k]);
		assert_sha256sum(p, json_string_value(json_object_get(o, "sha256")));
		{
			struct stat sb;

			assert_int_equal(stat(p, &sb), 0);
			assert_int_equal(json_integer_value(json_object_get(o, "bytes")), sb.st_size);
		}
		free(p);
	}
	ins = json_object_get(root, "inputs");
	assert_int_equal(json_array_size(ins), 2);
	o = json_array_get(ins, 0);
	assert_sha256sum(s->input, json_string_value(json_object_get(o, "sha256")));
	assert_int_equal(json_integer_value(json_object_get(o, "rows")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "control_totals_pence"),
							    "total_paid")), 1299998750);
	assert_true(json_is_null(json_object_get(json_array_get(ins, 1), "rows")));
	assert_sha256sum(s->params, json_string_value(json_object_get(json_array_get(ins, 1), "sha256")));

	/* tables: rows and money totals in pence, summed by hand above */
	tabs = json_object_get(root, "tables");
	assert_int_equal(json_array_size(tabs), N_TABLES);
	o = json_array_get(tabs, T_CATEGORIES);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "categories");
	assert_int_equal(json_integer_value(json_object_get(o, "rows")), 5);
	o = json_object_get(o, "money_totals_pence");
	/* rows plus the total row: 2 x 1,299,998,750 and 2 x 1,350,000,050 */
	assert_int_equal(json_integer_value(json_object_get(o, "prior")), 2599997500);
	assert_int_equal(json_integer_value(json_object_get(o, "budget")), 2700000100);
	assert_int_equal(json_array_size(json_object_get(root, "parameters")), 3);
	/* a default's source is recorded; no "source" key when there is none */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(root, "parameters"), 0), "source")), "methodology §3 [V]");
	assert_null(json_object_get(json_array_get(json_object_get(root, "parameters"), 1),
				    "source"));
	/* money is never a floating-point number */
	assert_false(has_real(root));
	json_decref(root);
	free(text);
	free(dir);
}

static void test_report_is_byte_identical_for_the_same_inputs(void **state)
{
	struct sample *s = *state;
	char *a = write_sample(s, "a");
	char *b = write_sample(s, "b");

	for (size_t i = 0; i < N_FILES; i++) {
		char *pa = xasprintf("%s/%s", a, all_files[i]);
		char *pb = xasprintf("%s/%s", b, all_files[i]);
		char *cmd = xasprintf("cmp -s '%s' '%s'", pa, pb);

		if (system(cmd) != 0)
			fail_msg("%s differs between two runs", all_files[i]);
		free(cmd);
		free(pa);
		free(pb);
	}
	free(a);
	free(b);
}

static char *hidden_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *out = xstrdup("");

	while (d && (de = readdir(d)) != NULL) {
		char *n;

		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		n = xasprintf("%s %s", out, de->d_name);
		free(out);
		out = n;
	}
	if (d)
		closedir(d);
	return out;
}

static void test_report_failed_run_leaves_previous_report_untouched(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "keep");
	char *parent = xasprintf("%s/reports", s->root);
	char *html = file_in(dir, "report.html");
	char *man = file_in(dir, "manifest.json");
	char *missing = xasprintf("%s/no-such-input.csv", s->root);
	char *want = xasprintf("pcbudget: error: cannot read '%s': No such file "
			       "or directory\n", missing);
	struct rtable *huge;
	const struct rtable *one[1];
	char *big, *got, *hidden;

	/* 1: the manifest cannot hash an input, after every other file */
	s->inputs[0].path = missing;
	report_doc_set_subtitle(&s->doc, "a run that will fail");
	capture_begin();
	assert_int_equal(report_folder_write(dir, &s->doc, tables(s), N_TABLES,
					     &s->man), ST_NOINPUT);
	assert_string_equal(capture_end(), want);
	s->inputs[0].path = s->input;

	/* 2: the workbook refuses a text longer than Excel holds */
	huge = rtable_new("huge", "Huge");
	rtable_add_col(huge, "text", NULL, RCOL_TEXT, 0);
	big = xmalloc(40000);
	memset(big, 'x', 39999);
	big[39999] = '\0';
	rtable_set_text(huge, rtable_add_row(huge), 0, big);
	one[0] = huge;
	capture_begin();
	assert_int_equal(report_folder_write(dir, &s->doc, one, 1, &s->man), ST_DATA);
	assert_non_null(strstr(capture_end(), "more than 32,767 characters"));

	/* the previous report is exactly as it was, and nothing is left over */
	got = file_in(dir, "report.html");
	assert_string_equal(got, html);
	free(got);
	got = file_in(dir, "manifest.json");
	assert_string_equal(got, man);
	free(got);
	hidden = hidden_in(parent);
	assert_string_equal(hidden, "");
	free(hidden);
	rtable_free(huge);
	free(big);
	free(want);
	free(missing);
	free(man);
	free(html);
	free(parent);
	free(dir);
}

static void test_report_second_run_replaces_the_first(void **state)
{
	struct sample *s = *state;
	char *dir = write_sample(s, "replace");
	char *html;

	report_doc_set_subtitle(&s->doc, "second run");
	free(write_sample(s, "replace"));
	html = file_in(dir, "report.html");
	assert_non_null(strstr(html, "second run"));
	free(html);
	free(dir);
}

static void test_report_default_dir_and_timestamps(void **state)
{
	char *d = report_default_dir("Demo CCG", "2017/18");
	char buf[32];

	(void)state;
	assert_string_equal(d, "reports/Demo-CCG-2017-18");
	free(d);
	d = report_default_dir("../../etc", NULL);
	assert_string_equal(d, "reports/etc");
	free(d);
	d = report_default_dir("", "");
	assert_string_equal(d, "reports/report");
	free(d);
	assert_string_equal(report_iso8601(0, buf), "1970-01-01T00:00:00Z");
	assert_string_equal(report_iso8601(-1, buf), "1969-12-31T23:59:59Z");
	assert_string_equal(report_iso8601(FINISHED, buf), "2017-06-01T09:02:05Z");
}

/* Removes every run-dependent part (markers included) from text, in place. */
static void strip_run_dependent(char *text)
{
	char *b;

	while ((b = strstr(text, REPORT_RUN_DEPENDENT_BEGIN)) != NULL) {
		char *e = strstr(b, REPORT_RUN_DEPENDENT_END);

		assert_non_null(e);
		e += strlen(REPORT_RUN_DEPENDENT_END);
		memmove(b, e, strlen(e) + 1);
	}
}

static void test_report_run_dependent_parts_are_marked(void **state)
{
	struct sample *s = *state;
	size_t sec = report_doc_add_section(&s->doc, "Changes since the previous run", true);
	char *a, *b, *html_a, *html_b, *md_a, *md_b;

	report_doc_mark_run_dependent(&s->doc, sec);
	report_doc_add_para(&s->doc, sec, "First recorded run.");
	a = write_sample(s, "a");
	/* a later run with another time and another change note */
	s->doc.generated = STARTED + 3600;
	s->doc.sections[sec].blocks[0].text[0] = 'X';
	b = write_sample(s, "b");
	html_a = file_in(a, "report.html");
	html_b = file_in(b, "report.html");
	md_a = file_in(a, "summary.md");
	md_b = file_in(b, "summary.md");
	/* header time, the section, footer time; the section also in the summary */
	assert_int_equal(count(html_a, REPORT_RUN_DEPENDENT_BEGIN), 3);
	assert_int_equal(count(html_a, REPORT_RUN_DEPENDENT_END), 3);
	assert_int_equal(count(md_a, REPORT_RUN_DEPENDENT_BEGIN), 2);
	assert_true(strcmp(html_a, html_b) != 0);
	assert_true(strcmp(md_a, md_b) != 0);
	strip_run_dependent(html_a);
	strip_run_dependent(html_b);
	strip_run_dependent(md_a);
	strip_run_dependent(md_b);
	assert_string_equal(html_a, html_b);
	assert_string_equal(md_a, md_b);
	assert_null(strstr(html_a, "First recorded run"));
	assert_null(strstr(html_a, "2017-06-01T09"));
	free(html_a);
	free(html_b);
	free(md_a);
	free(md_b);
	free(a);
	free(b);
}

/* Run only when PCBUDGET_SAMPLE_REPORT is set (see main). */
static void test_report_writes_sample_for_the_browser_test(void **state)
{
	struct sample *s = *state;

	assert_int_equal(report_folder_write(getenv("PCBUDGET_SAMPLE_REPORT"),
					     &s->doc, tables(s), N_TABLES,
					     &s->man), ST_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_report_folder_has_every_file_and_nothing_else),
		T(test_report_csv_neutralises_text_cells_only),
		T(test_report_html_escapes_every_input_string),
		T(test_report_markdown_escapes_and_keeps_the_summary),
		T(test_report_xlsx_reads_back_with_numbers_formats_and_strings),
		T(test_report_manifest_hashes_match_sha256sum),
		T(test_report_is_byte_identical_for_the_same_inputs),
		T(test_report_failed_run_leaves_previous_report_untouched),
		T(test_report_second_run_replaces_the_first),
		T(test_report_run_dependent_parts_are_marked),
		cmocka_unit_test(test_report_default_dir_and_timestamps),
	};
	const struct CMUnitTest sample[] = {
		T(test_report_writes_sample_for_the_browser_test),
	};
	const char *out = getenv("PCBUDGET_SAMPLE_REPORT");
#undef T

	if (out && *out)
		return cmocka_run_group_tests_name("report_sample", sample,
						   NULL, NULL);
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}

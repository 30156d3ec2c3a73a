/*
 * runreport.c - the run report's driver: the document, the charts, the
 * lock, the ledger, the atomic folder and the summary on stdout.
 *
 * The last stage of "pcbudget run" (runreport.h).  The tables come from
 * runreport_tables_build() (rr_review.c, rr_risk.c); this file arranges
 * them into a report_doc with headline figures, flags, sections and
 * charts, takes the run lock, reads what changed since the previous run
 * from the ledger (read-only), writes the folder through
 * report_folder_write() (which publishes it atomically), then records
 * the run in the ledger and prints the summary.
 */
#include <errno.h>
#include <gsl/gsl_version.h>
#include <stdint.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dates.h"
#include "diag.h"
#include "money.h"
#include "report.h"
#include "rr_internal.h"
#include "runlock.h"
#include "runreport.h"
#include "sbuf.h"
#include "svg.h"
#include "xalloc.h"

#ifndef PCBUDGET_VERSION
#define PCBUDGET_VERSION "unknown"
#endif

__extension__ typedef __int128 i128;

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static const char *ccg_label(const struct runreport *rr, size_t c, char *buf, size_t n)
{
	if (c >= rr->n_ccgs)
		snprintf(buf, n, "All %zu CCGs", rr->n_ccgs);
	else if (rr->ccgs[c].name && *rr->ccgs[c].name)
		snprintf(buf, n, "%s %s", rr->ccgs[c].code, rr->ccgs[c].name);
	else
		snprintf(buf, n, "CCG %s", rr->ccgs[c].code);
	return buf;
}

/* n with thousands separators: "10,000". */
static char *count(size_t n, char buf[MONEY_BUFSZ])
{
	char tmp[MONEY_BUFSZ];

	money_format_gbp((int64_t)n * 100, tmp);	/* "£10,000.00" */
	snprintf(buf, MONEY_BUFSZ, "%.*s", (int)(strlen(tmp) - 5), tmp + 2);
	return buf;
}

static char *gbp(int64_t pence, char buf[MONEY_BUFSZ])
{
	return money_format_gbp(pence, buf);
}

/* ppm as "0.5" (percent, trailing zeros dropped). */
static char *pct_ppm(int64_t ppm, char buf[MONEY_BUFSZ])
{
	return fixed_format(ppm, 4, buf);
}

static const char *human_driver(enum mc_driver d, char *buf, size_t n)
{
	const char *s = mc_driver_name(d);
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = s[i] == '_' ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

/* The CCGs to draw charts for: each one, or only the total (n_ccgs). */
static size_t chart_first(const struct runreport *rr)
{
	return rr->n_ccgs <= RR_MAX_CCG_CHARTS ? 0 : rr->n_ccgs;
}

static size_t chart_last(const struct runreport *rr)
{
	return rr->n_ccgs <= RR_MAX_CCG_CHARTS ? rr->n_ccgs - 1 : rr->n_ccgs;
}

static const struct rr_series *series(const struct rr_tables *t, size_t c, size_t cat)
{
	return &t->series[c * (N_CATS + 1) + cat];
}

/* The CCG totals (n_ccgs) in the shape of one CCG. */
static void total_ccg(const struct runreport *rr, struct rr_ccg *tot)
{
	memset(tot, 0, sizeof(*tot));
	tot->code = "TOTAL";
	tot->name = "all CCGs";
	for (int h = 0; h < TREND_MAX_AHEAD; h++)
		tot->has_allocation_ahead[h] = rr->n_ccgs > 0;
	for (size_t c = 0; c < rr->n_ccgs; c++) {
		const struct rr_ccg *cc = &rr->ccgs[c];

		tot->n_practices += cc->n_practices;
		for (int k = 0; k < N_CATS; k++)
			tot->budget[k] += cc->budget[k];
		tot->planned += cc->planned;
		tot->allocation += cc->allocation;
		tot->contingency += cc->contingency;
		tot->reserve += cc->reserve;
		tot->reserve_uncommitted += cc->reserve_uncommitted;
		tot->headroom += cc->headroom;
		for (int h = 0; h < TREND_MAX_AHEAD; h++) {
			tot->has_allocation_ahead[h] &= cc->has_allocation_ahead[h];
			tot->allocation_ahead[h] += cc->allocation_ahead[h];
		}
	}
}

static const struct rr_ccg *ccg_or_total(const struct runreport *rr, size_t c,
					 const struct rr_ccg *tot)
{
	return c < rr->n_ccgs ? &rr->ccgs[c] : tot;
}

static const struct mc_summary *mc_of(const struct rr_tables *t, size_t c)
{
	const struct mc_result *r = &t->mc[RISK_BASE];

	return c < r->n_groups ? &r->groups[c] : &r->total;
}

/* ------------------------------------------------------------------ */
/* charts                                                               */

static char *chart_stacked(const struct runreport *rr, const struct rr_tables *t, size_t c,
			   const struct rr_ccg *cc)
{
	const struct rr_series *tot = series(t, c, N_CATS);
	size_t n = tot->n;
	char **labels = xcalloc(n + 1, sizeof(char *));
	double *values = xcalloc(n * N_CATS + 1, sizeof(double));
	double *line = xcalloc(n + 1, sizeof(double));
	bool *is_budget = xcalloc(n + 1, sizeof(bool));
	char title[256], who[192];
	struct sbuf sb;

	for (size_t x = 0; x < n; x++) {
		char fy[DATE_BUFSZ];

		labels[x] = xstrdup(rr_fy(tot->year[x], fy));
		for (size_t s = 0; s < N_CATS; s++)
			values[x * N_CATS + s] = series(t, c, s)->value[x] / 100.0;
		is_budget[x] = tot->year[x] == rr->year;
		line[x] = is_budget[x] ? (double)cc->allocation / 100.0 : SVG_NONE;
	}
	snprintf(title, sizeof(title), "%s: paid by category, and the budget",
		 ccg_label(rr, c, who, sizeof(who)));
	sbuf_init(&sb);
	svg_stacked_bars(&sb, &(struct svg_stacked){
		.title = title, .unit = SVG_UNIT_GBP, .n_x = n,
		.x_labels = (const char *const *)labels, .n_series = N_CATS,
		.series_labels = category_names, .values = values, .is_budget = is_budget,
		.line = line, .line_label = "allocation" });
	for (size_t x = 0; x < n; x++)
		free(labels[x]);
	free(labels);
	free(values);
	free(line);
	free(is_budget);
	return sbuf_detach(&sb, NULL);
}

static char *chart_fan(const struct runreport *rr, const struct rr_tables *t, size_t c,
		       const struct rr_ccg *cc)
{
	const struct rr_series *s = series(t, c, N_CATS);
	size_t n = s->n + TREND_MAX_AHEAD;
	char **labels = xcalloc(n + 1, sizeof(char *));
	double *a = xcalloc(n + 1, sizeof(double)), *med = xcalloc(n + 1, sizeof(double));
	double *lo80 = xcalloc(n + 1, sizeof(double)), *hi80 = xcalloc(n + 1, sizeof(double));
	double *lo95 = xcalloc(n + 1, sizeof(double)), *hi95 = xcalloc(n + 1, sizeof(double));
	double *line = xcalloc(n + 1, sizeof(double));
	bool projected = s->proj.n_ahead > 0;
	char title[256], who[192];
	struct sbuf sb;

	for (size_t x = 0; x < n; x++) {
		char fy[DATE_BUFSZ];
		int year = x < s->n ? s->year[x] : rr->year + (int)(x - s->n) + 1;

		labels[x] = xstrdup(rr_fy(year, fy));
		a[x] = med[x] = lo80[x] = hi80[x] = lo95[x] = hi95[x] = line[x] = SVG_NONE;
		if (x < s->n && year != rr->year) {
			a[x] = s->value[x] / 100.0;
		} else if (year == rr->year) {
			/* the budget anchors the fan */
			med[x] = lo80[x] = hi80[x] = lo95[x] = hi95[x] = (double)cc->planned / 100.0;
			line[x] = (double)cc->allocation / 100.0;
		} else {
			size_t h = x - s->n;

			if (projected) {
				med[x] = s->proj.ahead[h].yhat / 100.0;
				lo80[x] = s->proj.ahead[h].lo80 / 100.0;
				hi80[x] = s->proj.ahead[h].hi80 / 100.0;
				lo95[x] = s->proj.ahead[h].lo95 / 100.0;
				hi95[x] = s->proj.ahead[h].hi95 / 100.0;
			}
			if (cc->has_allocation_ahead[h])
				line[x] = (double)cc->allocation_ahead[h] / 100.0;
		}
	}
	snprintf(title, sizeof(title), "%s: spend paid, budgeted and projected, against the allocation",
		 ccg_label(rr, c, who, sizeof(who)));
	sbuf_init(&sb);
	svg_fan(&sb, &(struct svg_fan){
		.title = title, .unit = SVG_UNIT_GBP, .n_x = n,
		.x_labels = (const char *const *)labels, .actual = a, .median = med,
		.lo80 = lo80, .hi80 = hi80, .lo95 = lo95, .hi95 = hi95, .line = line,
		.line_label = "allocation" });
	for (size_t x = 0; x < n; x++)
		free(labels[x]);
	free(labels);
	free(a);
	free(med);
	free(lo80);
	free(hi80);
	free(lo95);
	free(hi95);
	free(line);
	return sbuf_detach(&sb, NULL);
}

static char *chart_tornado(const struct runreport *rr, const struct rr_tables *t, size_t c)
{
	const struct mc_tornado *tor = &t->tornado_result;
	char names[MC_N_DRIVERS][48];
	const char *labels[MC_N_DRIVERS];
	double lo[MC_N_DRIVERS], hi[MC_N_DRIVERS];
	size_t n = 0;
	char title[256], who[192];
	struct sbuf sb;

	for (int d = 0; d < MC_N_DRIVERS; d++) {
		const struct mc_tornado_bar *b = &tor->bars[d];

		if (b->low[c] == b->high[c])
			continue;	/* nothing exposed to it */
		labels[n] = human_driver(b->driver, names[n], sizeof(names[n]));
		lo[n] = (double)b->low[c] / 100.0;
		hi[n] = (double)b->high[c] / 100.0;
		n++;
	}
	snprintf(title, sizeof(title), "%s: what moves the budget year's spend",
		 ccg_label(rr, c, who, sizeof(who)));
	sbuf_init(&sb);
	svg_tornado(&sb, &(struct svg_tornado){
		.title = title, .unit = SVG_UNIT_GBP, .base = (double)tor->base[c] / 100.0,
		.base_label = "spend with every driver at its mean",
		.low_label = "driver at its 10th percentile",
		.high_label = "driver at its 90th percentile", .n = n, .labels = labels,
		.low = lo, .high = hi });
	return sbuf_detach(&sb, NULL);
}

/* More practices than this in the all-CCG strip: draw the middle 98% only. */
#define RR_STRIP_TRIM_FROM 200

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *chart_strip(const struct runreport *rr, const struct rr_tables *t, size_t c)
{
	size_t np = rr->n_practices, n = 0;
	double *v = xcalloc(np + 1, sizeof(double));
	char **labels = xcalloc(np + 1, sizeof(char *));
	bool *out = xcalloc(np + 1, sizeof(bool));
	char title[256], who[192], desc[256] = "";
	struct sbuf sb;

	for (size_t i = 0; i < np; i++) {
		const struct rr_practice *p = &rr->practices[i];

		if (!isfinite(t->per_weighted[i]) || (c < rr->n_ccgs && p->ccg != c))
			continue;
		v[n] = t->per_weighted[i];
		labels[n] = xasprintf("%s %s", p->code, p->name ? p->name : "");
		out[n] = t->is_low[i] || t->is_high[i];
		n++;
	}
	snprintf(title, sizeof(title), "%s: funding per weighted patient last year, by practice",
		 ccg_label(rr, c, who, sizeof(who)));
	/*
	 * Many practices in one chart (all CCGs of a big report): a few
	 * with tiny weighted lists would squeeze the rest into one bin, and
	 * per-CCG outliers mean nothing on a national axis.  Draw the middle
	 * 98% unmarked, and say so.
	 */
	if (c == rr->n_ccgs && rr->n_practices > RR_STRIP_TRIM_FROM && n > 0) {
		double *sorted = xcalloc(n, sizeof(double)), lo, hi;
		size_t kept = 0;
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		memcpy(sorted, v, n * sizeof(double));
		qsort(sorted, n, sizeof(double), cmp_double);
		lo = sorted[(n - 1) / 100];
		hi = sorted[(n - 1) - (n - 1) / 100];
		free(sorted);
		for (size_t i = 0; i < n; i++) {
			if (v[i] < lo || v[i] > hi) {
				free(labels[i]);
				continue;
			}
			v[kept] = v[i];
			labels[kept] = labels[i];
			out[kept] = false;
			kept++;
		}
		snprintf(title, sizeof(title), "%s: funding per weighted patient, middle 98%%",
			 ccg_label(rr, c, who, sizeof(who)));
		snprintf(desc, sizeof(desc), "The middle 98%% of practices, %s to %s per weighted "
			 "patient; %zu practices beyond are left out", gbp((int64_t)llround(lo * 100.0), a),
			 gbp((int64_t)llround(hi * 100.0), b), n - kept);
		n = kept;
	}
	sbuf_init(&sb);
	svg_strip(&sb, &(struct svg_strip){
		.title = title, .desc = *desc ? desc : NULL, .unit = SVG_UNIT_GBP,
		.axis_label = "£ per weighted patient",
		.n = n, .values = v, .labels = (const char *const *)labels, .is_outlier = out,
		.fence_lo = c < rr->n_ccgs ? t->fence_lo[c] : SVG_NONE,
		.fence_hi = c < rr->n_ccgs ? t->fence_hi[c] : SVG_NONE });
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(v);
	free(out);
	return sbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* the document                                                         */

/* What the document borrows and must outlive it. */
struct doc_extras {
	struct rtable *changes;		/* shown, not written as CSV (run-dependent) */
};

static void add_headline(const struct runreport *rr, const struct rr_tables *t,
			 const struct rr_ccg *tot, struct report_doc *doc)
{
	const struct rr_ccg *cc = rr->n_ccgs == 1 ? &rr->ccgs[0] : tot;
	const struct mc_summary *ms = mc_of(t, rr->n_ccgs == 1 ? 0 : rr->n_ccgs);
	char note[256], a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (rr->allocation_notional)
		report_doc_add_money(doc, "Allocation (notional)", cc->allocation,
				     rr->allocation_note ? rr->allocation_note :
				     "notional: no published allocation was given",
				     REPORT_TONE_NEUTRAL);
	else
		report_doc_add_money(doc, "Allocation", cc->allocation,
				     "the published primary medical care allocation",
				     REPORT_TONE_NEUTRAL);
	report_doc_add_money(doc, "Planned spend", cc->planned, "the five categories of the methodology",
			     REPORT_TONE_NEUTRAL);
	snprintf(note, sizeof(note), "%s%% of the allocation", pct_ppm(rr->contingency_rate, a));
	report_doc_add_money(doc, "Contingency", cc->contingency, note, REPORT_TONE_NEUTRAL);
	snprintf(note, sizeof(note), "%s%% of the allocation, %s uncommitted",
		 pct_ppm(rr->reserve_rate, a), gbp(cc->reserve_uncommitted, b));
	report_doc_add_money(doc, "Non-recurrent reserve", cc->reserve, note, REPORT_TONE_NEUTRAL);
	if (cc->allocation > 0)
		snprintf(note, sizeof(note), "%.2f%% of the allocation, after contingency and reserve",
			 100.0 * (double)cc->headroom / (double)cc->allocation);
	else
		snprintf(note, sizeof(note), "after contingency and reserve");
	report_doc_add_money(doc, "Headroom", cc->headroom, note,
			     cc->headroom < 0 ? REPORT_TONE_BAD : REPORT_TONE_GOOD);
	snprintf(note, sizeof(note), "P(spend > allocation) in %s simulated years; the business "
		 "rule fails (spend + contingency + reserve > allocation) in %.1f%%",
		 count(t->mc[RISK_BASE].iterations, a), 100.0 * ms->prob_over_contingency_and_reserve);
	report_doc_add_percent(doc, "Probability of overspend", ms->prob_over_allocation, note,
			       ms->prob_over_allocation >= 0.5 ? REPORT_TONE_BAD :
			       ms->prob_over_contingency_and_reserve >= 0.5 ? REPORT_TONE_BAD :
			       REPORT_TONE_NEUTRAL);
	snprintf(note, sizeof(note), "P5 %s, P95 %s", gbp(ms->p5, a), gbp(ms->p95, b));
	report_doc_add_money(doc, "Median simulated spend", ms->p50, note, REPORT_TONE_NEUTRAL);
}

/* CCG indices, most at risk first: by key[] ascending. */
static void sort_by(size_t *idx, size_t n, const double *key)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && key[idx[j - 1]] > key[idx[j]]; j--) {
			size_t x = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = x;
		}
}

/* The worst RR_FLAG_LIST of idx[0..n) as " 00C (text)", then "and N more". */
#define RR_FLAG_LIST 10
/* Practices named in one flag, at most. */
#define RR_FLAG_PRACTICES 30

/*
 * Many CCGs (more than RR_MAX_CCG_CHARTS): one flag per kind, naming the
 * CCGs most at risk, instead of two flags for each CCG.
 */
static void add_ccg_flags_condensed(const struct runreport *rr, const struct rr_tables *t,
				    struct report_doc *doc)
{
	size_t n = rr->n_ccgs, nh = 0, np = 0, nr = 0;
	size_t *ih = xcalloc(n + 1, sizeof(size_t)), *ip = xcalloc(n + 1, sizeof(size_t)),
	       *ir = xcalloc(n + 1, sizeof(size_t));
	double *kh = xcalloc(n + 1, sizeof(double)), *kp = xcalloc(n + 1, sizeof(double)),
	       *kr = xcalloc(n + 1, sizeof(double));
	int64_t short_total = 0;
	struct sbuf sb;
	char a[MONEY_BUFSZ];

	for (size_t c = 0; c < n; c++) {
		const struct rr_ccg *cc = &rr->ccgs[c];
		const struct mc_summary *ms = mc_of(t, c);

		kh[c] = (double)cc->headroom;
		kp[c] = -ms->prob_over_allocation;
		kr[c] = -ms->prob_over_contingency_and_reserve;
		if (cc->headroom < 0) {
			ih[nh++] = c;
			short_total -= cc->headroom;
		}
		if (ms->prob_over_allocation >= 0.5)
			ip[np++] = c;
		else if (ms->prob_over_contingency_and_reserve >= 0.5)
			ir[nr++] = c;
	}
	sort_by(ih, nh, kh);
	sort_by(ip, np, kp);
	sort_by(ir, nr, kr);
	sbuf_init(&sb);
	if (nh) {
		sbuf_addf(&sb, "%zu of %zu CCGs: planned spend, contingency and reserve exceed the "
			  "%sallocation (by %s in all); most:", nh, n,
			  rr->allocation_notional ? "notional " : "", gbp(short_total, a));
		for (size_t i = 0; i < nh && i < RR_FLAG_LIST; i++)
			sbuf_addf(&sb, " %s (%s)", rr->ccgs[ih[i]].code,
				  gbp(rr->ccgs[ih[i]].headroom, a));
		if (nh > RR_FLAG_LIST)
			sbuf_addf(&sb, " and %zu more (the summary table has every CCG)",
				  nh - RR_FLAG_LIST);
		report_doc_add_flag(doc, REPORT_ALERT, sb.buf);
	}
	if (np) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu of %zu CCGs: the spend exceeds the allocation in at least half "
			  "of simulated years; most:", np, n);
		for (size_t i = 0; i < np && i < RR_FLAG_LIST; i++)
			sbuf_addf(&sb, " %s (%.1f%%)", rr->ccgs[ip[i]].code,
				  100.0 * mc_of(t, ip[i])->prob_over_allocation);
		if (np > RR_FLAG_LIST)
			sbuf_addf(&sb, " and %zu more (risk_by_ccg)", np - RR_FLAG_LIST);
		report_doc_add_flag(doc, REPORT_ALERT, sb.buf);
	}
	if (nr) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu more CCG%s: the business rule fails (spend + contingency + "
			  "reserve > allocation) in at least half of simulated years; most:", nr,
			  nr == 1 ? "" : "s");
		for (size_t i = 0; i < nr && i < RR_FLAG_LIST; i++)
			sbuf_addf(&sb, " %s (%.1f%%)", rr->ccgs[ir[i]].code,
				  100.0 * mc_of(t, ir[i])->prob_over_contingency_and_reserve);
		if (nr > RR_FLAG_LIST)
			sbuf_addf(&sb, " and %zu more (risk_by_ccg)", nr - RR_FLAG_LIST);
		report_doc_add_flag(doc, REPORT_WARNING, sb.buf);
	}
	sbuf_release(&sb);
	free(ih);
	free(ip);
	free(ir);
	free(kh);
	free(kp);
	free(kr);
}

static void add_flags(const struct runreport *rr, const struct rr_tables *t,
		      struct report_doc *doc)
{
	struct sbuf sb;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ], d[DATE_BUFSZ], fy[DATE_BUFSZ];
	int64_t premium_left = 0;
	size_t n_premium = 0, n_unprojected = 0, n_weak = 0;

	sbuf_init(&sb);
	if (rr->n_ccgs > RR_MAX_CCG_CHARTS) {
		add_ccg_flags_condensed(rr, t, doc);
	} else {
		for (size_t c = 0; c < rr->n_ccgs; c++) {
			const struct rr_ccg *cc = &rr->ccgs[c];
			const struct mc_summary *ms = mc_of(t, c);

			if (cc->headroom < 0) {
				sbuf_release(&sb);
				sbuf_addf(&sb, "CCG %s: planned spend, contingency and reserve exceed the "
					  "allocation by %s (headroom %s)", cc->code, gbp(-cc->headroom, a),
					  gbp(cc->headroom, b));
				report_doc_add_flag(doc, REPORT_ALERT, sb.buf);
			}
			if (ms->prob_over_allocation >= 0.5) {
				sbuf_release(&sb);
				sbuf_addf(&sb, "CCG %s: the spend exceeds the allocation in %.1f%% of simulated years",
					  cc->code, 100.0 * ms->prob_over_allocation);
				report_doc_add_flag(doc, REPORT_ALERT, sb.buf);
			} else if (ms->prob_over_contingency_and_reserve >= 0.5) {
				sbuf_release(&sb);
				sbuf_addf(&sb, "CCG %s: the business rule fails (spend + contingency + reserve "
					  "> allocation) in %.1f%% of simulated years", cc->code,
					  100.0 * ms->prob_over_contingency_and_reserve);
				report_doc_add_flag(doc, REPORT_WARNING, sb.buf);
			}
		}
	}
	for (size_t k = 0; k < rr->n_contracts; k++) {
		const struct rr_contract *co = &rr->contracts[k];
		const struct rr_practice *p = &rr->practices[co->practice];
		int m = runreport_months_to_end(rr->year, co->end);

		if (!p->in_budget || m < 1 || m > rr->contract_warning_months)
			continue;
		sbuf_release(&sb);
		sbuf_addf(&sb, "%s contract %s of practice %s %s ends on %s, within %d months of "
			  "1 April %d: re-procurement or renewal (%s a year)", co->type, co->id,
			  p->code, p->name ? p->name : "", date_format(co->end, d),
			  m <= rr->contract_soon_months ? rr->contract_soon_months :
			  rr->contract_warning_months, rr->year, gbp(co->annual_value, a));
		report_doc_add_flag(doc, m <= rr->contract_soon_months ? REPORT_WARNING : REPORT_NOTE,
				    sb.buf);
	}
	if (t->n_outliers) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu practice%s stand%s out on funding per weighted patient within "
			  "%s CCG (Tukey's fences):", t->n_outliers, t->n_outliers == 1 ? "" : "s",
			  t->n_outliers == 1 ? "s" : "", t->n_outliers == 1 ? "its" : "their");
		for (size_t i = 0, k = 0; i < rr->n_practices; i++)
			if ((t->is_low[i] || t->is_high[i]) && k++ < RR_FLAG_PRACTICES)
				sbuf_addf(&sb, " %s (%s)", rr->practices[i].code,
					  t->is_high[i] ? "high" : "low");
		if (t->n_outliers > RR_FLAG_PRACTICES)
			sbuf_addf(&sb, " and %zu more (the outliers table has them all)",
				  t->n_outliers - RR_FLAG_PRACTICES);
		report_doc_add_flag(doc, REPORT_NOTE, sb.buf);
	}
	if (t->n_mpig_dependent) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu practice%s depend%s on MPIG (at least %s%% of the budget), "
			  "which ends in 2020/21:", t->n_mpig_dependent,
			  t->n_mpig_dependent == 1 ? "" : "s", t->n_mpig_dependent == 1 ? "s" : "",
			  pct_ppm(rr->mpig_dependency_ppm, a));
		for (size_t i = 0, k = 0; i < rr->n_practices; i++)
			if (t->mpig_dependent[i] && k++ < RR_FLAG_PRACTICES)
				sbuf_addf(&sb, " %s", rr->practices[i].code);
		if (t->n_mpig_dependent > RR_FLAG_PRACTICES)
			sbuf_addf(&sb, " and %zu more (the practices table marks them all)",
				  t->n_mpig_dependent - RR_FLAG_PRACTICES);
		report_doc_add_flag(doc, REPORT_NOTE, sb.buf);
	}
	for (size_t i = 0; i < rr->n_practices; i++) {
		const struct rr_practice *p = &rr->practices[i];

		if (p->in_budget && p->pms_premium > p->pms_released) {
			premium_left += p->pms_premium - p->pms_released;
			n_premium++;
		}
	}
	if (n_premium) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "PMS premium still to be released after %s: %s a year across %zu "
			  "practice%s (to be reinvested in the CCG area)", rr_fy(rr->year, fy),
			  gbp(premium_left, a), n_premium, n_premium == 1 ? "" : "s");
		report_doc_add_flag(doc, REPORT_NOTE, sb.buf);
	}
	for (size_t c = 0; c < rr->n_ccgs; c++)
		for (size_t cat = 0; cat <= N_CATS; cat++) {
			unsigned f = series(t, c, cat)->proj.fit.flags;

			n_unprojected += (f & TREND_NOT_PROJECTED) != 0;
			n_weak += (f & TREND_WEAK_N3) != 0;
		}
	if (n_unprojected) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu CCG series %s not projected (see the flag column of projections)",
			  n_unprojected, n_unprojected == 1 ? "is" : "are");
		report_doc_add_flag(doc, REPORT_NOTE, sb.buf);
	}
	if (n_weak) {
		sbuf_release(&sb);
		sbuf_addf(&sb, "%zu CCG series %s projected from only 3 years: very wide intervals",
			  n_weak, n_weak == 1 ? "is" : "are");
		report_doc_add_flag(doc, REPORT_NOTE, sb.buf);
	}
	for (size_t i = 0; i < rr->n_notes; i++)
		report_doc_add_flag(doc, rr->notes[i].severity, rr->notes[i].text);
	sbuf_release(&sb);
}

static void add_changes(const struct runreport *rr, const struct ledger_diff *diff,
			enum status diff_st, const char *ledger, struct report_doc *doc,
			struct doc_extras *ex)
{
	size_t sec = report_doc_add_section(doc, "Changes since the previous run", true);
	struct sbuf sb;
	char fy[DATE_BUFSZ];

	report_doc_mark_run_dependent(doc, sec);
	sbuf_init(&sb);
	if (diff_st != ST_OK) {
		sbuf_addf(&sb, "The ledger %s could not be read (see the warning of this run), so "
			  "the changes since the previous run are not shown.", ledger);
	} else if (!diff->previous_run) {
		sbuf_addf(&sb, "This is the first run of dataset \"%s\" for %s recorded in the "
			  "ledger %s.", rr->dataset, rr_fy(rr->year, fy), ledger);
	} else if (!diff->n_changes) {
		sbuf_addf(&sb, "No headline figure changed since run %lld of %s (ledger %s).",
			  diff->previous_run, diff->previous_time, ledger);
	} else {
		struct rtable *t = rtable_new("changes", "Headline figures that changed");
		size_t c_ccg = rtable_add_col(t, "ccg_code", "CCG", RCOL_CODE, 0);
		size_t c_m = rtable_add_col(t, "measure", "Figure", RCOL_CODE, 0);
		size_t c_b = rtable_add_col(t, "before", "Previous run", RCOL_MONEY, 0);
		size_t c_a = rtable_add_col(t, "after", "This run", RCOL_MONEY, 0);
		size_t c_d = rtable_add_col(t, "change", "Change", RCOL_MONEY, 0);

		for (size_t i = 0; i < diff->n_changes; i++) {
			const struct ledger_change *ch = &diff->changes[i];
			size_t r = rtable_add_row(t);

			rtable_set_text(t, r, c_ccg, ch->ccg_code);
			rtable_set_text(t, r, c_m, ch->measure);
			if (ch->has_before)
				rtable_set_money(t, r, c_b, ch->before);
			if (ch->has_after)
				rtable_set_money(t, r, c_a, ch->after);
			if (ch->has_before && ch->has_after)
				rtable_set_money(t, r, c_d, ch->after - ch->before);
		}
		ex->changes = t;
		sbuf_addf(&sb, "%zu headline figure%s changed since run %lld of %s (ledger %s).",
			  diff->n_changes, diff->n_changes == 1 ? "" : "s", diff->previous_run,
			  diff->previous_time, ledger);
	}
	report_doc_add_para(doc, sec, sb.buf);
	if (ex->changes)
		report_doc_add_table(doc, sec, ex->changes, 0);
	report_doc_add_para(doc, sec, "This section differs from run to run by design: it is "
			    "the only part of the report, with the generation times, that depends on "
			    "earlier runs rather than on the inputs.");
	sbuf_release(&sb);
}

/* MPIG dependence and PMS premium exposure, in words. */
static void add_mpig_pms(const struct runreport *rr, const struct rr_tables *t,
			 struct report_doc *doc, size_t sec)
{
	size_t top[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX }, n_pms = 0;
	int64_t premium = 0, released = 0;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ], c[MONEY_BUFSZ];
	struct sbuf sb;

	/* the three largest MPIG shares (ties: earlier practice first) */
	for (size_t i = 0; i < rr->n_practices; i++) {
		const struct rr_practice *p = &rr->practices[i];

		if (!p->in_budget || p->mpig <= 0 || p->total <= 0)
			continue;
		for (int k = 0; k < 3; k++) {
			const struct rr_practice *q = top[k] == SIZE_MAX ? NULL : &rr->practices[top[k]];

			if (!q || (i128)p->mpig * q->total > (i128)q->mpig * p->total) {
				for (int m = 2; m > k; m--)
					top[m] = top[m - 1];
				top[k] = i;
				break;
			}
		}
	}
	sbuf_init(&sb);
	sbuf_addf(&sb, "MPIG: the correction factor ends in 2020/21 (methodology §2.1). ");
	if (t->n_mpig_dependent)
		sbuf_addf(&sb, "%zu practice%s receive%s at least %s%% of %s budget as MPIG "
			  "(column mpig_dependent).", t->n_mpig_dependent,
			  t->n_mpig_dependent == 1 ? "" : "s", t->n_mpig_dependent == 1 ? "s" : "",
			  pct_ppm(rr->mpig_dependency_ppm, a),
			  t->n_mpig_dependent == 1 ? "its" : "their");
	else
		sbuf_addf(&sb, "No practice receives %s%% of its budget or more as MPIG.",
			  pct_ppm(rr->mpig_dependency_ppm, a));
	if (top[0] != SIZE_MAX) {
		sbuf_puts(&sb, " The largest shares:");
		for (int k = 0; k < 3 && top[k] != SIZE_MAX; k++) {
			const struct rr_practice *p = &rr->practices[top[k]];

			sbuf_addf(&sb, "%s %s %.1f%% (%s)", k ? "," : "", p->code,
				  100.0 * (double)p->mpig / (double)p->total, gbp(p->mpig, a));
		}
		sbuf_puts(&sb, ".");
	}
	for (size_t i = 0; i < rr->n_practices; i++) {
		const struct rr_practice *p = &rr->practices[i];

		if (p->in_budget && p->pms_premium > 0) {
			premium += p->pms_premium;
			released += p->pms_released;
			n_pms++;
		}
	}
	if (n_pms)
		sbuf_addf(&sb, " PMS premium: %zu practice%s hold%s a premium of %s a year over "
			  "the GMS equivalent, of which %s is released by the budget year and %s "
			  "is still to be released (reinvested in the CCG area).", n_pms,
			  n_pms == 1 ? "" : "s", n_pms == 1 ? "s" : "", gbp(premium, a),
			  gbp(released, b), gbp(premium - released, c));
	else
		sbuf_puts(&sb, " No practice holds a PMS premium.");
	report_doc_add_para(doc, sec, sb.buf);
	sbuf_release(&sb);
}

static void build_doc(const struct runreport *rr, const struct rr_tables *t,
		      const struct ledger_diff *diff, enum status diff_st, const char *ledger,
		      struct report_doc *doc, struct doc_extras *ex)
{
	struct rr_ccg tot;
	struct sbuf sb;
	char fy[DATE_BUFSZ], who[192], a[MONEY_BUFSZ], b[MONEY_BUFSZ], m1[MONEY_BUFSZ],
	     m2[MONEY_BUFSZ], m3[MONEY_BUFSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	char n1[MONEY_BUFSZ], n2[MONEY_BUFSZ];
	size_t sec, np_budget = 0;

	total_ccg(rr, &tot);
	for (size_t i = 0; i < rr->n_practices; i++)
		np_budget += rr->practices[i].in_budget;
	sbuf_init(&sb);
	if (rr->n_ccgs == 1)
		sbuf_addf(&sb, "Delegated primary care budget %s: %s", rr_fy(rr->year, fy),
			  ccg_label(rr, 0, who, sizeof(who)));
	else
		sbuf_addf(&sb, "Delegated primary care budgets %s: %s, %zu CCGs",
			  rr_fy(rr->year, fy), rr->dataset, rr->n_ccgs);
	report_doc_init(doc, sb.buf);
	doc->generated = rr->started;
	sbuf_release(&sb);
	sbuf_addf(&sb, "%s \"%s\" (%s mode): %zu practices in the budget in %zu CCG%s; budget "
		  "year %s to %s.", strcmp(rr->mode, "dataset") ? "Input" : "Dataset", rr->source,
		  rr->mode, np_budget, rr->n_ccgs, rr->n_ccgs == 1 ? "" : "s",
		  date_format(fy_start(rr->year), d1), date_format(fy_end(rr->year), d2));
	report_doc_set_subtitle(doc, sb.buf);

	add_headline(rr, t, &tot, doc);
	add_flags(rr, t, doc);
	add_changes(rr, diff, diff_st, ledger, doc, ex);

	/* budget by category */
	sec = report_doc_add_section(doc, "Budget by category", true);
	sbuf_release(&sb);
	sbuf_addf(&sb, "Planned spend %s against %s allocation of %s: contingency %s, "
		  "non-recurrent reserve %s, headroom %s.%s%s", gbp(tot.planned, a),
		  rr->allocation_notional ? "a notional" : "an",
		  gbp(tot.allocation, b), gbp(tot.contingency, m1), gbp(tot.reserve, m2),
		  gbp(tot.headroom, m3), rr->allocation_notional ? " Allocation: " : "",
		  rr->allocation_notional && rr->allocation_note ? rr->allocation_note : "");
	report_doc_add_para(doc, sec, sb.buf);
	/* many CCGs: the chart of the whole first, then the long tables */
	if (rr->n_ccgs <= RR_MAX_CCG_CHARTS) {
		report_doc_add_table(doc, sec, t->summary, 0);
		report_doc_add_table(doc, sec, t->categories, 0);
	}
	for (size_t c = chart_first(rr); c <= chart_last(rr); c++)
		report_doc_take_chart(doc, sec, "What the practices were paid in each reviewed "
				      "year by category, and the budget year (lighter, dashed) "
				      "with its allocation.",
				      chart_stacked(rr, t, c, ccg_or_total(rr, c, &tot)));
	if (rr->n_ccgs > RR_MAX_CCG_CHARTS) {
		report_doc_add_table(doc, sec, t->summary, 0);
		report_doc_add_table(doc, sec, t->categories, 0);
	}

	/* history */
	sec = report_doc_add_section(doc, "History review", false);
	sbuf_release(&sb);
	sbuf_addf(&sb, "Due diligence (methodology §1): what the practices were paid in the %u "
		  "year%s before the budget year, by category, per registered and per weighted "
		  "patient, and the change on the year before; the last rows of each block are "
		  "the budget.", rr->history_years, rr->history_years == 1 ? "" : "s");
	{
		const struct rr_series *all = series(t, rr->n_ccgs, N_CATS);
		size_t n_missing = 0;

		for (int y = t->first_year; y < rr->year; y++) {
			bool found = false;

			for (size_t i = 0; i < all->n; i++)
				found |= all->year[i] == y;
			if (!found)
				sbuf_addf(&sb, "%s%s", n_missing++ ? ", " : " No payments are recorded "
					  "for ", rr_fy(y, fy));
		}
		if (n_missing)
			sbuf_addf(&sb, ": %s not in the history.", n_missing == 1 ? "that year is" :
				  "those years are");
	}
	report_doc_add_para(doc, sec, sb.buf);
	report_doc_add_table(doc, sec, t->history, 0);

	/* practices */
	sec = report_doc_add_section(doc, "Practices that stand out", false);
	sbuf_release(&sb);
	sbuf_addf(&sb, "Method: each practice's funding per weighted patient last year (the "
		  "five categories paid, divided by its weighted list) is compared with the "
		  "other practices of its CCG by Tukey's fences, Q1 - %g IQR and Q3 + %g IQR, "
		  "with quartiles of type 7 (linear interpolation, R's default). %zu "
		  "practice%s stand%s out. A high figure often means a PMS premium, MPIG, "
		  "high premises costs or local services; a low one a new or growing list.",
		  rr->outlier_k, rr->outlier_k, t->n_outliers, t->n_outliers == 1 ? "" : "s",
		  t->n_outliers == 1 ? "s" : "");
	report_doc_add_para(doc, sec, sb.buf);
	for (size_t c = chart_first(rr); c <= chart_last(rr); c++)
		report_doc_take_chart(doc, sec, c == rr->n_ccgs &&
				      rr->n_practices > RR_STRIP_TRIM_FROM ?
				      "All practices of all CCGs in one histogram, by funding per "
				      "weighted patient: the middle 98% (the 1% at each end, mostly "
				      "very small weighted lists, are left out), with the median. "
				      "Fences are per CCG: the outliers table lists the practices "
				      "that stand out within their CCG." :
				      "One dot per practice; the median and the fences "
				      "as vertical lines; practices beyond the fences in red.",
				      chart_strip(rr, t, c));
	if (t->outliers->n_rows)
		report_doc_add_table(doc, sec, t->outliers, 0);
	add_mpig_pms(rr, t, doc, sec);
	report_doc_add_table(doc, sec, t->practices, 60);

	/* contracts */
	sec = report_doc_add_section(doc, "Contracts ending soon", true);
	if (t->contracts->n_rows) {
		report_doc_add_table(doc, sec, t->contracts, 0);
	} else {
		sbuf_release(&sb);
		sbuf_addf(&sb, "No contract of a practice in the budget ends within %d months "
			  "of 1 April %d.", rr->contract_warning_months, rr->year);
		report_doc_add_para(doc, sec, sb.buf);
	}

	/* projections */
	sec = report_doc_add_section(doc, "Projections", false);
	sbuf_release(&sb);
	sbuf_addf(&sb, "A straight line through the reviewed years' payments and the budget "
		  "year, by least squares, projected %d years ahead with 80%% and 95%% "
		  "prediction intervals. A projection says where the recent trend leads if "
		  "nothing changes; the budget rules (uplifts, transfers between lines) are "
		  "not in it. Series with fewer than 3 years are not projected and say so.%s%s",
		  TREND_MAX_AHEAD, rr->allocation_ahead_note ? " Allocation: " : "",
		  rr->allocation_ahead_note ? rr->allocation_ahead_note : "");
	report_doc_add_para(doc, sec, sb.buf);
	for (size_t c = chart_first(rr); c <= chart_last(rr); c++)
		report_doc_take_chart(doc, sec, "Paid (points), the budget year and the projected "
				      "median with its 80% and 95% bands, against the allocation.",
				      chart_fan(rr, t, c, ccg_or_total(rr, c, &tot)));
	report_doc_add_table(doc, sec, t->projections, 60);

	/* risk */
	sec = report_doc_add_section(doc, "Risk of overspending in the budget year", true);
	sbuf_release(&sb);
	sbuf_addf(&sb, "Monte Carlo: %s simulated years of the budget year's spend, drawing the "
		  "risk drivers of methodology §4 (list growth, QOF achievement, activity-based "
		  "services, premises pipeline and rent reviews, APMS re-procurement, PMS premium "
		  "release, discretionary claims and a calibrated residual; docs/risk.md), compared "
		  "with the allocation. Seed %llu, generator %s (GSL %s), %s iterations per "
		  "random stream; the numbers do not depend on the number of threads.",
		  count(t->mc[RISK_BASE].iterations, n1),
		  (unsigned long long)t->mc[RISK_BASE].seed, t->mc[RISK_BASE].generator,
		  GSL_VERSION, count(t->mc[RISK_BASE].block_size, n2));
	report_doc_add_para(doc, sec, sb.buf);
	if (rr->risk_note)
		report_doc_add_para(doc, sec, rr->risk_note);
	if (rr->n_ccgs <= RR_MAX_CCG_CHARTS)
		report_doc_add_table(doc, sec, t->risk, 0);
	for (size_t c = chart_first(rr); c <= chart_last(rr); c++)
		report_doc_take_chart(doc, sec, "Each driver at its 10th and 90th percentile, the "
				      "others at their mean, around the spend with every driver at "
				      "its mean; widest swing first.", chart_tornado(rr, t, c));
	if (rr->n_ccgs > RR_MAX_CCG_CHARTS)
		report_doc_add_table(doc, sec, t->risk, 0);
	report_doc_add_table(doc, sec, t->tornado, 0);
	report_doc_add_table(doc, sec, t->scenarios, 0);

	/* backtest */
	sec = report_doc_add_section(doc, "Backtest", false);
	if (rr->backtest_text)
		report_doc_add_para(doc, sec, rr->backtest_text);
	else
		report_doc_add_para(doc, sec, "This report has no backtest: scoring forecasts "
				    "against what was actually paid needs the published payments of "
				    "many years (run \"pcbudget backtest\" on the NHS Payments to "
				    "General Practice files; docs/risk.md §3 gives its method and "
				    "results). Below is only the trend's in-sample check: how far the "
				    "fitted line lies from the years it was fitted to.");
	if (rr->backtest)
		report_doc_add_table(doc, sec, rr->backtest, 0);
	report_doc_add_table(doc, sec, t->trend_check, 0);

	/* the mode's tables */
	for (size_t i = 0; i < rr->n_mode_tables; i++) {
		const struct rr_table *mt = &rr->mode_tables[i];

		sec = report_doc_add_section(doc, mt->section, mt->in_summary);
		if (mt->para)
			report_doc_add_para(doc, sec, mt->para);
		report_doc_add_table(doc, sec, mt->table, mt->max_rows);
	}

	/* parameters and methodology */
	sec = report_doc_add_section(doc, "Parameters and methodology", false);
	for (size_t i = 0; i < rr->n_method_notes; i++)
		report_doc_add_para(doc, sec, rr->method_notes[i]);
	report_doc_add_para(doc, sec, "History review, projections and risk are described "
			    "with their tables above; every parameter used, its value and where "
			    "it came from is listed below and in manifest.json, which also holds "
			    "the SHA-256 of every input and output.");
	report_doc_add_table(doc, sec, t->parameters, 0);
	sbuf_release(&sb);
}

/* ------------------------------------------------------------------ */
/* the summary on stdout                                                */

static void print_money(const char *label, int64_t pence, const char *tail)
{
	char buf[MONEY_BUFSZ];

	printf("  %-30s %18s%s\n", label, money_format_gbp(pence, buf), tail ? tail : "");
}

static void print_summary(const struct runreport *rr, const struct rr_tables *t,
			  const struct ledger_diff *diff, enum status diff_st, size_t n_tables)
{
	char fy[DATE_BUFSZ], a[MONEY_BUFSZ], b[MONEY_BUFSZ], c3[MONEY_BUFSZ], label[64], tail[64];
	size_t np = 0;

	for (size_t c = 0; c < rr->n_ccgs; c++)
		np += rr->ccgs[c].n_practices;
	printf("pcbudget run: %s, budget year %s: %zu practices in %zu CCG%s\n", rr->source,
	       rr_fy(rr->year, fy), np, rr->n_ccgs, rr->n_ccgs == 1 ? "" : "s");
	for (size_t c = 0; c < rr->n_ccgs; c++) {
		const struct rr_ccg *cc = &rr->ccgs[c];
		const struct mc_summary *ms = mc_of(t, c);

		if (rr->n_ccgs > RR_MAX_CCG_CHARTS) {
			printf("  %-8s planned %s, %sallocation %s, headroom %s, P(spend > allocation) %.2f%%\n",
			       cc->code, money_format_gbp(cc->planned, a),
			       rr->allocation_notional ? "notional " : "",
			       money_format_gbp(cc->allocation, b),
			       money_format_gbp(cc->headroom, c3), 100.0 * ms->prob_over_allocation);
			continue;
		}
		printf("\nCCG %s %s (%zu practices)\n", cc->code, cc->name ? cc->name : "",
		       cc->n_practices);
		print_money(rr->allocation_notional ? "allocation (notional)" : "allocation",
			    cc->allocation, NULL);
		print_money("planned spend", cc->planned, NULL);
		snprintf(label, sizeof(label), "contingency (%s%%)", pct_ppm(rr->contingency_rate, a));
		print_money(label, cc->contingency, NULL);
		snprintf(label, sizeof(label), "non-recurrent reserve (%s%%)",
			 pct_ppm(rr->reserve_rate, a));
		print_money(label, cc->reserve, NULL);
		if (cc->allocation > 0)
			snprintf(tail, sizeof(tail), "  %.2f%% of the allocation",
				 100.0 * (double)cc->headroom / (double)cc->allocation);
		else
			tail[0] = '\0';
		print_money("headroom", cc->headroom, tail);
		print_money("simulated spend, median", ms->p50, NULL);
		print_money("simulated spend, 95th centile", ms->p95, NULL);
		printf("  %-30s %17.2f%%\n", "P(spend > allocation)", 100.0 * ms->prob_over_allocation);
		printf("  %-30s %17.2f%%\n", "P(business rule fails)",
		       100.0 * ms->prob_over_contingency_and_reserve);
	}
	if (diff_st != ST_OK) {
		printf("\nChanges since the previous run: not known (the ledger could not be read)\n");
	} else if (!diff->previous_run) {
		printf("\nChanges since the previous run: none, this is the first recorded run of "
		       "'%s' for %s\n", rr->dataset, rr_fy(rr->year, fy));
	} else if (!diff->n_changes) {
		printf("\nChanges since the previous run (run %lld of %s): none\n",
		       diff->previous_run, diff->previous_time);
	} else {
		printf("\nChanges since the previous run (run %lld of %s):\n", diff->previous_run,
		       diff->previous_time);
		for (size_t i = 0; i < diff->n_changes && i < 20; i++) {
			const struct ledger_change *ch = &diff->changes[i];

			printf("  %s %s: %s -> %s\n", ch->ccg_code, ch->measure,
			       ch->has_before ? money_format_gbp(ch->before, a) : "(none)",
			       ch->has_after ? money_format_gbp(ch->after, b) : "(none)");
		}
		if (diff->n_changes > 20)
			printf("  ... and %zu more (see report.html)\n", diff->n_changes - 20);
	}
	printf("\nReport: %s (%zu tables as CSV, pcbudget.xlsx, report.html, summary.md, "
	       "manifest.json)\n", rr->out_dir, n_tables);
}

/* ------------------------------------------------------------------ */
/* the whole stage                                                      */

char *runreport_ledger_path(const char *out_dir)
{
	size_t len = strlen(out_dir);
	const char *slash;
	char *trimmed, *p;

	while (len > 1 && out_dir[len - 1] == '/')
		len--;
	trimmed = xmemdupz(out_dir, len);
	slash = strrchr(trimmed, '/');
	if (!slash)
		p = xstrdup("ledger.sqlite");
	else if (slash == trimmed)
		p = xstrdup("/ledger.sqlite");
	else
		p = xasprintf("%.*s/ledger.sqlite", (int)(slash - trimmed), trimmed);
	free(trimmed);
	return p;
}

/* Creates the parent folders of dir (mkdir -p of its dirname). */
static enum status make_parents(const char *dir)
{
	char *p = xstrdup(dir);
	size_t len = strlen(p);
	enum status st = ST_OK;

	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	for (char *s = p + 1; *s; s++) {
		char *next = strchr(s, '/');
		struct stat sb;

		if (!next)
			break;
		*next = '\0';
		if (stat(p, &sb) != 0 && mkdir(p, 0777) != 0 && errno != EEXIST) {
			diag_error("cannot create '%s': %s", p, strerror(errno));
			st = ST_NOOUTPUT;
			break;
		}
		*next = '/';
		s = next;
	}
	free(p);
	return st;
}

/* SHA-256 over "<sha256 of input>  <path>\n" for every input: the ledger's digest. */
static void input_digest(const struct runreport *rr, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t dg[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	for (size_t i = 0; i < rr->n_inputs; i++) {
		char h[65];
		uint64_t bytes;

		if (report_sha256_file(rr->inputs[i].path, h, &bytes) != ST_OK)
			memcpy(h, "unreadable", 11);
		sha256_update(&ctx, strlen(h), (const uint8_t *)h);
		sha256_update(&ctx, 2, (const uint8_t *)"  ");
		sha256_update(&ctx, strlen(rr->inputs[i].path), (const uint8_t *)rr->inputs[i].path);
		sha256_update(&ctx, 1, (const uint8_t *)"\n");
	}
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, dg);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
}

enum status runreport_write(const struct runreport *rr)
{
	struct rr_tables t;
	struct report_doc doc;
	struct doc_extras ex = { NULL };
	struct runlock lk = { -1, NULL };
	struct ledger_diff diff;
	struct ledger_figure *figs = NULL;
	const struct rtable **tables = NULL;
	struct report_kv *info = NULL;
	char *ledger = NULL, fy[DATE_BUFSZ], started[32];
	char iter[32], block[32], threads[16];
	size_t n_figs = 0, n_tables = 0, n_info = 0;
	enum status st, diff_st = ST_OK;
	bool have_doc = false;

	memset(&diff, 0, sizeof(diff));
	if (rr->n_ccgs == 0)
		BUG("run report without a CCG");
	st = runreport_tables_build(rr, &t);
	if (st != ST_OK)
		goto out;

	st = make_parents(rr->out_dir);
	if (st != ST_OK)
		goto out;
	st = runlock_acquire(&lk, rr->out_dir, rr->wait);
	if (st != ST_OK)
		goto out;

	rr_fy(rr->year, fy);
	ledger = rr->ledger_path ? xstrdup(rr->ledger_path) : runreport_ledger_path(rr->out_dir);
	figs = runreport_ledger_figures(rr, &n_figs);
	diff_st = ledger_diff_latest(ledger, rr->dataset, fy, figs, n_figs, &diff);

	build_doc(rr, &t, &diff, diff_st, ledger, &doc, &ex);
	have_doc = true;

	/* the tables, in the workbook's order */
	tables = xcalloc(16 + rr->n_mode_tables, sizeof(*tables));
	tables[n_tables++] = t.summary;
	tables[n_tables++] = t.categories;
	tables[n_tables++] = t.history;
	tables[n_tables++] = t.practices;
	tables[n_tables++] = t.outliers;
	tables[n_tables++] = t.contracts;
	tables[n_tables++] = t.projections;
	tables[n_tables++] = t.risk;
	tables[n_tables++] = t.tornado;
	tables[n_tables++] = t.scenarios;
	if (rr->backtest)
		tables[n_tables++] = rr->backtest;
	tables[n_tables++] = t.trend_check;
	for (size_t i = 0; i < rr->n_mode_tables; i++)
		tables[n_tables++] = rr->mode_tables[i].table;
	tables[n_tables++] = t.parameters;

	info = xcalloc(rr->n_info + 11, sizeof(*info));
	info[n_info++] = (struct report_kv){ "mode", rr->mode };
	info[n_info++] = (struct report_kv){ "dataset", rr->dataset };
	info[n_info++] = (struct report_kv){ "source", rr->source };
	info[n_info++] = (struct report_kv){ "budget_year", fy };
	if (rr->allocation_notional)
		info[n_info++] = (struct report_kv){
			"allocation", rr->allocation_note ? rr->allocation_note : "notional" };
	snprintf(iter, sizeof(iter), "%zu", t.mc[RISK_BASE].iterations);
	snprintf(block, sizeof(block), "%zu", t.mc[RISK_BASE].block_size);
	snprintf(threads, sizeof(threads), "%d", t.mc[RISK_BASE].threads);
	info[n_info++] = (struct report_kv){ "iterations", iter };
	info[n_info++] = (struct report_kv){ "block_size", block };
	info[n_info++] = (struct report_kv){ "threads", threads };
	info[n_info++] = (struct report_kv){ "gsl_version", GSL_VERSION };
	info[n_info++] = (struct report_kv){
		"run_dependent",
		"started, finished, command_line, run.threads, and the outputs' checksums of "
		"report.html, summary.md and pcbudget.xlsx: they hold the run's times and the "
		"changes since the previous run (marked in the HTML and Markdown with "
		"<!-- pcbudget:run-dependent --> comments; the workbook's creation date is in "
		"docProps/core.xml); every CSV file depends on the inputs, parameters and seed only" };
	for (size_t i = 0; i < rr->n_info; i++)
		info[n_info++] = rr->info[i];

	diag_info("writing the report folder '%s'", rr->out_dir);
	st = report_folder_write(rr->out_dir, &doc, tables, n_tables,
				 &(struct report_manifest){
					 .tool_version = PCBUDGET_VERSION, .argc = rr->argc,
					 .argv = rr->argv, .started = rr->started, .info = info,
					 .n_info = n_info, .has_seed = true, .seed = rr->mc.seed,
					 .generator = MC_GENERATOR, .params = rr->params,
					 .n_params = rr->n_params, .inputs = rr->inputs,
					 .n_inputs = rr->n_inputs });
	if (st != ST_OK)
		goto out;
	diag_info("published '%s'", rr->out_dir);

	/* the ledger: after publishing; a failure is a warning only */
	{
		struct ledger_diff recorded;
		long long id = 0;
		char digest[65];

		input_digest(rr, digest);
		if (ledger_record(ledger, rr->dataset, fy, report_iso8601(rr->started, started),
				  digest, figs, n_figs, &recorded, &id) == ST_OK)
			diag_info("recorded as run %lld in the ledger '%s'", id, ledger);
		ledger_diff_release(&recorded);
	}
	runlock_release(&lk);
	if (!diag_is_quiet())
		print_summary(rr, &t, &diff, diff_st, n_tables);
out:
	runlock_release(&lk);
	if (have_doc)
		report_doc_release(&doc);
	rtable_free(ex.changes);
	runreport_tables_release(&t);
	ledger_diff_release(&diff);
	free(figs);
	free(tables);
	free(info);
	free(ledger);
	return st;
}

/*
 * rules.c - the rules of the delegated budget transfer methodology,
 * one function per rule (methodology §2).
 *
 * Pure functions at the heart of the pipeline: plain numbers in, pence
 * and a derivation (rule, formula with the actual numbers, parameters)
 * out.  Every product is formed in 128 bits, checked, and rounded once,
 * at the end, half away from zero (method_div_round()); a product or a
 * result too large for int64 pence sets d->overflow instead of wrapping
 * (absurd inputs; method_compute() reports them).  Formulas use UTF-8
 * '×', '−', '÷' and '£' because they are read by people.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "method.h"
#include "money.h"

typedef method_i128 i128;

#define PPM 1000000

#define I128_MAX (((i128)INT64_MAX << 64) | (i128)UINT64_MAX)

/* num/den rounded half away from zero; |num| < 2^127, den != 0. */
static i128 div_round(i128 num, i128 den)
{
	bool neg = (num < 0) != (den < 0);
	i128 n = num < 0 ? -num : num, d = den < 0 ? -den : den;
	i128 q = n / d, r = n % d;

	if (r >= d - r)
		q++;
	return neg ? -q : q;
}

int64_t method_div_round(i128 num, i128 den)
{
	return (int64_t)div_round(num, den);
}

bool method_div_fits(i128 num, i128 den, int64_t *out)
{
	i128 q;

	if (num < -I128_MAX || den == 0)
		return false;
	q = div_round(num, den);
	if (q > INT64_MAX || q < -INT64_MAX)
		return false;
	*out = (int64_t)q;
	return true;
}

/* a * b, or 0 with d->overflow set when it does not fit in 128 bits */
static i128 mul(struct deriv *d, i128 a, i128 b)
{
	i128 r;

	if (__builtin_mul_overflow(a, b, &r) || r < -I128_MAX) {
		d->overflow = true;
		return 0;
	}
	return r;
}

/* d->amount = num/den rounded, or 0 with d->overflow set. */
static int64_t settle(struct deriv *d, i128 num, i128 den)
{
	if (!method_div_fits(num, den, &d->amount)) {
		d->overflow = true;
		d->amount = 0;
	}
	return d->amount;
}

/* ------------------------------------------------------------------ */
/* Formatting for formulas                                              */

static char *gbp(int64_t pence, char buf[MONEY_BUFSZ])
{
	return money_format_gbp(pence, buf);
}

/* "4.9%" from ppm. */
static char *pct(int64_t ppm, char buf[MONEY_BUFSZ])
{
	size_t n;

	fixed_format(ppm, 4, buf);
	n = strlen(buf);
	buf[n] = '%';
	buf[n + 1] = '\0';
	return buf;
}

/* A plain amount for parameter lists: "85.35". */
static char *plain(int64_t pence, char buf[MONEY_BUFSZ])
{
	return money_format(pence, buf);
}

static void set_rule(struct deriv *d, const char *rule)
{
	snprintf(d->rule, sizeof(d->rule), "%s", rule);
	d->formula[0] = '\0';
	d->params[0] = '\0';
	d->amount = 0;
	d->overflow = false;
}

/* ------------------------------------------------------------------ */
/* Core contract (§2.1)                                                 */

int64_t rule_gms_global_sum(int64_t weighted, int64_t price, int64_t ooh_ppm,
			    bool opted_out, const char *section,
			    struct deriv *d)
{
	char w[MONEY_BUFSZ], p[MONEY_BUFSZ], o[MONEY_BUFSZ], pp[MONEY_BUFSZ];

	set_rule(d, "GMS global sum");
	fixed_format(weighted, WEIGHTED_DECIMALS, w);
	if (opted_out) {
		settle(d, mul(d, mul(d, weighted, price), (i128)PPM - ooh_ppm),
		       (i128)1000000000 * PPM);
		snprintf(d->formula, sizeof(d->formula),
			 "%s weighted patients × %s × (1 − %s out-of-hours deduction)",
			 w, gbp(price, p), pct(ooh_ppm, o));
		snprintf(d->params, sizeof(d->params),
			 "[%s] global_sum_price=%s ooh_deduction=%s", section,
			 plain(price, pp), o);
	} else {
		settle(d, mul(d, weighted, price), 1000000000);
		snprintf(d->formula, sizeof(d->formula),
			 "%s weighted patients × %s (no out-of-hours opt-out)", w,
			 gbp(price, p));
		snprintf(d->params, sizeof(d->params), "[%s] global_sum_price=%s",
			 section, plain(price, pp));
	}
	return d->amount;
}

int64_t rule_mpig(int64_t cf, int year, struct deriv *d)
{
	int k = year - 2013;
	int sevenths = k <= 0 ? 7 : k >= 7 ? 0 : 7 - k;
	char c[MONEY_BUFSZ];

	set_rule(d, "MPIG correction factor");
	settle(d, mul(d, cf, sevenths), 7);
	snprintf(d->formula, sizeof(d->formula),
		 "%s correction factor (2013/14) × %d/7 left after %d year%s of phase-out",
		 gbp(cf, c), sevenths, k < 0 ? 0 : k, k == 1 ? "" : "s");
	snprintf(d->params, sizeof(d->params),
		 "methodology §2.1: phased out in sevenths from 2014/15");
	return d->amount;
}

int64_t rule_pms_baseline(int64_t baseline, int64_t uplift_ppm,
			  const char *section, struct deriv *d)
{
	char b[MONEY_BUFSZ], u[MONEY_BUFSZ];

	set_rule(d, "PMS contract baseline");
	settle(d, mul(d, baseline, (i128)PPM + uplift_ppm), PPM);
	snprintf(d->formula, sizeof(d->formula), "%s baseline × (1 + %s uplift)",
		 gbp(baseline, b), pct(uplift_ppm, u));
	snprintf(d->params, sizeof(d->params), "[%s] pms_uplift=%s", section, u);
	return d->amount;
}

int64_t rule_pms_premium_release(int64_t baseline, int64_t gms_equivalent,
				 bool has_release, int release_start,
				 int release_years, int year,
				 int64_t uplift_ppm, const char *section,
				 struct deriv *d)
{
	i128 premium = baseline > gms_equivalent ? (i128)baseline - gms_equivalent : 0;
	char b[MONEY_BUFSZ], g[MONEY_BUFSZ], u[MONEY_BUFSZ], fy[DATE_BUFSZ];
	int k;

	set_rule(d, "PMS premium released");
	if (!has_release || release_years <= 0) {
		d->amount = 0;
		snprintf(d->formula, sizeof(d->formula), "no premium release schedule");
		return 0;
	}
	k = year - release_start + 1;
	if (k < 0)
		k = 0;
	if (k > release_years)
		k = release_years;
	d->amount = -settle(d, mul(d, mul(d, premium, k), (i128)PPM + uplift_ppm),
			    (i128)release_years * PPM);
	snprintf(d->formula, sizeof(d->formula),
		 "−(%s baseline − %s GMS equivalent) × %d/%d released (from %s) × (1 + %s uplift)",
		 gbp(baseline, b), gbp(gms_equivalent, g), k, release_years,
		 fy_format(release_start, fy), pct(uplift_ppm, u));
	snprintf(d->params, sizeof(d->params), "[%s] pms_uplift=%s", section, u);
	return d->amount;
}

/* 1 April of the budget year plus months. */
static int32_t months_after_start(int year, int64_t months)
{
	int64_t m = 3 + months;	/* April is month index 3 */

	return date_from_ymd(year + (int)(m / 12), (int)(m % 12) + 1, 1);
}

bool method_ends_within(bool has_end, int32_t end, int year,
			int64_t warn_months)
{
	return has_end && end < months_after_start(year, warn_months);
}

int64_t rule_apms(int64_t value, int64_t uplift_ppm, bool has_end,
		  int32_t end, int year, int64_t warn_months,
		  const char *section, struct deriv *d)
{
	char v[MONEY_BUFSZ], u[MONEY_BUFSZ], e[DATE_BUFSZ];
	int n;

	set_rule(d, "APMS contract value");
	settle(d, mul(d, value, (i128)PPM + uplift_ppm), PPM);
	n = snprintf(d->formula, sizeof(d->formula), "%s contract value × (1 + %s uplift)",
		     gbp(value, v), pct(uplift_ppm, u));
	if (method_ends_within(has_end, end, year, warn_months) && n > 0)
		snprintf(d->formula + n, sizeof(d->formula) - (size_t)n,
			 "; the contract ends on %s, within %lld months: re-procurement",
			 date_format(end, e), (long long)warn_months);
	snprintf(d->params, sizeof(d->params), "[%s] apms_uplift=%s", section, u);
	return d->amount;
}

/* ------------------------------------------------------------------ */
/* Enhanced services (§2.2)                                             */

int64_t rule_es_per_head(const char *service, int64_t rate,
			 int64_t registered, const char *rate_source,
			 struct deriv *d)
{
	char r[MONEY_BUFSZ], pr[MONEY_BUFSZ];

	set_rule(d, "DES per head");
	settle(d, mul(d, rate, registered), 1);
	snprintf(d->formula, sizeof(d->formula), "%s: %lld registered patients × %s",
		 service, (long long)registered, gbp(rate, r));
	snprintf(d->params, sizeof(d->params), "%s=%s", rate_source, plain(rate, pr));
	return d->amount;
}

int64_t rule_es_activity(const char *service, int64_t units, int64_t rate,
			 int64_t growth_ppm, const char *rate_source,
			 const char *section, struct deriv *d)
{
	char un[MONEY_BUFSZ], r[MONEY_BUFSZ], g[MONEY_BUFSZ], pr[MONEY_BUFSZ];

	set_rule(d, "DES activity");
	settle(d, mul(d, mul(d, units, rate), (i128)PPM + growth_ppm), (i128)PPM * PPM);
	snprintf(d->formula, sizeof(d->formula),
		 "%s: %s units last year × %s × (1 + %s growth)", service,
		 fixed_format(units, MICRO_DECIMALS, un), gbp(rate, r), pct(growth_ppm, g));
	snprintf(d->params, sizeof(d->params), "%s=%s; [%s] es_activity_growth=%s",
		 rate_source, plain(rate, pr), section, g);
	return d->amount;
}

int64_t rule_es_last_year(const char *service, int64_t payment,
			  int64_t growth_ppm, bool is_les,
			  const char *section, struct deriv *d)
{
	char p[MONEY_BUFSZ], g[MONEY_BUFSZ];

	set_rule(d, is_les ? "LES last year's payment" : "DES last year's payment");
	settle(d, mul(d, payment, (i128)PPM + growth_ppm), PPM);
	snprintf(d->formula, sizeof(d->formula), "%s: %s paid last year × (1 + %s growth)",
		 service, gbp(payment, p), pct(growth_ppm, g));
	snprintf(d->params, sizeof(d->params), "[%s] %s=%s", section,
		 is_les ? "les_growth" : "es_activity_growth", g);
	return d->amount;
}

/* ------------------------------------------------------------------ */
/* QOF (§2.3)                                                           */

int64_t rule_qof(int64_t points, int64_t point_value, int64_t registered,
		 int64_t national_average_list, int64_t prevalence,
		 const char *section, struct deriv *d)
{
	char pt[MONEY_BUFSZ], pv[MONEY_BUFSZ], nal[MONEY_BUFSZ], pf[MONEY_BUFSZ],
	     ppv[MONEY_BUFSZ];

	set_rule(d, "QOF aspiration");
	settle(d, mul(d, mul(d, mul(d, points, point_value), registered), prevalence),
	       mul(d, 100, national_average_list));
	fixed_format(national_average_list, 6, nal);
	snprintf(d->formula, sizeof(d->formula),
		 "%s points last year × %s × CPI (%lld ÷ %s) × prevalence %s",
		 fixed_format(points, POINTS_DECIMALS, pt), gbp(point_value, pv),
		 (long long)registered, nal, fixed_format(prevalence, MICRO_DECIMALS, pf));
	snprintf(d->params, sizeof(d->params),
		 "[%s] qof_point_value=%s national_average_list=%s", section,
		 plain(point_value, ppv), nal);
	return d->amount;
}

void rule_qof_phasing(int64_t budget, int64_t share_ppm, int64_t *monthly,
		      int64_t *balance)
{
	/* rounded down so twelve aspiration payments never exceed the share */
	*monthly = (int64_t)((i128)budget * share_ppm / ((i128)12 * PPM));
	*balance = budget - 12 * *monthly;
}

/* ------------------------------------------------------------------ */
/* Premises (§2.4)                                                      */

int64_t rule_premises(enum premises_type type, int64_t amount,
		      bool has_review, int32_t review, int year,
		      int64_t uplift_ppm, const char *section,
		      struct deriv *d)
{
	char a[MONEY_BUFSZ], u[MONEY_BUFSZ], r[DATE_BUFSZ], rule[DERIV_RULE_MAX];
	int days = fy_days(year);

	snprintf(rule, sizeof(rule), "premises: %s", premises_type_names[type]);
	set_rule(d, rule);
	if (has_review && review >= fy_start(year) && review <= fy_end(year)) {
		int after = (int)(fy_end(year) - review + 1);

		i128 up = mul(d, mul(d, amount, uplift_ppm), after);

		settle(d, d->overflow ? 0 : (i128)amount + div_round(up, (i128)PPM * days), 1);
		snprintf(d->formula, sizeof(d->formula),
			 "%s + %s × %s review uplift × %d/%d days from the review on %s",
			 gbp(amount, a), a, pct(uplift_ppm, u), after, days,
			 date_format(review, r));
		snprintf(d->params, sizeof(d->params), "[%s] rent_review_uplift=%s", section, u);
	} else {
		d->amount = amount;
		snprintf(d->formula, sizeof(d->formula), "%s a year%s%s", gbp(amount, a),
			 has_review ? "; next review on " : "",
			 has_review ? date_format(review, r) : "");
	}
	return d->amount;
}

int64_t rule_pipeline(const char *scheme, int64_t annual_cost, int32_t start,
		      int year, int64_t probability, bool weighted,
		      const char *section, struct deriv *d)
{
	char c[MONEY_BUFSZ], s[DATE_BUFSZ], p[MONEY_BUFSZ];
	int months;

	set_rule(d, "premises: pipeline scheme");
	if (start <= fy_start(year)) {
		months = 12;
	} else if (start > fy_end(year)) {
		months = 0;
	} else {
		int y, m, dd, first;

		date_to_ymd(start, &y, &m, &dd);
		first = (m + 8) % 12 + (dd != 1);	/* April = 0 */
		months = 12 - first;
	}
	settle(d, mul(d, mul(d, annual_cost, months), weighted ? probability : PPM),
	       (i128)12 * PPM);
	fixed_format(probability, MICRO_DECIMALS, p);
	snprintf(d->formula, sizeof(d->formula),
		 "%s: %s a year × %d/12 months live from %s%s%s%s", scheme,
		 gbp(annual_cost, c), months, date_format(start, s),
		 weighted ? " × probability " : " (probability ", p,
		 weighted ? "" : " left to the risk model)");
	snprintf(d->params, sizeof(d->params), "[%s] pipeline_probability_weighted=%s",
		 section, weighted ? "yes" : "no");
	return d->amount;
}

/* ------------------------------------------------------------------ */
/* Part year, reserves, target                                          */

int64_t rule_part_year(int64_t full, int days, int year_days, struct deriv *d)
{
	char f[MONEY_BUFSZ];

	set_rule(d, "part-year adjustment");
	d->amount = -settle(d, mul(d, full, year_days - days), year_days);
	snprintf(d->formula, sizeof(d->formula),
		 "−%s × %d/%d days the practice is not open", gbp(full, f),
		 year_days - days, year_days);
	return d->amount;
}

int64_t rule_share(int64_t amount, int64_t rate_ppm)
{
	return method_div_round((i128)amount * rate_ppm, PPM);
}

bool rule_distance_from_target(int64_t allocation, int64_t target, int64_t *bp)
{
	return method_div_fits(((i128)allocation - target) * 10000, target, bp);
}

/*
 * svg.h - inline SVG charts for the HTML report, drawn from plain arrays.
 *
 * The report writer (report_html.c) embeds these charts in report.html;
 * the pipeline decides what to plot and passes plain arrays, so this
 * module knows nothing of budgets or practices.  Each chart has a
 * <title> and <desc> for screen readers, axis ticks at "nice" values, a
 * legend and a <title> tooltip on every mark.  All text is XML-escaped.
 * Output is deterministic: coordinates are printed with one decimal,
 * labels with a fixed precision, and ties are broken by index, so the
 * same arrays always give the same bytes.
 *
 * Values are doubles (pounds, fractions or counts, as `unit` says): a
 * chart is a picture, and its exact figures live in the tables.  A
 * non-finite value (SVG_NONE) means "no value here" and is not drawn.
 * The chart functions append to an sbuf and cannot fail.
 */
#ifndef PCBUDGET_SVG_H
#define PCBUDGET_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include <math.h>

#include "sbuf.h"

/* "No value here" for chart arrays (a double NaN; clang's NAN is a float). */
#define SVG_NONE ((double)NAN)

enum svg_unit {
	SVG_UNIT_NUMBER,	/* plain numbers, k/m suffixes on axes */
	SVG_UNIT_GBP,		/* pounds: "£1.5m", "£250k", "£84.20" */
	SVG_UNIT_PERCENT	/* fractions: 0.05 shown as "5%" */
};

/*
 * Stacked bars: one bar per x (years), one segment per series
 * (categories).  Positive values stack up from zero, negative ones down.
 * Bars with is_budget[x] true (the budget year) are drawn lighter with a
 * dashed outline and "(budget)" under the label.  line[x], if given, is
 * drawn as a marker across each bar (e.g. the allocation).
 */
struct svg_stacked {
	const char *title;			/* required */
	const char *desc;			/* NULL = generated */
	enum svg_unit unit;
	size_t n_x;
	const char *const *x_labels;		/* n_x */
	size_t n_series;
	const char *const *series_labels;	/* n_series */
	const double *values;			/* n_x * n_series, values[x * n_series + s] */
	const bool *is_budget;			/* n_x, or NULL */
	const double *line;			/* n_x, or NULL */
	const char *line_label;			/* legend text for line */
};

void svg_stacked_bars(struct sbuf *out, const struct svg_stacked *c);

/*
 * Fan chart: actual values (history) as a line with points, then the
 * projection's median with its 80% and 95% bands, against a reference
 * line (the allocation).  Every array has n_x entries; SVG_NONE where the
 * series has no value (history before the projection and vice versa).
 * Bands are drawn over runs of x where both bounds are finite.
 */
struct svg_fan {
	const char *title;
	const char *desc;
	enum svg_unit unit;
	size_t n_x;
	const char *const *x_labels;
	const double *actual;		/* or NULL */
	const double *median;		/* or NULL */
	const double *lo80, *hi80;	/* or NULL */
	const double *lo95, *hi95;	/* or NULL */
	const double *line;		/* or NULL */
	const char *line_label;
};

void svg_fan(struct sbuf *out, const struct svg_fan *c);

/*
 * Tornado: for each driver, the outcome when it is at its low and at its
 * high setting, as bars from the base outcome.  Drivers are drawn from
 * the widest swing down (ties in input order).  A non-finite low or high
 * is drawn as no swing on that side.  Names wider than the label column
 * are cut with "…" on screen and kept whole in the tooltip.
 */
struct svg_tornado {
	const char *title;
	const char *desc;
	enum svg_unit unit;
	double base;			/* the outcome with every driver central */
	const char *base_label;		/* e.g. "planned spend" */
	const char *low_label;		/* legend, e.g. "driver at P10" */
	const char *high_label;		/* legend, e.g. "driver at P90" */
	size_t n;
	const char *const *labels;	/* n driver names */
	const double *low, *high;	/* n outcomes */
};

void svg_tornado(struct sbuf *out, const struct svg_tornado *c);

/*
 * Distribution of one value across many items (funding per weighted
 * patient across practices): a histogram above a strip of dots, one per
 * item, with outliers drawn in red, labelled (the most extreme few) and
 * named in their tooltips.  The median and the fences are drawn as
 * vertical lines.  With more than 2000 items only the outliers get dots.
 */
struct svg_strip {
	const char *title;
	const char *desc;
	enum svg_unit unit;
	const char *axis_label;		/* e.g. "£ per weighted patient" */
	size_t n;
	const double *values;		/* n */
	const char *const *labels;	/* n item names, or NULL */
	const bool *is_outlier;		/* n, or NULL = none marked */
	double fence_lo, fence_hi;	/* SVG_NONE = not drawn */
};

void svg_strip(struct sbuf *out, const struct svg_strip *c);

/*
 * Tukey's fences over the finite values of v[0..n): Q1 - 1.5 IQR and
 * Q3 + 1.5 IQR, quartiles by linear interpolation between order
 * statistics (Hyndman-Fan type 7, as R's default and numpy).  Sets
 * is_outlier[i] for finite values outside the fences (false for the
 * rest).  Returns the number of outliers, or 0 with *lo and *hi NaN
 * when fewer than 4 values are finite.
 */
size_t svg_tukey_outliers(const double *v, size_t n, bool *is_outlier,
			  double *lo, double *hi);

/*
 * "Nice" axis ticks covering [lo, hi] with about `target` ticks (>= 2):
 * steps of 1, 2 or 5 times a power of ten.  Sets *start (a multiple of
 * *step at or below lo), *step and *n (ticks from start up to the first
 * multiple at or above hi).  A degenerate range is widened first.
 */
void svg_nice_ticks(double lo, double hi, int target, double *start,
		    double *step, int *n);

/*
 * Formats v for an axis tick whose spacing is step and whose largest
 * magnitude is span_max: "£1.5m", "£250k", "£84", "12%", "1,200".
 * buf needs 48 bytes.  Returns buf.
 */
char *svg_format_tick(enum svg_unit unit, double v, double step,
		      double span_max, char buf[48]);

/*
 * Formats v for a tooltip or a value label: pounds to the penny below
 * £1,000 and to the pound above, with separators ("£12,345,678"),
 * percentages with one decimal ("5.2%"), numbers with two ("1,234.50").
 * buf needs 48 bytes.  Returns buf.
 */
char *svg_format_value(enum svg_unit unit, double v, char buf[48]);

#endif

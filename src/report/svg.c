/*
 * svg.c - inline SVG charts for the HTML report.
 *
 * The last stage of the pipeline draws its pictures here: report_html.c
 * asks for a chart, the pipeline supplies plain arrays, and this module
 * turns them into SVG text.  Every chart is drawn into a body buffer
 * first so its final height is known before the <svg> element opens.
 * Coordinates are printed with one decimal ("%.1f", never "-0.0") and
 * every label through the same formatters, so output is byte-for-byte
 * deterministic.  No I/O, no randomness: the dot strip's jitter is a hash
 * of the item's index.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "xalloc.h"

#define CHART_W 760.0
#define FONT "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

/* Okabe-Ito colours, safe for the common colour-vision deficiencies. */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
	"#D55E00", "#332288", "#999999", "#117733", "#AA4499",
	"#88CCEE", "#F0E442"
};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))

static const char *colour(size_t i)
{
	return palette[i % N_PALETTE];
}

static bool is_zero(double v)
{
	return fpclassify(v) == FP_ZERO;
}

static bool finite_at(const double *v, size_t i)
{
	return v && isfinite(v[i]);
}

/* ------------------------------------------------------------------ */
/* number and text formatting                                          */

/* Appends v with one decimal; "-0.0" becomes "0.0", non-finite 0. */
static void num(struct sbuf *sb, double v)
{
	char buf[48];

	if (!isfinite(v))
		v = 0.0;
	snprintf(buf, sizeof(buf), "%.1f", v);
	if (!strcmp(buf, "-0.0"))
		memcpy(buf, "0.0", 4);
	sbuf_puts(sb, buf);
}

/* Formats |x| with dec decimals and thousands separators into out. */
static void grouped(double x, int dec, char *out, size_t outsz)
{
	char digits[48];
	size_t int_len, j = 0;

	if (!(fabs(x) < 1e15)) {	/* not a chart value: keep it short */
		snprintf(out, outsz, "%.3g", fabs(x));
		return;
	}
	snprintf(digits, sizeof(digits), "%.*f", dec, fabs(x));
	int_len = strcspn(digits, ".");
	for (size_t i = 0; digits[i] && j + 2 < outsz; i++) {
		if (i > 0 && i < int_len && (int_len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
}

/* True if the formatted magnitude in s is all zeros. */
static bool is_zero_text(const char *s)
{
	for (; *s; s++)
		if (*s >= '1' && *s <= '9')
			return false;
	return true;
}

char *svg_format_tick(enum svg_unit unit, double v, double step,
		      double span_max, char buf[48])
{
	double scale = 1.0, s;
	const char *suffix = "";
	char mag[40];
	int dec;

	if (!isfinite(v)) {
		snprintf(buf, 48, "n/a");
		return buf;
	}
	if (unit == SVG_UNIT_PERCENT) {
		v *= 100.0;
		step *= 100.0;
	} else if (span_max >= 1e9) {
		scale = 1e9;
		suffix = "bn";
	} else if (span_max >= 1e6) {
		scale = 1e6;
		suffix = "m";
	} else if (span_max >= 1e4) {
		scale = 1e3;
		suffix = "k";
	}
	s = step / scale;
	dec = (s > 0 && isfinite(s)) ? (int)-floor(log10(s) + 1e-9) : 0;
	if (dec < 0)
		dec = 0;
	if (dec > 3)
		dec = 3;
	grouped(v / scale, dec, mag, sizeof(mag));
	bool neg = v < 0 && !is_zero_text(mag);

	switch (unit) {
	case SVG_UNIT_GBP:
		snprintf(buf, 48, "%s£%s%s", neg ? "-" : "", mag, suffix);
		break;
	case SVG_UNIT_PERCENT:
		snprintf(buf, 48, "%s%s%%", neg ? "-" : "", mag);
		break;
	case SVG_UNIT_NUMBER:
		snprintf(buf, 48, "%s%s%s", neg ? "-" : "", mag, suffix);
		break;
	}
	return buf;
}

char *svg_format_value(enum svg_unit unit, double v, char buf[48])
{
	char mag[40];
	bool neg;

	if (!isfinite(v)) {
		snprintf(buf, 48, "n/a");
		return buf;
	}
	switch (unit) {
	case SVG_UNIT_GBP:
		grouped(v, fabs(v) < 1000.0 ? 2 : 0, mag, sizeof(mag));
		neg = v < 0 && !is_zero_text(mag);
		snprintf(buf, 48, "%s£%s", neg ? "-" : "", mag);
		break;
	case SVG_UNIT_PERCENT:
		grouped(v * 100.0, 1, mag, sizeof(mag));
		neg = v < 0 && !is_zero_text(mag);
		snprintf(buf, 48, "%s%s%%", neg ? "-" : "", mag);
		break;
	case SVG_UNIT_NUMBER:
		grouped(v, 2, mag, sizeof(mag));
		neg = v < 0 && !is_zero_text(mag);
		snprintf(buf, 48, "%s%s", neg ? "-" : "", mag);
		break;
	}
	return buf;
}

/* Rough width of s in pixels at font size fs (counts UTF-8 characters). */
static double text_w(const char *s, double fs)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return (double)n * fs * 0.58;
}

/* <text> with escaped content.  anchor: "start", "middle" or "end". */
static void text(struct sbuf *sb, double x, double y, const char *anchor,
		 const char *extra, const char *s)
{
	sbuf_puts(sb, "<text x=\"");
	num(sb, x);
	sbuf_puts(sb, "\" y=\"");
	num(sb, y);
	sbuf_addf(sb, "\" text-anchor=\"%s\"%s%s>", anchor, extra ? " " : "",
		  extra ? extra : "");
	sbuf_add_xml(sb, s);
	sbuf_puts(sb, "</text>\n");
}

static void line(struct sbuf *sb, double x1, double y1, double x2, double y2,
		 const char *style)
{
	sbuf_puts(sb, "<line x1=\"");
	num(sb, x1);
	sbuf_puts(sb, "\" y1=\"");
	num(sb, y1);
	sbuf_puts(sb, "\" x2=\"");
	num(sb, x2);
	sbuf_puts(sb, "\" y2=\"");
	num(sb, y2);
	sbuf_addf(sb, "\" %s/>\n", style);
}

/* Opens a <rect ...>; the caller adds a <title> and closes it. */
static void rect_open(struct sbuf *sb, double x, double y, double w, double h,
		      const char *style)
{
	if (h < 0) {
		y += h;
		h = -h;
	}
	if (w < 0) {
		x += w;
		w = -w;
	}
	sbuf_puts(sb, "<rect x=\"");
	num(sb, x);
	sbuf_puts(sb, "\" y=\"");
	num(sb, y);
	sbuf_puts(sb, "\" width=\"");
	num(sb, w);
	sbuf_puts(sb, "\" height=\"");
	num(sb, h);
	sbuf_addf(sb, "\" %s>", style);
}

static void tooltip(struct sbuf *sb, const char *a, const char *b,
		    const char *c)
{
	sbuf_puts(sb, "<title>");
	sbuf_add_xml(sb, a);
	sbuf_add_xml(sb, b);
	sbuf_add_xml(sb, c);
	sbuf_puts(sb, "</title>");
}

/* Wraps body in the <svg> element with the accessible title and desc. */
static void emit(struct sbuf *out, const char *title, const char *desc,
		 double height, struct sbuf *body)
{
	sbuf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
		       "role=\"img\" viewBox=\"0 0 ");
	num(out, CHART_W);
	sbuf_addch(out, ' ');
	num(out, height);
	sbuf_puts(out, "\" width=\"");
	num(out, CHART_W);
	sbuf_puts(out, "\" height=\"");
	num(out, height);
	sbuf_puts(out, "\" font-family=\"" FONT "\" font-size=\"12\">\n<title>");
	sbuf_add_xml(out, title);
	sbuf_puts(out, "</title>\n<desc>");
	sbuf_add_xml(out, desc);
	sbuf_puts(out, "</desc>\n<rect x=\"0\" y=\"0\" width=\"100%\" "
		       "height=\"100%\" fill=\"#ffffff\"/>\n");
	text(out, 12, 22, "start", "font-size=\"15\" font-weight=\"600\" "
				   "fill=\"#1a1a1a\"", title);
	sbuf_add(out, body->buf, body->len);
	sbuf_puts(out, "</svg>\n");
}

static void no_data(struct sbuf *out, const char *title)
{
	struct sbuf body;

	sbuf_init(&body);
	text(&body, CHART_W / 2, 80, "middle", "fill=\"#555\"",
	     "No data to chart.");
	emit(out, title, "No data to chart.", 120, &body);
	sbuf_release(&body);
}

/* ------------------------------------------------------------------ */
/* axes and legends                                                     */

/* The 1, 2 or 5 times a power of ten nearest to x (x > 0). */
static double nice(double x)
{
	double e = floor(log10(x)), f = x / pow(10.0, e);
	double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;

	return nf * pow(10.0, e);
}

void svg_nice_ticks(double lo, double hi, int target, double *start,
		    double *step, int *n)
{
	double st, s0, s1;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0.0;
		hi = 1.0;
	}
	if (hi < lo) {
		double t = lo;

		lo = hi;
		hi = t;
	}
	if (!(hi - lo > 1e-12 * fmax(fabs(lo), fabs(hi)))) {
		double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;

		lo -= pad;
		hi += pad;
	}
	if (target < 2)
		target = 2;
	st = nice((hi - lo) / (target - 1));
	s0 = floor(lo / st + 1e-9) * st;
	s1 = ceil(hi / st - 1e-9) * st;
	*start = s0;
	*step = st;
	*n = (int)llround((s1 - s0) / st) + 1;
}

struct axis {
	double lo, hi, step, span;
	int n;
	enum svg_unit unit;
};

static void axis_init(struct axis *a, double lo, double hi, enum svg_unit unit,
		      int target)
{
	svg_nice_ticks(lo, hi, target, &a->lo, &a->step, &a->n);
	a->hi = a->lo + a->step * (a->n - 1);
	a->span = fmax(fabs(a->lo), fabs(a->hi));
	a->unit = unit;
}

static double axis_tick(const struct axis *a, int i)
{
	double v = a->lo + a->step * i;

	return fabs(v) < a->step * 1e-9 ? 0.0 : v;
}

/* Position of v along an axis drawn from p0 (at lo) over len pixels. */
static double axis_pos(const struct axis *a, double v, double p0, double len)
{
	return p0 + (v - a->lo) / (a->hi - a->lo) * len;
}

static char *tick_label(const struct axis *a, double v, char buf[48])
{
	return svg_format_tick(a->unit, v, a->step, a->span, buf);
}

/* Horizontal gridlines and labels of a vertical value axis. */
static void draw_vaxis(struct sbuf *sb, const struct axis *a, double x0,
		       double y0, double w, double h)
{
	char buf[48];

	for (int i = 0; i < a->n; i++) {
		double v = axis_tick(a, i);
		double y = axis_pos(a, v, y0 + h, -h);

		line(sb, x0, y, x0 + w, y, is_zero(v) ?
		     "stroke=\"#555\" stroke-width=\"1\"" :
		     "stroke=\"#e3e3e3\" stroke-width=\"1\"");
		text(sb, x0 - 6, y + 4, "end", "fill=\"#333\"",
		     tick_label(a, v, buf));
	}
}

/* Vertical gridlines and labels of a horizontal value axis. */
static void draw_haxis(struct sbuf *sb, const struct axis *a, double x0,
		       double w, double y_top, double y_bot)
{
	char buf[48];

	for (int i = 0; i < a->n; i++) {
		double v = axis_tick(a, i);
		double x = axis_pos(a, v, x0, w);

		line(sb, x, y_top, x, y_bot, "stroke=\"#e3e3e3\" stroke-width=\"1\"");
		text(sb, x, y_bot + 15, "middle", "fill=\"#333\"",
		     tick_label(a, v, buf));
	}
}

enum legend_kind { LG_RECT, LG_LINE, LG_DASH, LG_DOT, LG_BAND };

struct legend_item {
	const char *label;
	const char *colour;
	enum legend_kind kind;
	double opacity;
};

/* Draws items in rows from (x0, y); returns the height used. */
static double legend(struct sbuf *sb, double x0, double y, double max_w,
		     const struct legend_item *items, size_t n)
{
	double x = x0, row_h = 18, used = row_h;

	for (size_t i = 0; i < n; i++) {
		double w = 22 + text_w(items[i].label, 12) + 18;

		if (x > x0 && x + w > x0 + max_w) {
			x = x0;
			y += row_h;
			used += row_h;
		}
		switch (items[i].kind) {
		case LG_RECT:
		case LG_BAND: {
			char style[96];

			snprintf(style, sizeof(style),
				 "fill=\"%s\" fill-opacity=\"%.2f\"",
				 items[i].colour, items[i].opacity);
			rect_open(sb, x, y - 10, 14, 12, style);
			sbuf_puts(sb, "</rect>\n");
			break;
		}
		case LG_LINE:
		case LG_DASH: {
			char style[96];

			snprintf(style, sizeof(style),
				 "stroke=\"%s\" stroke-width=\"2.5\"%s",
				 items[i].colour, items[i].kind == LG_DASH ?
				 " stroke-dasharray=\"6 4\"" : "");
			line(sb, x, y - 4, x + 16, y - 4, style);
			break;
		}
		case LG_DOT:
			sbuf_puts(sb, "<circle cx=\"");
			num(sb, x + 7);
			sbuf_puts(sb, "\" cy=\"");
			num(sb, y - 4);
			sbuf_addf(sb, "\" r=\"4\" fill=\"%s\"/>\n", items[i].colour);
			break;
		}
		text(sb, x + 20, y, "start", "fill=\"#1a1a1a\"", items[i].label);
		x += w;
	}
	return used;
}

/* x labels under categorical bands; second line for budget bars. */
static void x_labels(struct sbuf *sb, size_t n, const char *const *labels,
		     const bool *is_budget, double x0, double band, double y)
{
	bool rotate = false;

	for (size_t i = 0; i < n; i++)
		if (labels && text_w(labels[i], 12) > band - 4)
			rotate = true;
	for (size_t i = 0; i < n; i++) {
		double cx = x0 + band * ((double)i + 0.5);
		const char *lab = labels ? labels[i] : "";

		if (rotate) {
			char extra[96];

			snprintf(extra, sizeof(extra),
				 "fill=\"#333\" font-size=\"11\" "
				 "transform=\"rotate(-35 %.1f %.1f)\"", cx, y);
			text(sb, cx, y, "end", extra, lab);
		} else {
			text(sb, cx, y, "middle", "fill=\"#333\"", lab);
		}
		if (is_budget && is_budget[i])
			text(sb, cx, y + (rotate ? 0 : 14), rotate ? "start" :
			     "middle", "fill=\"#333\" font-style=\"italic\"",
			     "(budget)");
	}
}

/* ------------------------------------------------------------------ */
/* stacked bars                                                         */

void svg_stacked_bars(struct sbuf *out, const struct svg_stacked *c)
{
	struct sbuf body, desc;
	struct axis ax;
	const double x0 = 80, y0 = 48, w = CHART_W - 80 - 20, h = 260;
	double vmin = 0, vmax = 0, band, bar_w, y;
	struct legend_item *items;
	size_t n_items = 0;
	char buf[48], lab[160];

	if (!c->n_x || !c->n_series) {
		no_data(out, c->title);
		return;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		double pos = 0, neg = 0;

		for (size_t s = 0; s < c->n_series; s++) {
			double v = c->values[x * c->n_series + s];

			if (!isfinite(v))
				continue;
			if (v > 0)
				pos += v;
			else
				neg += v;
		}
		vmax = fmax(vmax, pos);
		vmin = fmin(vmin, neg);
		if (finite_at(c->line, x)) {
			vmax = fmax(vmax, c->line[x]);
			vmin = fmin(vmin, c->line[x]);
		}
	}
	axis_init(&ax, vmin, vmax, c->unit, 6);
	sbuf_init(&body);
	draw_vaxis(&body, &ax, x0, y0, w, h);
	band = w / (double)c->n_x;
	bar_w = fmin(band * 0.62, 90);
	for (size_t x = 0; x < c->n_x; x++) {
		double cx = x0 + band * ((double)x + 0.5), pos = 0, neg = 0;
		bool any = false;
		bool budget = c->is_budget && c->is_budget[x];
		const char *xl = c->x_labels ? c->x_labels[x] : "";

		for (size_t s = 0; s < c->n_series; s++) {
			double v = c->values[x * c->n_series + s], from;
			char style[160];

			if (!isfinite(v) || is_zero(v))
				continue;
			any = true;
			from = v > 0 ? pos : neg;
			snprintf(style, sizeof(style),
				 "fill=\"%s\"%s", colour(s), budget ?
				 " fill-opacity=\"0.55\" stroke=\"#1a1a1a\" "
				 "stroke-dasharray=\"4 3\" stroke-width=\"1\"" :
				 " stroke=\"#ffffff\" stroke-width=\"0.5\"");
			rect_open(&body, cx - bar_w / 2,
				  axis_pos(&ax, from, y0 + h, -h), bar_w,
				  axis_pos(&ax, from + v, y0 + h, -h) -
				  axis_pos(&ax, from, y0 + h, -h), style);
			snprintf(lab, sizeof(lab), "%s%s · ", xl,
				 budget ? " (budget)" : "");
			tooltip(&body, lab, c->series_labels ?
				c->series_labels[s] : "",
				(snprintf(lab, sizeof(lab), ": %s",
					  svg_format_value(c->unit, v, buf)), lab));
			sbuf_puts(&body, "</rect>\n");
			if (v > 0)
				pos += v;
			else
				neg += v;
		}
		if (any)
			text(&body, cx, fmin(axis_pos(&ax, pos, y0 + h, -h),
					     finite_at(c->line, x) ?
					     axis_pos(&ax, c->line[x], y0 + h, -h) :
					     HUGE_VAL) - 5,
			     "middle", "fill=\"#1a1a1a\" font-size=\"11\"",
			     svg_format_tick(c->unit, pos + neg, ax.step / 10,
					     ax.span, buf));
		if (finite_at(c->line, x)) {
			double ly = axis_pos(&ax, c->line[x], y0 + h, -h);

			sbuf_puts(&body, "<g>");
			tooltip(&body, xl, " · ", c->line_label ? c->line_label : "");
			line(&body, cx - band * 0.42, ly, cx + band * 0.42, ly,
			     "stroke=\"#1a1a1a\" stroke-width=\"3\"");
			sbuf_puts(&body, "</g>\n");
		}
	}
	x_labels(&body, c->n_x, c->x_labels, c->is_budget, x0, band,
		 y0 + h + 18);
	items = xcalloc(c->n_series + 2, sizeof(*items));
	for (size_t s = 0; s < c->n_series; s++)
		items[n_items++] = (struct legend_item){
			c->series_labels ? c->series_labels[s] : "",
			colour(s), LG_RECT, 1.0 };
	if (c->line)
		items[n_items++] = (struct legend_item){
			c->line_label ? c->line_label : "", "#1a1a1a",
			LG_LINE, 1.0 };
	y = y0 + h + 52;
	y += legend(&body, x0 - 60, y, w + 60, items, n_items);
	free(items);

	sbuf_init(&desc);
	if (c->desc) {
		sbuf_puts(&desc, c->desc);
	} else {
		sbuf_addf(&desc, "Stacked bars of %zu series over %zu periods",
			  c->n_series, c->n_x);
		if (c->line && c->line_label)
			sbuf_addf(&desc, ", with %s marked", c->line_label);
		sbuf_puts(&desc, ".");
	}
	emit(out, c->title, desc.buf, y + 4, &body);
	sbuf_release(&desc);
	sbuf_release(&body);
}

/* ------------------------------------------------------------------ */
/* fan chart                                                            */

/* Polygon over the run [a, b] of the band between lo[] and hi[]. */
static void band_poly(struct sbuf *sb, const struct axis *ax, double x0,
		      double bw, double y0, double h, const double *lo,
		      const double *hi, size_t a, size_t b, const char *style)
{
	sbuf_puts(sb, "<polygon points=\"");
	for (size_t i = a; i <= b; i++) {
		num(sb, x0 + bw * ((double)i + 0.5));
		sbuf_addch(sb, ',');
		num(sb, axis_pos(ax, hi[i], y0 + h, -h));
		sbuf_addch(sb, ' ');
	}
	for (size_t i = b + 1; i-- > a;) {
		num(sb, x0 + bw * ((double)i + 0.5));
		sbuf_addch(sb, ',');
		num(sb, axis_pos(ax, lo[i], y0 + h, -h));
		if (i > a)
			sbuf_addch(sb, ' ');
	}
	sbuf_addf(sb, "\" %s/>\n", style);
}

static void bands(struct sbuf *sb, const struct axis *ax, double x0,
		  double bw, double y0, double h, size_t n, const double *lo,
		  const double *hi, const char *style)
{
	size_t i = 0;

	if (!lo || !hi)
		return;
	while (i < n) {
		size_t a;

		if (!finite_at(lo, i) || !finite_at(hi, i)) {
			i++;
			continue;
		}
		a = i;
		while (i + 1 < n && finite_at(lo, i + 1) && finite_at(hi, i + 1))
			i++;
		band_poly(sb, ax, x0, bw, y0, h, lo, hi, a, i, style);
		i++;
	}
}

/* Polylines over the runs of finite v. */
static void polyline(struct sbuf *sb, const struct axis *ax, double x0,
		     double bw, double y0, double h, size_t n, const double *v,
		     const char *style)
{
	size_t i = 0;

	if (!v)
		return;
	while (i < n) {
		if (!finite_at(v, i)) {
			i++;
			continue;
		}
		sbuf_puts(sb, "<polyline fill=\"none\" points=\"");
		for (bool first = true; i < n && finite_at(v, i); i++) {
			if (!first)
				sbuf_addch(sb, ' ');
			first = false;
			num(sb, x0 + bw * ((double)i + 0.5));
			sbuf_addch(sb, ',');
			num(sb, axis_pos(ax, v[i], y0 + h, -h));
		}
		sbuf_addf(sb, "\" %s/>\n", style);
	}
}

static void range_of(const double *v, size_t n, double *lo, double *hi)
{
	for (size_t i = 0; v && i < n; i++)
		if (isfinite(v[i])) {
			*lo = fmin(*lo, v[i]);
			*hi = fmax(*hi, v[i]);
		}
}

static void point(struct sbuf *sb, double x, double y, double r,
		  const char *fill, const char *tip)
{
	sbuf_puts(sb, "<circle cx=\"");
	num(sb, x);
	sbuf_puts(sb, "\" cy=\"");
	num(sb, y);
	sbuf_addf(sb, "\" r=\"%.1f\" fill=\"%s\">", r, fill);
	tooltip(sb, tip, "", "");
	sbuf_puts(sb, "</circle>\n");
}

void svg_fan(struct sbuf *out, const struct svg_fan *c)
{
	struct sbuf body, tip, desc;
	struct axis ax;
	const double x0 = 80, y0 = 48, w = CHART_W - 80 - 20, h = 280;
	double lo = HUGE_VAL, hi = -HUGE_VAL, bw, y;
	struct legend_item items[5];
	size_t n_items = 0;
	char b1[48], b2[48], b3[48], b4[48], b5[48];

	range_of(c->actual, c->n_x, &lo, &hi);
	range_of(c->median, c->n_x, &lo, &hi);
	range_of(c->lo80, c->n_x, &lo, &hi);
	range_of(c->hi80, c->n_x, &lo, &hi);
	range_of(c->lo95, c->n_x, &lo, &hi);
	range_of(c->hi95, c->n_x, &lo, &hi);
	range_of(c->line, c->n_x, &lo, &hi);
	if (!c->n_x || !isfinite(lo)) {
		no_data(out, c->title);
		return;
	}
	axis_init(&ax, lo, hi, c->unit, 6);
	bw = w / (double)c->n_x;
	sbuf_init(&body);
	sbuf_init(&tip);
	draw_vaxis(&body, &ax, x0, y0, w, h);
	bands(&body, &ax, x0, bw, y0, h, c->n_x, c->lo95, c->hi95,
	      "fill=\"#0072B2\" fill-opacity=\"0.15\"");
	bands(&body, &ax, x0, bw, y0, h, c->n_x, c->lo80, c->hi80,
	      "fill=\"#0072B2\" fill-opacity=\"0.30\"");
	polyline(&body, &ax, x0, bw, y0, h, c->n_x, c->line,
		 "stroke=\"#D55E00\" stroke-width=\"2.5\"");
	polyline(&body, &ax, x0, bw, y0, h, c->n_x, c->median,
		 "stroke=\"#0072B2\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"");
	polyline(&body, &ax, x0, bw, y0, h, c->n_x, c->actual,
		 "stroke=\"#1a1a1a\" stroke-width=\"2.5\"");
	for (size_t i = 0; i < c->n_x; i++) {
		double cx = x0 + bw * ((double)i + 0.5);
		const char *xl = c->x_labels ? c->x_labels[i] : "";

		if (finite_at(c->actual, i)) {
			sbuf_release(&tip);
			sbuf_addf(&tip, "%s actual: %s", xl,
				  svg_format_value(c->unit, c->actual[i], b1));
			point(&body, cx, axis_pos(&ax, c->actual[i], y0 + h, -h),
			      4, "#1a1a1a", tip.buf);
		}
		if (finite_at(c->median, i) && !finite_at(c->actual, i)) {
			sbuf_release(&tip);
			sbuf_addf(&tip, "%s median: %s", xl,
				  svg_format_value(c->unit, c->median[i], b1));
			if (finite_at(c->lo80, i) && finite_at(c->hi80, i))
				sbuf_addf(&tip, "; 80%%: %s to %s",
					  svg_format_value(c->unit, c->lo80[i], b2),
					  svg_format_value(c->unit, c->hi80[i], b3));
			if (finite_at(c->lo95, i) && finite_at(c->hi95, i))
				sbuf_addf(&tip, "; 95%%: %s to %s",
					  svg_format_value(c->unit, c->lo95[i], b4),
					  svg_format_value(c->unit, c->hi95[i], b5));
			point(&body, cx, axis_pos(&ax, c->median[i], y0 + h, -h),
			      4, "#0072B2", tip.buf);
		}
		if (finite_at(c->line, i)) {
			double ly = axis_pos(&ax, c->line[i], y0 + h, -h);

			sbuf_release(&tip);
			sbuf_addf(&tip, "%s %s: %s", xl,
				  c->line_label ? c->line_label : "",
				  svg_format_value(c->unit, c->line[i], b1));
			rect_open(&body, cx - 4, ly - 4, 8, 8, "fill=\"#D55E00\"");
			tooltip(&body, tip.buf, "", "");
			sbuf_puts(&body, "</rect>\n");
		}
	}
	x_labels(&body, c->n_x, c->x_labels, NULL, x0, bw, y0 + h + 18);
	if (c->actual)
		items[n_items++] = (struct legend_item){ "Actual", "#1a1a1a",
							 LG_LINE, 1 };
	if (c->median)
		items[n_items++] = (struct legend_item){ "Median projection",
							 "#0072B2", LG_DASH, 1 };
	if (c->lo80 && c->hi80)
		items[n_items++] = (struct legend_item){ "80% interval",
							 "#0072B2", LG_BAND, 0.45 };
	if (c->lo95 && c->hi95)
		items[n_items++] = (struct legend_item){ "95% interval",
							 "#0072B2", LG_BAND, 0.15 };
	if (c->line)
		items[n_items++] = (struct legend_item){
			c->line_label ? c->line_label : "", "#D55E00",
			LG_LINE, 1 };
	y = y0 + h + 44;
	y += legend(&body, x0 - 60, y, w + 60, items, n_items);

	sbuf_init(&desc);
	if (c->desc)
		sbuf_puts(&desc, c->desc);
	else
		sbuf_addf(&desc, "Fan chart over %zu periods: actual values, "
			  "the median projection with 80%% and 95%% intervals%s%s.",
			  c->n_x, c->line ? ", and " : "",
			  c->line && c->line_label ? c->line_label : "");
	emit(out, c->title, desc.buf, y + 4, &body);
	sbuf_release(&desc);
	sbuf_release(&tip);
	sbuf_release(&body);
}

/* ------------------------------------------------------------------ */
/* tornado                                                              */

struct swing {
	double w;
	size_t i;
};

static int by_swing_desc(const void *a, const void *b)
{
	const struct swing *x = a, *y = b;

	if (x->w > y->w)
		return -1;
	if (x->w < y->w)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static double finite_or(double v, double dflt)
{
	return isfinite(v) ? v : dflt;
}

void svg_tornado(struct sbuf *out, const struct svg_tornado *c)
{
	struct sbuf body, desc;
	struct axis ax;
	struct swing *order;
	double lo, hi, label_w = 0, x0, w, y0 = 62, row = 28, y, bx;
	struct legend_item items[2];
	char b1[48], b2[48], tipbuf[200];

	if (!c->n || !isfinite(c->base)) {
		no_data(out, c->title);
		return;
	}
	lo = hi = c->base;
	order = xcalloc(c->n, sizeof(*order));
	for (size_t i = 0; i < c->n; i++) {
		double l = finite_or(c->low[i], c->base);
		double u = finite_or(c->high[i], c->base);

		lo = fmin(lo, fmin(l, u));
		hi = fmax(hi, fmax(l, u));
		order[i].w = fabs(u - l);
		order[i].i = i;
		label_w = fmax(label_w, text_w(c->labels ? c->labels[i] : "", 12));
	}
	qsort(order, c->n, sizeof(*order), by_swing_desc);
	label_w = fmin(label_w, 230) + 14;
	x0 = 12 + label_w + 64;
	w = CHART_W - x0 - 84;
	axis_init(&ax, lo, hi, c->unit, 6);
	sbuf_init(&body);
	draw_haxis(&body, &ax, x0, w, y0 - 8, y0 + row * (double)c->n);
	bx = axis_pos(&ax, c->base, x0, w);
	for (size_t k = 0; k < c->n; k++) {
		size_t i = order[k].i;
		double cy = y0 + row * ((double)k + 0.5);
		double l = finite_or(c->low[i], c->base);
		double u = finite_or(c->high[i], c->base);
		const char *lab = c->labels ? c->labels[i] : "";
		char shown[240];
		size_t len = strlen(lab);

		/* long names are cut on screen; the tooltip has them whole */
		if (text_w(lab, 12) > 230) {
			size_t cut = 0, chars = 0;

			while (cut < len && chars < 37) {
				cut++;
				while (cut < len && ((unsigned char)lab[cut] & 0xC0) == 0x80)
					cut++;
				chars++;
			}
			snprintf(shown, sizeof(shown), "%.*s…", (int)cut, lab);
		} else {
			snprintf(shown, sizeof(shown), "%s", lab);
		}
		sbuf_puts(&body, "<g>");
		tooltip(&body, lab, "", (snprintf(tipbuf, sizeof(tipbuf),
			": low %s, high %s", svg_format_value(c->unit, l, b1),
			svg_format_value(c->unit, u, b2)), tipbuf));
		text(&body, x0 - 70, cy + 4, "end", "fill=\"#1a1a1a\"", shown);
		/* the wider bar first so the narrower stays visible */
		for (int pass = 0; pass < 2; pass++) {
			bool low_first = fabs(l - c->base) >= fabs(u - c->base);
			bool is_low = (pass == 0) == low_first;
			double v = is_low ? l : u;
			double vx = axis_pos(&ax, v, x0, w);

			rect_open(&body, bx, cy - 8, vx - bx, 16, is_low ?
				  "fill=\"#0072B2\"" : "fill=\"#E69F00\"");
			sbuf_puts(&body, "</rect>\n");
			if (v < c->base || v > c->base)
				text(&body, vx + (v < c->base ? -4 : 4), cy + 4,
				     v < c->base ? "end" : "start",
				     "fill=\"#333\" font-size=\"11\"",
				     svg_format_tick(c->unit, v, ax.step / 10,
						     ax.span, b1));
		}
		sbuf_puts(&body, "</g>\n");
	}
	line(&body, bx, y0 - 14, bx, y0 + row * (double)c->n,
	     "stroke=\"#1a1a1a\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"");
	snprintf(tipbuf, sizeof(tipbuf), "%s%s%s",
		 c->base_label ? c->base_label : "base",
		 ": ", svg_format_value(c->unit, c->base, b1));
	text(&body, bx, y0 - 18, "middle", "fill=\"#1a1a1a\" font-size=\"11\"",
	     tipbuf);
	y = y0 + row * (double)c->n + 44;
	items[0] = (struct legend_item){ c->low_label ? c->low_label : "Low",
					 "#0072B2", LG_RECT, 1 };
	items[1] = (struct legend_item){ c->high_label ? c->high_label : "High",
					 "#E69F00", LG_RECT, 1 };
	y += legend(&body, 20, y, CHART_W - 40, items, 2);
	free(order);

	sbuf_init(&desc);
	if (c->desc)
		sbuf_puts(&desc, c->desc);
	else
		sbuf_addf(&desc, "Tornado chart of %zu drivers around %s, "
			  "widest swing first.", c->n,
			  svg_format_value(c->unit, c->base, b1));
	emit(out, c->title, desc.buf, y + 4, &body);
	sbuf_release(&desc);
	sbuf_release(&body);
}

/* ------------------------------------------------------------------ */
/* distribution strip                                                   */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Type 7 quantile of sorted s[0..n), n >= 1. */
static double quantile7(const double *s, size_t n, double p)
{
	double hpos = (double)(n - 1) * p;
	size_t k = (size_t)floor(hpos);

	if (k + 1 >= n)
		return s[n - 1];
	return s[k] + (hpos - (double)k) * (s[k + 1] - s[k]);
}

/* Sorted copy of the finite values; returns the count. */
static size_t sorted_finite(const double *v, size_t n, double **out)
{
	size_t m = 0;

	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			(*out)[m++] = v[i];
	qsort(*out, m, sizeof(**out), cmp_double);
	return m;
}

size_t svg_tukey_outliers(const double *v, size_t n, bool *is_outlier,
			  double *lo, double *hi)
{
	double *s, q1, q3;
	size_t m = sorted_finite(v, n, &s), count = 0;

	for (size_t i = 0; i < n; i++)
		is_outlier[i] = false;
	if (m < 4) {
		*lo = *hi = SVG_NONE;
		free(s);
		return 0;
	}
	q1 = quantile7(s, m, 0.25);
	q3 = quantile7(s, m, 0.75);
	*lo = q1 - 1.5 * (q3 - q1);
	*hi = q3 + 1.5 * (q3 - q1);
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && (v[i] < *lo || v[i] > *hi)) {
			is_outlier[i] = true;
			count++;
		}
	free(s);
	return count;
}

/* splitmix64 finaliser: a fixed, well-spread hash for the jitter. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct extreme {
	double dist;
	size_t i;
};

static int by_dist_desc(const void *a, const void *b)
{
	const struct extreme *x = a, *y = b;

	if (x->dist > y->dist)
		return -1;
	if (x->dist < y->dist)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void svg_strip(struct sbuf *out, const struct svg_strip *c)
{
	struct sbuf body, desc, tip;
	struct axis ax, cax;
	double *s, lo, hi, median, bin_w, bin0, y, max_count = 0;
	const double x0 = 70, w = CHART_W - 70 - 30, hy0 = 48, hh = 150;
	const double sy0 = hy0 + hh + 16, sh = 96;
	size_t m = sorted_finite(c->values, c->n, &s), n_bins, n_out = 0;
	size_t *counts;
	struct extreme *ext;
	struct legend_item items[4];
	size_t n_items = 0;
	bool dots_all = c->n <= 2000;
	char b1[48], b2[48];

	if (m == 0) {
		free(s);
		no_data(out, c->title);
		return;
	}
	median = quantile7(s, m, 0.5);
	lo = s[0];
	hi = s[m - 1];
	if (isfinite(c->fence_lo))
		lo = fmin(lo, c->fence_lo);
	if (isfinite(c->fence_hi))
		hi = fmax(hi, c->fence_hi);
	axis_init(&ax, lo, hi, c->unit, 7);
	/* bins: a nice width giving roughly 30 bins over the axis */
	bin_w = nice((ax.hi - ax.lo) / 30.0);
	bin0 = floor(ax.lo / bin_w + 1e-9) * bin_w;
	n_bins = (size_t)llround(ceil((ax.hi - bin0) / bin_w - 1e-9));
	if (n_bins == 0)
		n_bins = 1;
	counts = xcalloc(n_bins, sizeof(*counts));
	for (size_t k = 0; k < m; k++) {
		double f = floor((s[k] - bin0) / bin_w);
		size_t b = f < 0 ? 0 : (size_t)f;

		if (b >= n_bins)
			b = n_bins - 1;
		counts[b]++;
	}
	for (size_t b = 0; b < n_bins; b++)
		max_count = fmax(max_count, (double)counts[b]);
	axis_init(&cax, 0, max_count, SVG_UNIT_NUMBER, 4);
	if (cax.step < 1) {
		cax.step = 1;
		cax.n = (int)ceil(max_count) + 1;
		cax.hi = cax.lo + cax.step * (cax.n - 1);
	}

	sbuf_init(&body);
	sbuf_init(&tip);
	/* histogram, with its own count axis */
	for (int i = 0; i < cax.n; i++) {
		double v = axis_tick(&cax, i), yy = axis_pos(&cax, v, hy0 + hh, -hh);

		line(&body, x0, yy, x0 + w, yy, "stroke=\"#eeeeee\" stroke-width=\"1\"");
		snprintf(b1, sizeof(b1), "%.0f", v);
		text(&body, x0 - 6, yy + 4, "end", "fill=\"#333\" font-size=\"11\"", b1);
	}
	for (size_t b = 0; b < n_bins; b++) {
		double a = bin0 + bin_w * (double)b, xa = axis_pos(&ax, a, x0, w);
		double xb = axis_pos(&ax, a + bin_w, x0, w);
		double top = axis_pos(&cax, (double)counts[b], hy0 + hh, -hh);

		if (!counts[b])
			continue;
		rect_open(&body, xa + 0.5, top, xb - xa - 1, hy0 + hh - top,
			  "fill=\"#56B4E9\"");
		sbuf_release(&tip);
		sbuf_addf(&tip, "%zu from %s to %s", counts[b],
			  svg_format_value(c->unit, a, b1),
			  svg_format_value(c->unit, a + bin_w, b2));
		tooltip(&body, tip.buf, "", "");
		sbuf_puts(&body, "</rect>\n");
	}
	/* the strip */
	rect_open(&body, x0, sy0, w, sh, "fill=\"#fafafa\" stroke=\"#dddddd\"");
	sbuf_puts(&body, "</rect>\n");
	draw_haxis(&body, &ax, x0, w, sy0 + sh, sy0 + sh + 4);
	ext = xcalloc(c->n ? c->n : 1, sizeof(*ext));
	for (size_t i = 0; i < c->n; i++) {
		bool outl = c->is_outlier && c->is_outlier[i];
		double jit, cx, cy;

		if (!isfinite(c->values[i]) || (!outl && !dots_all))
			continue;
		jit = (double)(mix64(i) % 1001) / 1000.0 - 0.5;
		cx = axis_pos(&ax, c->values[i], x0, w);
		cy = sy0 + sh / 2 + jit * (sh - 16);
		sbuf_release(&tip);
		sbuf_addf(&tip, "%s%s%s%s", c->labels ? c->labels[i] : "",
			  c->labels ? ": " : "",
			  svg_format_value(c->unit, c->values[i], b1),
			  outl ? " (outlier)" : "");
		if (outl) {
			point(&body, cx, cy, 4.5, "#D55E00", tip.buf);
			ext[n_out].dist = fabs(c->values[i] - median);
			ext[n_out].i = i;
			n_out++;
		} else {
			sbuf_puts(&body, "<circle cx=\"");
			num(&body, cx);
			sbuf_puts(&body, "\" cy=\"");
			num(&body, cy);
			sbuf_puts(&body, "\" r=\"3\" fill=\"#0072B2\" "
					 "fill-opacity=\"0.45\">");
			tooltip(&body, tip.buf, "", "");
			sbuf_puts(&body, "</circle>\n");
		}
	}
	/* name the most extreme few outliers above the strip */
	qsort(ext, n_out, sizeof(*ext), by_dist_desc);
	for (size_t k = 0; k < n_out && k < 6 && c->labels; k++) {
		size_t i = ext[k].i;
		double cx = axis_pos(&ax, c->values[i], x0, w);

		text(&body, cx, sy0 + 12 + (double)(k % 3) * 12, cx > x0 + w / 2 ?
		     "end" : "start", "fill=\"#D55E00\" font-size=\"10\"",
		     c->labels[i]);
	}
	/* median and fences across both panels */
	{
		double mx = axis_pos(&ax, median, x0, w);

		line(&body, mx, hy0, mx, sy0 + sh, "stroke=\"#1a1a1a\" "
		     "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
		snprintf(b2, sizeof(b2), "median %s",
			 svg_format_value(c->unit, median, b1));
		text(&body, mx + 4, hy0 + 10, "start",
		     "fill=\"#1a1a1a\" font-size=\"11\"", b2);
	}
	if (isfinite(c->fence_lo))
		line(&body, axis_pos(&ax, c->fence_lo, x0, w), hy0,
		     axis_pos(&ax, c->fence_lo, x0, w), sy0 + sh,
		     "stroke=\"#D55E00\" stroke-width=\"1\" stroke-dasharray=\"2 3\"");
	if (isfinite(c->fence_hi))
		line(&body, axis_pos(&ax, c->fence_hi, x0, w), hy0,
		     axis_pos(&ax, c->fence_hi, x0, w), sy0 + sh,
		     "stroke=\"#D55E00\" stroke-width=\"1\" stroke-dasharray=\"2 3\"");
	y = sy0 + sh + 34;
	if (c->axis_label) {
		text(&body, x0 + w / 2, y, "middle", "fill=\"#1a1a1a\"",
		     c->axis_label);
		y += 12;
	}
	items[n_items++] = (struct legend_item){ "Count per bin", "#56B4E9",
						 LG_RECT, 1 };
	if (dots_all)
		items[n_items++] = (struct legend_item){ "One dot per item",
							 "#0072B2", LG_DOT, 1 };
	items[n_items++] = (struct legend_item){ "Outlier", "#D55E00",
						 LG_DOT, 1 };
	items[n_items++] = (struct legend_item){ "Median", "#1a1a1a",
						 LG_DASH, 1 };
	y += 14;
	y += legend(&body, 20, y, CHART_W - 40, items, n_items);

	sbuf_init(&desc);
	if (c->desc) {
		sbuf_puts(&desc, c->desc);
	} else {
		sbuf_addf(&desc, "Distribution of %zu values; median %s; %zu "
			  "outliers", m, svg_format_value(c->unit, median, b1),
			  n_out);
		if (isfinite(c->fence_lo) && isfinite(c->fence_hi))
			sbuf_addf(&desc, " outside %s to %s",
				  svg_format_value(c->unit, c->fence_lo, b1),
				  svg_format_value(c->unit, c->fence_hi, b2));
		sbuf_puts(&desc, ".");
	}
	emit(out, c->title, desc.buf, y + 4, &body);
	sbuf_release(&desc);
	sbuf_release(&tip);
	sbuf_release(&body);
	free(ext);
	free(counts);
	free(s);
}

/*
 * test_svg.c - the inline SVG charts: axis arithmetic, label formats,
 * escaping, accessibility elements, determinism and well-formed XML.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "svg.h"
#include "xalloc.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * Parses xml with Python's expat-based minidom when python3 is there:
 * an independent check that the chart is well-formed XML.
 */
static void assert_well_formed(const char *xml)
{
	char path[] = "/tmp/pcb-svg-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;
	int rc;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(xml, fp);
	fclose(fp);
	if (system("command -v python3 >/dev/null 2>&1") == 0) {
		char *cmd = xasprintf("python3 -c 'import sys, xml.dom.minidom; "
				      "xml.dom.minidom.parse(sys.argv[1])' %s",
				      path);

		rc = system(cmd);
		free(cmd);
		if (rc != 0)
			fail_msg("not well-formed XML:\n%s", xml);
	}
	unlink(path);
}

/* Checks every chart: one svg, title first, role img, no NaN or -0. */
static void assert_chart_basics(const char *svg, const char *title_xml)
{
	char *want = xasprintf("role=\"img\"");
	const char *t = strstr(svg, "<title>");
	const char *first_child = strchr(svg, '>');

	assert_int_equal(count(svg, "<svg "), 1);
	assert_int_equal(count(svg, "</svg>"), 1);
	assert_non_null(strstr(svg, want));
	/* the accessible name is the first child of <svg> */
	assert_non_null(t);
	assert_true(t == first_child + 2);
	assert_memory_equal(t + 7, title_xml, strlen(title_xml));
	assert_non_null(strstr(svg, "<desc>"));
	assert_null(strstr(svg, "nan"));
	assert_null(strstr(svg, "inf"));
	assert_null(strstr(svg, "\"-0.0\""));
	assert_well_formed(svg);
	free(want);
}

static void test_svg_nice_ticks_pick_1_2_5_steps(void **state)
{
	double start, step;
	int n;

	(void)state;
	/* 95/4 = 23.75 -> 20; 0..100 in 6 ticks */
	svg_nice_ticks(0, 95, 5, &start, &step, &n);
	assert_close(start, 0, 0, 1e-12);
	assert_close(step, 20, 1e-12, 0);
	assert_int_equal(n, 6);
	/* 20.6m/5 = 4.12m -> 5m; -5m..20m in 6 ticks */
	svg_nice_ticks(-1.6e6, 19e6, 6, &start, &step, &n);
	assert_close(start, -5e6, 1e-12, 0);
	assert_close(step, 5e6, 1e-12, 0);
	assert_int_equal(n, 6);
	/* 0.074/4 = 0.0185 -> 0.02; 0..0.1 in 6 ticks */
	svg_nice_ticks(0.013, 0.087, 5, &start, &step, &n);
	assert_close(start, 0, 0, 1e-12);
	assert_close(step, 0.02, 1e-12, 0);
	assert_int_equal(n, 6);
	/* a single value is widened by 10% either side: 4.5..5.5, 1/4 -> 0.2 */
	svg_nice_ticks(5, 5, 5, &start, &step, &n);
	assert_close(start, 4.4, 1e-12, 0);
	assert_close(step, 0.2, 1e-12, 0);
	assert_int_equal(n, 7);
}

static void test_svg_formats_ticks_with_units(void **state)
{
	char buf[48];

	(void)state;
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 15e6, 5e6, 20e6, buf), "£15m");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 2.5e6, 5e5, 2.5e6, buf), "£2.5m");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, -5e6, 5e6, 20e6, buf), "-£5m");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 250000, 50000, 250000, buf), "£250k");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 84.5, 0.5, 90, buf), "£84.5");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 0, 5e6, 20e6, buf), "£0m");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, 3e9, 1e9, 5e9, buf), "£3bn");
	assert_string_equal(svg_format_tick(SVG_UNIT_PERCENT, 0.05, 0.01, 0.1, buf), "5%");
	assert_string_equal(svg_format_tick(SVG_UNIT_PERCENT, 0.125, 0.005, 0.2, buf), "12.5%");
	assert_string_equal(svg_format_tick(SVG_UNIT_NUMBER, 1200, 200, 1200, buf), "1,200");
	assert_string_equal(svg_format_tick(SVG_UNIT_GBP, SVG_NONE, 1, 1, buf), "n/a");
}

static void test_svg_formats_values_for_tooltips(void **state)
{
	char buf[48];

	(void)state;
	assert_string_equal(svg_format_value(SVG_UNIT_GBP, 12345678.4, buf), "£12,345,678");
	assert_string_equal(svg_format_value(SVG_UNIT_GBP, 84.5, buf), "£84.50");
	assert_string_equal(svg_format_value(SVG_UNIT_GBP, -1500.0, buf), "-£1,500");
	assert_string_equal(svg_format_value(SVG_UNIT_GBP, -0.001, buf), "£0.00");
	assert_string_equal(svg_format_value(SVG_UNIT_PERCENT, 0.125, buf), "12.5%");
	assert_string_equal(svg_format_value(SVG_UNIT_NUMBER, 1234.5, buf), "1,234.50");
}

static void test_svg_tukey_fences_match_type7_quartiles(void **state)
{
	/*
	 * Sorted 1..8, 100 (n = 9).  Type 7: Q1 at h = 8 * 0.25 = 2 -> 3,
	 * Q3 at h = 6 -> 7; IQR 4; fences 3 - 6 = -3 and 7 + 6 = 13.
	 * Same as R: quantile(c(1:8, 100), c(.25, .75)) = 3, 7.
	 */
	double v[10] = { 5, 100, 1, 2, 3, 4, SVG_NONE, 6, 7, 8 };
	bool out[10];
	double lo, hi;

	(void)state;
	assert_int_equal(svg_tukey_outliers(v, 10, out, &lo, &hi), 1);
	assert_close(lo, -3, 0, 1e-12);
	assert_close(hi, 13, 0, 1e-12);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i], i == 1);
	/* fewer than 4 finite values: no fences */
	assert_int_equal(svg_tukey_outliers(v, 3, out, &lo, &hi), 0);
	assert_true(isnan(lo) && isnan(hi));
}

static void test_svg_stacked_bars_escape_labels_and_are_deterministic(void **state)
{
	const char *years[] = { "2015/16", "2016/17", "2017/18 & <b>" };
	const char *cats[] = { "Core", "<script>alert(1)</script>", "Q\"OF'" };
	double v[9] = { 10e6, 2e6, 1e6, 11e6, -1e6, 1.2e6, 11.5e6, 2.4e6, SVG_NONE };
	bool budget[3] = { false, false, true };
	double alloc[3] = { SVG_NONE, SVG_NONE, 15e6 };
	struct svg_stacked c = {
		.title = "History <and> budget", .unit = SVG_UNIT_GBP,
		.n_x = 3, .x_labels = years, .n_series = 3,
		.series_labels = cats, .values = v, .is_budget = budget,
		.line = alloc, .line_label = "Allocation",
	};
	struct sbuf a, b;

	(void)state;
	sbuf_init(&a);
	sbuf_init(&b);
	svg_stacked_bars(&a, &c);
	svg_stacked_bars(&b, &c);
	assert_string_equal(a.buf, b.buf);
	assert_chart_basics(a.buf, "History &lt;and&gt; budget</title>");
	assert_null(strstr(a.buf, "<script"));
	assert_null(strstr(a.buf, "<b>"));
	assert_non_null(strstr(a.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(a.buf, "2017/18 &amp; &lt;b&gt;"));
	assert_non_null(strstr(a.buf, "Q&quot;OF&#39;"));
	/* 8 finite non-zero segments, each a rect with a tooltip */
	assert_int_equal(count(a.buf, "</rect>"), 8 + 3);	/* + 3 legend swatches */
	assert_non_null(strstr(a.buf, "(budget)"));
	/* the allocation marker's tooltip */
	assert_non_null(strstr(a.buf, "<title>2017/18 &amp; &lt;b&gt; · Allocation</title>"));
	sbuf_release(&a);
	sbuf_release(&b);
}

static void test_svg_fan_draws_bands_and_skips_missing(void **state)
{
	const char *years[] = { "2015/16", "2016/17", "2017/18", "2018/19" };
	double act[4] = { 10e6, 10.5e6, SVG_NONE, SVG_NONE };
	double med[4] = { SVG_NONE, 10.5e6, 11e6, 11.6e6 };
	double lo80[4] = { SVG_NONE, 10.5e6, 10.7e6, 11e6 };
	double hi80[4] = { SVG_NONE, 10.5e6, 11.3e6, 12.2e6 };
	double lo95[4] = { SVG_NONE, 10.5e6, 10.5e6, 10.6e6 };
	double hi95[4] = { SVG_NONE, 10.5e6, 11.6e6, 12.8e6 };
	double alloc[4] = { SVG_NONE, 10.8e6, 11.2e6, 11.7e6 };
	struct svg_fan c = {
		.title = "Projected spend", .unit = SVG_UNIT_GBP, .n_x = 4,
		.x_labels = years, .actual = act, .median = med,
		.lo80 = lo80, .hi80 = hi80, .lo95 = lo95, .hi95 = hi95,
		.line = alloc, .line_label = "Allocation",
	};
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb);
	svg_fan(&sb, &c);
	assert_chart_basics(sb.buf, "Projected spend</title>");
	/* one polygon per band (each over one run of 3 years) */
	assert_int_equal(count(sb.buf, "<polygon"), 2);
	/* lines: allocation, median, actual */
	assert_int_equal(count(sb.buf, "<polyline"), 3);
	assert_non_null(strstr(sb.buf, "2018/19 median: £11,600,000; 80%: "
				       "£11,000,000 to £12,200,000; 95%: "
				       "£10,600,000 to £12,800,000"));
	assert_non_null(strstr(sb.buf, "95% interval"));
	sbuf_release(&sb);
}

static void test_svg_tornado_orders_by_swing(void **state)
{
	const char *drivers[] = { "Small", "Big", "Middle <x>" };
	double low[3] = { 99, 80, 95 }, high[3] = { 101, 130, 104 };
	struct svg_tornado c = {
		.title = "Drivers", .unit = SVG_UNIT_GBP, .base = 100,
		.base_label = "Planned spend", .low_label = "P10",
		.high_label = "P90", .n = 3, .labels = drivers, .low = low,
		.high = high,
	};
	struct sbuf sb;
	const char *big, *mid, *small;

	(void)state;
	sbuf_init(&sb);
	svg_tornado(&sb, &c);
	assert_chart_basics(sb.buf, "Drivers</title>");
	big = strstr(sb.buf, "<title>Big: low £80.00, high £130.00</title>");
	mid = strstr(sb.buf, "<title>Middle &lt;x&gt;: low £95.00, high £104.00</title>");
	small = strstr(sb.buf, "<title>Small: low £99.00, high £101.00</title>");
	assert_non_null(big);
	assert_non_null(mid);
	assert_non_null(small);
	assert_true(big < mid && mid < small);	/* swings 50, 9, 2 */
	assert_non_null(strstr(sb.buf, "Planned spend: £100.00"));
	sbuf_release(&sb);
}

static void test_svg_strip_marks_outliers_by_name(void **state)
{
	double v[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 100 };
	const char *names[9] = { "A1", "A2", "A3", "A4", "A5", "A6", "A7",
				 "A8", "<Z9>" };
	bool out[9];
	double lo, hi;
	struct svg_strip c = {
		.title = "Per patient", .unit = SVG_UNIT_GBP,
		.axis_label = "£ per weighted patient", .n = 9, .values = v,
		.labels = names, .is_outlier = out,
	};
	struct sbuf sb;

	(void)state;
	svg_tukey_outliers(v, 9, out, &lo, &hi);
	c.fence_lo = lo;
	c.fence_hi = hi;
	sbuf_init(&sb);
	svg_strip(&sb, &c);
	assert_chart_basics(sb.buf, "Per patient</title>");
	assert_non_null(strstr(sb.buf, "<title>&lt;Z9&gt;: £100.00 (outlier)</title>"));
	assert_int_equal(count(sb.buf, "(outlier)"), 1);
	/* median of 1..8,100 is 5 */
	assert_non_null(strstr(sb.buf, "median £5.00"));
	assert_non_null(strstr(sb.buf, "1 outliers outside -£3.00 to £13.00"));
	sbuf_release(&sb);
}

static void test_svg_empty_input_says_no_data(void **state)
{
	struct svg_stacked s = { .title = "Empty", .unit = SVG_UNIT_GBP };
	double nan1[1] = { SVG_NONE };
	const char *lab[1] = { "x" };
	struct svg_fan f = { .title = "Nothing", .unit = SVG_UNIT_GBP,
			     .n_x = 1, .x_labels = lab, .actual = nan1 };
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb);
	svg_stacked_bars(&sb, &s);
	svg_fan(&sb, &f);
	assert_int_equal(count(sb.buf, "No data to chart."), 4);	/* desc + text */
	assert_null(strstr(sb.buf, "nan"));
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_nice_ticks_pick_1_2_5_steps),
		cmocka_unit_test(test_svg_formats_ticks_with_units),
		cmocka_unit_test(test_svg_formats_values_for_tooltips),
		cmocka_unit_test(test_svg_tukey_fences_match_type7_quartiles),
		cmocka_unit_test(test_svg_stacked_bars_escape_labels_and_are_deterministic),
		cmocka_unit_test(test_svg_fan_draws_bands_and_skips_missing),
		cmocka_unit_test(test_svg_tornado_orders_by_swing),
		cmocka_unit_test(test_svg_strip_marks_outliers_by_name),
		cmocka_unit_test(test_svg_empty_input_says_no_data),
	};

	return cmocka_run_group_tests_name("svg", tests, NULL, NULL);
}

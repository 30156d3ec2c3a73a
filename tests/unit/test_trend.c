/*
 * test_trend.c - straight-line trend and prediction intervals.
 *
 * The expected values are worked by hand in the comments with the
 * textbook formulas (e.g. Montgomery, Peck & Vining, "Introduction to
 * Linear Regression Analysis", §2.4):
 *     b = Sxy / Sxx,  a = ybar,  s^2 = SSE / (n - 2),
 *     PI = yhat -/+ t(1 - alpha/2; n - 2) * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx),
 * and Student t quantiles from printed tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "trend.h"
#include "helpers.h"

/*
 * The worked example: amounts 10, 12, 15, 15, 18 in 2019..2023.
 *   xbar = 2021, centred x = -2, -1, 0, 1, 2;  ybar = 70 / 5 = 14
 *   Sxx = 4 + 1 + 0 + 1 + 4 = 10
 *   Sxy = (-2)(-4) + (-1)(-2) + (0)(1) + (1)(1) + (2)(4) = 8 + 2 + 0 + 1 + 8 = 19
 *   b = 19 / 10 = 1.9,  a = 14
 *   fitted 10.2, 12.1, 14.0, 15.9, 17.8; residuals -0.2, -0.1, 1.0, -0.9, 0.2
 *   SSE = 0.04 + 0.01 + 1.00 + 0.81 + 0.04 = 1.90;  s^2 = 1.90 / 3 = 0.633333
 * 2024 (h = 1): x0 - xbar = 3
 *   yhat = 14 + 1.9 * 3 = 19.7
 *   se_mean = sqrt(0.633333 * (1/5 + 9/10)) = sqrt(0.696667) = 0.834666
 *   se_pred = sqrt(0.633333 * (1 + 1/5 + 9/10)) = sqrt(1.33) = 1.153256
 *   t(0.90; 3) = 1.6377, t(0.975; 3) = 3.1824 (tables)
 *   80%: 19.7 -/+ 1.6377 * 1.153256 = 19.7 -/+ 1.8887 -> [17.8113, 21.5887]
 *   95%: 19.7 -/+ 3.1824 * 1.153256 = 19.7 -/+ 3.6701 -> [16.0298, 23.3702]
 * 2028 (h = 5): x0 - xbar = 7
 *   yhat = 14 + 1.9 * 7 = 27.3
 *   se_pred = sqrt(0.633333 * (1 + 0.2 + 49/10)) = sqrt(3.863333) = 1.965536
 *   95%: 27.3 -/+ 3.1824 * 1.965536 = 27.3 -/+ 6.2551 -> [21.0449, 33.5551]
 */
static const double ex_x[] = { 2019, 2020, 2021, 2022, 2023 };
static const double ex_y[] = { 10, 12, 15, 15, 18 };

static void test_trend_fit_matches_the_textbook_least_squares(void **state)
{
	struct trend_fit fit;

	(void)state;
	assert_int_equal(trend_fit(ex_x, ex_y, 5, &fit), 0);
	assert_int_equal(fit.flags, 0);
	assert_close(fit.x_mean, 2021.0, 0, 1e-12);
	assert_close(fit.intercept, 14.0, 0, 1e-12);
	assert_close(fit.slope, 1.9, 0, 1e-12);
	assert_close(fit.sxx, 10.0, 0, 1e-12);
	assert_close(fit.sumsq, 1.90, 0, 1e-12);
	assert_close(fit.s2, 1.90 / 3.0, 0, 1e-12);
	assert_close(fit.df, 3.0, 0, 0);
}

static void test_trend_t_multiplier_matches_printed_tables(void **state)
{
	(void)state;
	/* two-sided: level 0.95 -> t(0.975), level 0.80 -> t(0.90) */
	assert_close(trend_t_multiplier(0.95, 1), 12.7062, 0, 5e-5);
	assert_close(trend_t_multiplier(0.95, 3), 3.1824, 0, 5e-5);
	assert_close(trend_t_multiplier(0.80, 3), 1.6377, 0, 5e-5);
	assert_close(trend_t_multiplier(0.95, 7), 2.3646, 0, 5e-5);
	assert_close(trend_t_multiplier(0.95, 8), 2.3060, 0, 5e-5);
	assert_true(isnan(trend_t_multiplier(1.5, 3)));
	assert_true(isnan(trend_t_multiplier(0.95, 0)));
}

static void test_trend_prediction_interval_is_the_textbook_formula(void **state)
{
	struct trend_projection p;
	const struct trend_forecast *f1, *f5;

	(void)state;
	assert_int_equal(trend_project(ex_x, ex_y, 5, 5, &p), 0);
	assert_int_equal(p.n_ahead, 5);
	f1 = &p.ahead[0];
	f5 = &p.ahead[4];
	assert_close(f1->x, 2024.0, 0, 0);
	assert_close(f1->yhat, 19.7, 0, 1e-9);
	assert_close(f1->se_mean, 0.834666, 0, 1e-6);
	assert_close(f1->se_pred, 1.153256, 0, 1e-6);
	/* tolerance covers the 4-decimal table t values */
	assert_close(f1->lo80, 17.8113, 0, 2e-4);
	assert_close(f1->hi80, 21.5887, 0, 2e-4);
	assert_close(f1->lo95, 16.0298, 0, 2e-4);
	assert_close(f1->hi95, 23.3702, 0, 2e-4);
	assert_close(f5->x, 2028.0, 0, 0);
	assert_close(f5->yhat, 27.3, 0, 1e-9);
	assert_close(f5->se_pred, 1.965536, 0, 1e-6);
	assert_close(f5->lo95, 21.0449, 0, 2e-4);
	assert_close(f5->hi95, 33.5551, 0, 2e-4);
	/* intervals widen the further ahead we look */
	for (int h = 1; h < 5; h++)
		assert_true(p.ahead[h].hi95 - p.ahead[h].lo95 >
			    p.ahead[h - 1].hi95 - p.ahead[h - 1].lo95);
}

static void test_trend_order_of_points_does_not_matter(void **state)
{
	static const double x[] = { 2023, 2019, 2021, 2020, 2022 };
	static const double y[] = { 18, 10, 15, 12, 15 };
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(x, y, 5, 1, &p), 0);
	assert_close(p.ahead[0].x, 2024.0, 0, 0);
	assert_close(p.ahead[0].yhat, 19.7, 0, 1e-9);
	assert_close(p.ahead[0].se_pred, 1.153256, 0, 1e-6);
}

/*
 * Three points 1, 3, 2 in 2020..2022: xbar 2021, ybar 2, Sxx 2,
 * Sxy = (-1)(-1) + 0 + (1)(0) = 1, b = 0.5; fitted 1.5, 2, 2.5;
 * SSE = 0.25 + 1 + 0.25 = 1.5, s^2 = 1.5 (1 df).
 * 2023: yhat = 2 + 0.5 * 2 = 3; se_pred = sqrt(1.5 (1 + 1/3 + 4/2)) = sqrt(5) = 2.236068;
 * 95%: 3 -/+ 12.7062 * 2.236068 = 3 -/+ 28.4120 -> [-25.4120, 31.4120].
 */
static void test_trend_projects_three_points_but_flags_them_weak(void **state)
{
	static const double x[] = { 2020, 2021, 2022 };
	static const double y[] = { 1, 3, 2 };
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(x, y, 3, 1, &p), 0);
	assert_int_equal(p.fit.flags, TREND_WEAK_N3);
	assert_close(p.ahead[0].yhat, 3.0, 0, 1e-12);
	assert_close(p.ahead[0].se_pred, 2.236068, 0, 1e-6);
	assert_close(p.ahead[0].lo95, -25.4120, 0, 2e-4);
	assert_close(p.ahead[0].hi95, 31.4120, 0, 2e-4);
	assert_string_equal(trend_flag_reason(p.fit.flags),
			    "only 3 years: intervals very wide");
}

static void test_trend_refuses_fewer_than_three_points(void **state)
{
	static const double x[] = { 2021, 2022 };
	static const double y[] = { 5, 7 };
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(x, y, 2, 1, &p), -1);
	assert_true(p.fit.flags & TREND_TOO_FEW_POINTS);
	assert_int_equal(p.n_ahead, 0);
	assert_int_equal(trend_project(x, y, 0, 1, &p), -1);
	assert_true(p.fit.flags & TREND_TOO_FEW_POINTS);
	assert_string_equal(trend_flag_reason(p.fit.flags), "fewer than 3 years");
}

static void test_trend_refuses_years_that_are_all_equal(void **state)
{
	/* gsl_fit_linear itself returns success here, with NaN coefficients */
	static const double x[] = { 2022, 2022, 2022, 2022 };
	static const double y[] = { 5, 7, 6, 8 };
	struct trend_projection p;
	struct trend_forecast f;

	(void)state;
	assert_int_equal(trend_project(x, y, 4, 3, &p), -1);
	assert_int_equal(p.fit.flags, TREND_ALL_EQUAL_YEARS);
	assert_int_equal(p.n_ahead, 0);
	assert_int_equal(trend_forecast(&p.fit, 2023, &f), -1);
	assert_true(isnan(f.yhat));
	assert_string_equal(trend_flag_reason(p.fit.flags), "all years equal");
}

static void test_trend_refuses_non_finite_input_and_results(void **state)
{
	static const double x[] = { 2019, 2020, 2021, 2022 };
	static const double y_nan[] = { 5, NAN, 6, 8 };
	static const double y_inf[] = { 5, 7, INFINITY, 8 };
	/* finite inputs whose squares overflow: SSE is inf */
	static const double y_big[] = { 1e200, -1e200, 1e200, -1e200 };
	static const double x_nan[] = { 2019, 2020, NAN, 2022 };
	static const double y_ok[] = { 5, 7, 6, 8 };
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(x, y_nan, 4, 1, &p), -1);
	assert_true(p.fit.flags & TREND_NONFINITE);
	assert_int_equal(trend_project(x, y_inf, 4, 1, &p), -1);
	assert_true(p.fit.flags & TREND_NONFINITE);
	assert_int_equal(trend_project(x_nan, y_ok, 4, 1, &p), -1);
	assert_true(p.fit.flags & TREND_NONFINITE);
	assert_int_equal(trend_project(x, y_big, 4, 1, &p), -1);
	assert_true(p.fit.flags & TREND_NONFINITE);
	assert_int_equal(p.n_ahead, 0);
	assert_string_equal(trend_flag_reason(p.fit.flags), "non-finite value");
}

static void test_trend_perfect_line_has_zero_width_intervals(void **state)
{
	/* y = 100 + 5 (x - 2020) exactly: s = 0, so every interval is the point */
	static const double x[] = { 2018, 2019, 2020, 2021, 2022 };
	static const double y[] = { 90, 95, 100, 105, 110 };
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(x, y, 5, 2, &p), 0);
	assert_close(p.ahead[1].yhat, 120.0, 0, 1e-9);	/* 2024: 100 + 5 * 4 */
	assert_close(p.ahead[1].hi95 - p.ahead[1].lo95, 0.0, 0, 1e-9);
}

static void test_trend_refuses_a_horizon_out_of_range(void **state)
{
	struct trend_projection p;

	(void)state;
	assert_int_equal(trend_project(ex_x, ex_y, 5, 0, &p), -1);
	assert_int_equal(trend_project(ex_x, ex_y, 5, TREND_MAX_AHEAD + 1, &p), -1);
	assert_int_equal(p.n_ahead, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trend_fit_matches_the_textbook_least_squares),
		cmocka_unit_test(test_trend_t_multiplier_matches_printed_tables),
		cmocka_unit_test(test_trend_prediction_interval_is_the_textbook_formula),
		cmocka_unit_test(test_trend_order_of_points_does_not_matter),
		cmocka_unit_test(test_trend_projects_three_points_but_flags_them_weak),
		cmocka_unit_test(test_trend_refuses_fewer_than_three_points),
		cmocka_unit_test(test_trend_refuses_years_that_are_all_equal),
		cmocka_unit_test(test_trend_refuses_non_finite_input_and_results),
		cmocka_unit_test(test_trend_perfect_line_has_zero_width_intervals),
		cmocka_unit_test(test_trend_refuses_a_horizon_out_of_range),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("trend", tests, NULL, NULL);
}

/*
 * test_money.c - exact money: parsing, formatting, apportionment.
 * Expected values are worked out by hand in the comments.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "helpers.h"

static enum num_err parse(const char *s, enum num_round rule, int64_t *out)
{
	return money_parse(s, strlen(s), rule, out);
}

static void test_money_parses_plain_amounts_into_pence(void **state)
{
	static const struct { const char *in; int64_t want; } cases[] = {
		{ "1234.56", 123456 },
		{ "-67193", -6719300 },	/* whole pounds: 67193 * 100 */
		{ "0.29", 29 },		/* strtod gives 28.999..., we must not */
		{ "+5.5", 550 },
		{ "-0.05", -5 },
		{ "12.500", 1250 },	/* trailing zero is not extra precision */
		{ "0", 0 },
		{ "-0", 0 },
		{ "92233720368547758.07", INT64_MAX },
		{ "-92233720368547758.07", -INT64_MAX },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 42;

		assert_int_equal(parse(cases[i].in, NUM_ROUND_REJECT, &got), NUM_OK);
		assert_pence_eq(got, cases[i].want);
	}
}

static void test_money_rejects_each_malformed_amount_with_its_reason(void **state)
{
	static const struct { const char *in; enum num_err want; } cases[] = {
		{ "", NUM_EMPTY },
		{ "   ", NUM_BLANK },
		{ " 12.50", NUM_SPACE },
		{ "12.50 ", NUM_SPACE },
		{ "1 234", NUM_SPACE },
		{ "1,234.50", NUM_THOUSANDS },
		{ "1,234", NUM_THOUSANDS },
		{ "12,50", NUM_DECIMAL_COMMA },
		{ "1234,5", NUM_DECIMAL_COMMA },
		{ "1.234,50", NUM_THOUSANDS },
		{ "1e5", NUM_EXPONENT },
		{ "1.5E3", NUM_EXPONENT },
		{ "\xc2\xa3" "12.00", NUM_CURRENCY },
		{ "$12", NUM_CURRENCY },
		{ "12p", NUM_CURRENCY },
		{ "NaN", NUM_NAN },
		{ "-inf", NUM_NAN },
		{ "N/A", NUM_NAN },
		{ "12x4.50", NUM_SYNTAX },
		{ "-", NUM_SYNTAX },
		{ ".", NUM_SYNTAX },
		{ ".5", NUM_SYNTAX },
		{ "12.", NUM_SYNTAX },
		{ "0x10", NUM_SYNTAX },
		{ "--5", NUM_SYNTAX },
		{ "1.005", NUM_PRECISION },
		{ "92233720368547758.08", NUM_OVERFLOW },
		{ "99999999999999999999", NUM_OVERFLOW },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 42;
		enum num_err e = parse(cases[i].in, NUM_ROUND_REJECT, &got);

		if (e != cases[i].want)
			fail_msg("'%s': got error %d, want %d", cases[i].in, e, cases[i].want);
		assert_pence_eq(got, 42);	/* untouched on error */
	}
	/* the reason names what was refused, not "not a number" twice over */
	assert_string_equal(num_reason(NUM_NAN), " (NaN, infinity and N/A are not allowed)");
}

static void test_money_rounds_extra_decimals_only_when_asked(void **state)
{
	/*
	 * half up = half away from zero on the magnitude;
	 * half even: 1.005 -> 1.00 (0 even), 1.015 -> 1.02, 1.0051 -> 1.01.
	 */
	static const struct { const char *in; enum num_round rule; int64_t want; } cases[] = {
		{ "1.005", NUM_ROUND_HALF_UP, 101 },
		{ "-1.005", NUM_ROUND_HALF_UP, -101 },
		{ "1.004999", NUM_ROUND_HALF_UP, 100 },
		{ "1.005", NUM_ROUND_HALF_EVEN, 100 },
		{ "1.015", NUM_ROUND_HALF_EVEN, 102 },
		{ "1.0051", NUM_ROUND_HALF_EVEN, 101 },
		{ "-1.025", NUM_ROUND_HALF_EVEN, -102 },
		{ "2.675", NUM_ROUND_HALF_UP, 268 },	/* the classic double trap */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 0;

		assert_int_equal(parse(cases[i].in, cases[i].rule, &got), NUM_OK);
		assert_pence_eq(got, cases[i].want);
	}
}

static void test_money_checks_overflow_when_rounding_up(void **state)
{
	int64_t got = 0;

	(void)state;
	assert_int_equal(parse("92233720368547758.075", NUM_ROUND_HALF_UP, &got),
			 NUM_OVERFLOW);
}

static void test_fixed_parse_keeps_nine_decimal_list_sizes_exact(void **state)
{
	int64_t got = 0;
	char buf[MONEY_BUFSZ];

	(void)state;
	/* 15-16 weighted list: 5209.497299 -> 5209497299000 nano-patients */
	assert_int_equal(fixed_parse("5209.497299", 11, 9, NUM_ROUND_REJECT, &got), NUM_OK);
	assert_pence_eq(got, 5209497299000LL);
	assert_string_equal(fixed_format(got, 9, buf), "5209.497299");
	assert_string_equal(fixed_format(4268000000000LL, 9, buf), "4268");
	assert_string_equal(fixed_format(-1500000000LL, 9, buf), "-1.5");
}

/*
 * A second, slow path to the same text: the magnitude split with / and %
 * by 10^decimals and printed by snprintf, the fraction zero-padded, then
 * (for fixed_format) trailing zeros and a bare point removed by hand.
 */
static void reference_format(int64_t v, unsigned decimals, bool trim, char *out,
			     size_t size)
{
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, scale = 1;
	size_t n;

	for (unsigned k = 0; k < decimals; k++)
		scale *= 10;
	if (decimals)
		n = (size_t)snprintf(out, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
				     (unsigned long long)(m / scale), (int)decimals,
				     (unsigned long long)(m % scale));
	else
		n = (size_t)snprintf(out, size, "%s%llu", v < 0 ? "-" : "",
				     (unsigned long long)m);
	if (trim && decimals) {
		while (out[n - 1] == '0')
			n--;
		if (out[n - 1] == '.')
			n--;
		out[n] = '\0';
	}
}

/*
 * The formatting fast paths (32-bit digit pairs below 2^32, 64-bit
 * above; the two pence digits written at once) against the reference on
 * values around every power of ten and of two and on pseudo-random ones
 * (xorshift64, fixed seed), for every scale 0..18.
 */
static void test_money_formats_agree_with_a_printf_reference(void **state)
{
	char got[MONEY_BUFSZ], want[64];
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	int64_t edge[200];
	size_t n_edge = 0;

	(void)state;
	edge[n_edge++] = 0;
	edge[n_edge++] = INT64_MAX;
	edge[n_edge++] = INT64_MIN;
	for (uint64_t p = 1; p <= 1000000000000000000ULL; p *= 10)
		for (int d = -1; d <= 1; d++)
			edge[n_edge++] = (int64_t)p + d, edge[n_edge++] = -((int64_t)p + d);
	for (unsigned b = 1; b < 63; b += 3)
		edge[n_edge++] = (int64_t)(1ULL << b) - 1, edge[n_edge++] = (int64_t)(1ULL << b);
	edge[n_edge++] = (int64_t)UINT32_MAX * 100 + 99;
	edge[n_edge++] = (int64_t)UINT32_MAX * 100 + 100;
	assert_true(n_edge <= sizeof(edge) / sizeof(edge[0]));

	for (size_t i = 0; i < n_edge + 200000; i++) {
		int64_t v;

		if (i < n_edge) {
			v = edge[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly amounts of a payments file, some of any size */
			v = (int64_t)(i % 4 ? x % 100000000000ULL : x);
			if (x & 1)
				v = v == INT64_MIN ? v : -v;
		}
		reference_format(v, 2, false, want, sizeof(want));
		assert_int_equal(money_format_n(v, got), strlen(want));
		assert_string_equal(got, want);
		for (unsigned d = 0; d <= 18; d += (i < n_edge ? 1 : 9)) {
			reference_format(v, d, true, want, sizeof(want));
			assert_int_equal(fixed_format_n(v, d, got), strlen(want));
			assert_string_equal(got, want);
		}
	}
}

static void test_money_formats_plain_pounds_and_thousands(void **state)
{
	char buf[MONEY_BUFSZ];

	(void)state;
	assert_string_equal(money_format(123456, buf), "1234.56");
	assert_string_equal(money_format(-5, buf), "-0.05");
	assert_string_equal(money_format(0, buf), "0.00");
	assert_string_equal(money_format(INT64_MIN, buf), "-92233720368547758.08");
	assert_string_equal(money_format_gbp(123456, buf), "\xc2\xa3" "1,234.56");
	assert_string_equal(money_format_gbp(-100000000, buf), "-\xc2\xa3" "1,000,000.00");
	assert_string_equal(money_format_gbp(99, buf), "\xc2\xa3" "0.99");
	/* £1,234,567.89 in £000 is 1,234.56789 -> 1,235 */
	assert_string_equal(money_format_thousands(123456789, buf), "1,235");
	/* £500.00 rounds half away from zero to 1; £499.99 to 0 */
	assert_string_equal(money_format_thousands(-50000, buf), "-1");
	assert_string_equal(money_format_thousands(49999, buf), "0");
	assert_string_equal(money_format_thousands(-49999, buf), "0");
}

static int64_t sum(const int64_t *v, size_t n)
{
	int64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void test_money_apportions_so_parts_add_up_exactly(void **state)
{
	int64_t w3[] = { 1, 1, 1 }, out3[3];
	int64_t w4[] = { 5209, 4268, 0, 10523 }, out4[4];

	(void)state;
	/* 100 over three equal weights: 33 each, 1 left -> lowest index */
	assert_int_equal(money_apportion(100, w3, 3, out3), 0);
	assert_pence_eq(out3[0], 34);
	assert_pence_eq(out3[1], 33);
	assert_pence_eq(out3[2], 33);

	/*
	 * 1,000,000 p over weights summing to 20,000:
	 *   5209/20000 * 1e6 = 260450 exactly, 4268 -> 213400, 0 -> 0,
	 *   10523 -> 526150; all exact, nothing left over.
	 */
	assert_int_equal(money_apportion(1000000, w4, 4, out4), 0);
	assert_pence_eq(out4[0], 260450);
	assert_pence_eq(out4[1], 213400);
	assert_pence_eq(out4[2], 0);
	assert_pence_eq(out4[3], 526150);

	/*
	 * 1001 p: floors 260.7209, 213.6134, 0, 526.6657 -> 260, 213, 0, 526
	 * = 999; the 2 left go to the largest remainders: .6657 (idx 3) and
	 * .7209 (idx 0) -> 261, 213, 0, 527.
	 */
	assert_int_equal(money_apportion(1001, w4, 4, out4), 0);
	assert_pence_eq(out4[0], 261);
	assert_pence_eq(out4[1], 213);
	assert_pence_eq(out4[3], 527);

	/* a negative total mirrors the positive one */
	assert_int_equal(money_apportion(-100, w3, 3, out3), 0);
	assert_pence_eq(out3[0], -34);
	assert_pence_eq(sum(out3, 3), -100);
}

static void test_money_apportions_large_totals_over_many_parts(void **state)
{
	enum { N = 7000 };
	static int64_t w[N], out[N];
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < N; i++) {	/* xorshift: deterministic weights */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = (int64_t)(x % 20000);
	}
	assert_int_equal(money_apportion(123456789012LL, w, N, out), 0);
	assert_pence_eq(sum(out, N), 123456789012LL);
	assert_int_equal(money_apportion(INT64_MAX, w, N, out), 0);
	/* sum would overflow int64 only if parts were wrong; compare as unsigned */
	{
		uint64_t s = 0;

		for (size_t i = 0; i < N; i++)
			s += (uint64_t)out[i];
		assert_true(s == (uint64_t)INT64_MAX);
	}
}

static void test_money_refuses_to_apportion_over_zero_or_negative_weights(void **state)
{
	int64_t zero[] = { 0, 0 }, neg[] = { 3, -1 }, out[2] = { 7, 7 };

	(void)state;
	assert_int_equal(money_apportion(100, zero, 2, out), -1);
	assert_int_equal(money_apportion(100, neg, 2, out), -1);
	assert_int_equal(money_apportion(100, zero, 0, out), -1);
	assert_pence_eq(out[0], 7);
}

static void test_money_from_double_rounds_half_away_from_zero(void **state)
{
	int64_t p = 0;

	(void)state;
	assert_int_equal(money_from_double(12.345, &p), 0);
	assert_pence_eq(p, 1235);	/* 12.345 * 100 is the double 1234.5: away from 0 */
	assert_int_equal(money_from_double(-0.125, &p), 0);
	assert_pence_eq(p, -13);
	assert_int_equal(money_from_double(1e300, &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_parses_plain_amounts_into_pence),
		cmocka_unit_test(test_money_rejects_each_malformed_amount_with_its_reason),
		cmocka_unit_test(test_money_rounds_extra_decimals_only_when_asked),
		cmocka_unit_test(test_money_checks_overflow_when_rounding_up),
		cmocka_unit_test(test_fixed_parse_keeps_nine_decimal_list_sizes_exact),
		cmocka_unit_test(test_money_formats_plain_pounds_and_thousands),
		cmocka_unit_test(test_money_formats_agree_with_a_printf_reference),
		cmocka_unit_test(test_money_apportions_so_parts_add_up_exactly),
		cmocka_unit_test(test_money_apportions_large_totals_over_many_parts),
		cmocka_unit_test(test_money_refuses_to_apportion_over_zero_or_negative_weights),
		cmocka_unit_test(test_money_from_double_rounds_half_away_from_zero),
	};

	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}

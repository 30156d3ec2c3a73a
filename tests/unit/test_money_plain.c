/*
 * test_money_plain.c - the plain-number shortcuts (fixed_parse()'s, the
 * padded parsers and writers of the import) must agree with the full
 * parser and formatter: the values of ordinary amounts and list sizes,
 * and the verdicts on everything that is not one.
 *
 * Expected values are computed independently: a random amount in pence
 * is printed with printf (integer arithmetic only) and must parse back
 * to itself; other strings carry their expected value or error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "money.h"

static void test_money_plain_round_trips_random_amounts(void **state)
{
	uint64_t seed = 42;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char buf[64] = { 0 };
		int64_t want, got = 0;
		uint64_t mag;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		/* magnitudes from 0 to ~10^(1..17) pence */
		mag = (seed >> 11) % (uint64_t)(1ULL << (1 + (seed >> 3) % 56));
		want = (seed & 1) ? -(int64_t)mag : (int64_t)mag;
		if ((seed >> 2) & 1)
			snprintf(buf, sizeof(buf), "%s%llu.%02llu", want < 0 ? "-" : "",
				 (unsigned long long)(mag / 100),
				 (unsigned long long)(mag % 100));
		else if (mag % 100 == 0)
			snprintf(buf, sizeof(buf), "%s%llu", want < 0 ? "-" : "",
				 (unsigned long long)(mag / 100));
		else
			continue;
		assert_int_equal(money_parse(buf, strlen(buf), NUM_ROUND_REJECT, &got),
				 NUM_OK);
		assert_pence_eq(got, want);
		got = 0;
		assert_int_equal(money_parse_padded(buf, strlen(buf), NUM_ROUND_REJECT,
						    &got), NUM_OK);
		assert_pence_eq(got, want);
	}
}

static void test_money_plain_leaves_other_forms_to_the_full_parser(void **state)
{
	static const struct {
		const char *s;
		unsigned decimals;
		enum num_err err;
		int64_t want;
	} cases[] = {
		{ "12.5", 2, NUM_OK, 1250 },
		{ "-0.05", 2, NUM_OK, -5 },
		{ "-0", 2, NUM_OK, 0 },
		{ "+7", 2, NUM_OK, 700 },
		{ "12.500", 2, NUM_OK, 1250 },		/* trailing zeros */
		{ "12.505", 2, NUM_PRECISION, 0 },
		{ "12.", 2, NUM_SYNTAX, 0 },
		{ ".5", 2, NUM_SYNTAX, 0 },
		{ "-", 2, NUM_SYNTAX, 0 },
		{ "", 2, NUM_EMPTY, 0 },
		{ "1,234.50", 2, NUM_THOUSANDS, 0 },
		{ "12,50", 2, NUM_DECIMAL_COMMA, 0 },
		{ "1e5", 2, NUM_EXPONENT, 0 },
		{ "N/A", 2, NUM_NAN, 0 },
		{ " 12", 2, NUM_SPACE, 0 },
		{ "12 ", 2, NUM_SPACE, 0 },
		{ "1.2.3", 2, NUM_SYNTAX, 0 },
		{ "--1", 2, NUM_SYNTAX, 0 },
		/* 18 digits once scaled: the shortcut's limit, still exact */
		{ "9999999999999999.99", 2, NUM_OK, 999999999999999999LL },
		/* past it, the full parser decides */
		{ "92233720368547758.07", 2, NUM_OK, INT64_MAX },
		{ "92233720368547758.08", 2, NUM_OVERFLOW, 0 },
		{ "5209.497299123", 9, NUM_OK, 5209497299123LL },
		{ "5209.4972991234", 9, NUM_PRECISION, 0 },
		{ "123456789012", 9, NUM_OVERFLOW, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = -1;
		enum num_err e = fixed_parse(cases[i].s, strlen(cases[i].s),
					     cases[i].decimals, NUM_ROUND_REJECT, &got);

		if (e != cases[i].err)
			fail_msg("'%s': error %d, want %d", cases[i].s, (int)e,
				 (int)cases[i].err);
		if (e == NUM_OK)
			assert_pence_eq(got, cases[i].want);
		else
			assert_pence_eq(got, -1);	/* untouched */
	}
}

/* money_format() and fixed_format() against printf of the same integers. */
static void test_money_plain_formats_like_printf(void **state)
{
	static const int64_t edge[] = {
		0, 1, -1, 9, 10, 99, 100, 101, -100, 999, 1000, 123456789,
		INT64_MAX, INT64_MIN + 1, -5, 50, 1000000000, -999999999,
		/* the padded writers' limits: £100m, 10^8 patients */
		9999999999LL, 10000000000LL, -9999999999LL, -10000000000LL,
		99999999999999999LL, 100000000000000000LL, 999999999LL,
		123000000000LL, 123000000001LL, 5209497299000LL, 1500000000LL,
	};
	uint64_t seed = 7;

	(void)state;
	for (int i = 0; i < 300000; i++) {
		char got[MONEY_BUFSZ], want[64];
		int64_t v;
		uint64_t m;
		size_t n;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i < (int)(sizeof(edge) / sizeof(edge[0])))
			v = edge[i];
		else
			v = (int64_t)(seed >> (1 + (seed >> 58) % 63)) * ((seed & 1) ? -1 : 1);
		m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		snprintf(want, sizeof(want), "%s%llu.%02llu", v < 0 ? "-" : "",
			 (unsigned long long)(m / 100), (unsigned long long)(m % 100));
		if (money_format_n(v, got) != strlen(want))
			fail_msg("%lld: got %s, want %s", (long long)v, got, want);
		assert_string_equal(got, want);
		assert_string_equal(money_format(v, got), want);
		memset(got, 'x', sizeof(got));
		n = money_put_padded(got, v);
		if (n != strlen(want) || memcmp(got, want, n) != 0)
			fail_msg("%lld: money_put_padded gave '%.*s', want %s",
				 (long long)v, (int)n, got, want);

		/* nine decimals with the trailing zeros dropped */
		snprintf(want, sizeof(want), "%s%llu.%09llu", v < 0 ? "-" : "",
			 (unsigned long long)(m / 1000000000),
			 (unsigned long long)(m % 1000000000));
		n = strlen(want);
		while (want[n - 1] == '0')
			n--;
		if (want[n - 1] == '.')
			n--;
		want[n] = '\0';
		assert_int_equal(fixed_format_n(v, 9, got), n);
		assert_string_equal(got, want);
		memset(got, 'x', sizeof(got));
		if (fixed9_put_padded(got, v) != n || memcmp(got, want, n) != 0)
			fail_msg("%lld: fixed9_put_padded gave '%.*s', want %s",
				 (long long)v, (int)n, got, want);

		snprintf(want, sizeof(want), "%lld", (long long)v);
		assert_string_equal(fixed_format(v, 0, got), want);
	}
}

/*
 * A random value for the differential tests: 0 to 21 bytes drawn from
 * alphabet (a NUL-terminated string), then random bytes to the end of
 * buf, the padding a padded parser may read.  Returns the length.
 */
static size_t random_value(uint64_t *seed, const char *alphabet, char *buf,
			   size_t size)
{
	size_t n_alpha = strlen(alphabet), len;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	len = (*seed >> 59) % 22;
	for (size_t k = 0; k < size; k++) {
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[k] = k < len ? alphabet[(*seed >> 33) % n_alpha] : (char)(*seed >> 40);
	}
	return len;
}

/*
 * money_parse_padded() must agree with money_parse() on everything:
 * random strings over digits, signs, points and junk, followed by
 * random bytes inside the padding.
 */
static void test_money_plain_padded_parse_agrees_with_money_parse(void **state)
{
	static const char alphabet[] = "0123456789012345678901234567890123456789..--+ ,e";
	uint64_t seed = 99;
	char buf[64];

	(void)state;
	for (int i = 0; i < 1000000; i++) {
		size_t len;
		int64_t a = 12345, b = 12345;
		enum num_err ea, eb;

		len = random_value(&seed, alphabet, buf, sizeof(buf));
		ea = money_parse_padded(buf, len, NUM_ROUND_REJECT, &a);
		eb = money_parse(buf, len, NUM_ROUND_REJECT, &b);
		if (ea != eb || a != b)
			fail_msg("'%.*s': padded %d %lld, plain %d %lld", (int)len, buf,
				 (int)ea, (long long)a, (int)eb, (long long)b);
	}
}

/*
 * fixed9_parse_padded() must agree with fixed_parse(..., 9, ...) on
 * everything, as money_parse_padded() with money_parse(): random
 * strings over digits, points and junk, random bytes in the padding.
 */
static void test_money_plain_padded_list_size_parse_agrees_with_fixed_parse(void **state)
{
	static const char alphabet[] = "01234567890123456789012345678901234567890123456789...-+ ,e";
	uint64_t seed = 1234;
	char buf[64];

	(void)state;
	for (int i = 0; i < 1000000; i++) {
		size_t len;
		int64_t a = 12345, b = 12345;
		enum num_err ea, eb;

		len = random_value(&seed, alphabet, buf, sizeof(buf));
		ea = fixed9_parse_padded(buf, len, NUM_ROUND_REJECT, &a);
		eb = fixed_parse(buf, len, 9, NUM_ROUND_REJECT, &b);
		if (ea != eb || a != b)
			fail_msg("'%.*s': padded %d %lld, plain %d %lld", (int)len, buf,
				 (int)ea, (long long)a, (int)eb, (long long)b);
	}
}

/*
 * List sizes as the files write them (whole, or with 1 to 9 decimals)
 * read back to the value printf was given: random values in 10^-9
 * patients below 10^8 patients, printed with integer arithmetic only.
 */
static void test_money_plain_padded_list_sizes_round_trip(void **state)
{
	uint64_t seed = 77;

	(void)state;
	for (int i = 0; i < 300000; i++) {
		char buf[64];
		uint64_t whole, nano;
		unsigned keep;
		int64_t got = -1;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		whole = (seed >> 20) % 100000000;
		nano = (seed >> 3) % 1000000000;
		keep = (unsigned)((seed >> 50) % 10);	/* decimals written */
		memset(buf, 0x55, sizeof(buf));
		if (keep == 0) {
			nano = 0;
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)whole);
		} else {
			uint64_t unit = 1;

			for (unsigned k = keep; k < 9; k++)
				unit *= 10;
			nano -= nano % unit;
			snprintf(buf, sizeof(buf), "%llu.%0*llu", (unsigned long long)whole,
				 (int)keep, (unsigned long long)(nano / unit));
		}
		assert_int_equal(fixed9_parse_padded(buf, strlen(buf), NUM_ROUND_REJECT,
						     &got), NUM_OK);
		assert_pence_eq(got, (int64_t)(whole * 1000000000 + nano));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_plain_round_trips_random_amounts),
		cmocka_unit_test(test_money_plain_leaves_other_forms_to_the_full_parser),
		cmocka_unit_test(test_money_plain_formats_like_printf),
		cmocka_unit_test(test_money_plain_padded_parse_agrees_with_money_parse),
		cmocka_unit_test(test_money_plain_padded_list_size_parse_agrees_with_fixed_parse),
		cmocka_unit_test(test_money_plain_padded_list_sizes_round_trip),
	};

	return cmocka_run_group_tests_name("money_plain", tests, NULL, NULL);
}

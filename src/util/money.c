/*
 * money.c - exact money: strict fixed-point parsing into int64 minor
 * units, formatting, and largest-remainder apportionment.
 *
 * No floating point touches a parsed amount.  The parser walks the bytes
 * once; the error it returns names the first rule the value breaks, so
 * the user's message says why "1,234.50" or "12,50" is refused.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "xalloc.h"

__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool equals_nocase(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != word[i])
			return false;
	return true;
}

static bool looks_like_nan(const char *s, size_t len)
{
	static const char *const words[] = {
		"nan", "inf", "infinity", "n/a", "na", "#n/a", "null", "none",
	};

	if (len && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (equals_nocase(s, len, words[i]))
			return true;
	return false;
}

static bool has_currency(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '$' || c == 0xa3 /* latin-1 pound */)
			return true;
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa3)
			return true;	/* UTF-8 £ */
		if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x82 &&
		    (unsigned char)s[i + 2] == 0xac)
			return true;	/* UTF-8 € */
	}
	/* "12p" or "12.50 GBP" */
	if (len >= 2 && lower(s[len - 1]) == 'p' && is_digit(s[len - 2]))
		return true;
	if (len >= 3 && (equals_nocase(s + len - 3, 3, "gbp") ||
			 equals_nocase(s, 3, "gbp")))
		return true;
	return false;
}

/*
 * After the integer digits, a comma is either a thousands separator
 * ("1,234" or "1,234,567.89": groups of exactly three digits) or a
 * decimal comma ("12,50").
 */
static enum num_err classify_comma(const char *s, size_t len, size_t comma,
				   size_t n_int_digits)
{
	size_t i = comma;

	if (n_int_digits == 0 || n_int_digits > 3)
		return NUM_DECIMAL_COMMA;
	while (i < len && s[i] == ',') {
		size_t d = 0;

		i++;
		while (i + d < len && is_digit(s[i + d]))
			d++;
		if (d != 3)
			return NUM_DECIMAL_COMMA;
		i += d;
	}
	return NUM_THOUSANDS;
}

/*
 * The common case on its own, without the diagnosis of bad input:
 * "-?digits(.digits)?" with at most `decimals` digits after the point
 * and at most 18 digits in all once scaled, so nothing can overflow.
 * Returns false for anything else, which then takes the full route.
 */
static inline bool parse_plain(const char *s, size_t len, unsigned decimals,
			       int64_t *out)
{
	size_t i = 0, n_int = 0, n_frac = 0;
	uint64_t v = 0;
	bool neg = len && s[0] == '-';

	if (len == 1 && is_digit(s[0])) {
		/* "0" is nearly half the cells of a payments file */
		*out = (int64_t)((uint64_t)(s[0] - '0') * pow10[decimals]);
		return true;
	}
	i = neg;
	for (; i < len && is_digit(s[i]); i++, n_int++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (n_int == 0 || n_int > 18)
		return false;
	if (i < len && s[i] == '.') {
		for (i++; i < len && is_digit(s[i]); i++, n_frac++) {
			if (n_frac == decimals)
				return false;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
		if (n_frac == 0)
			return false;
	}
	if (i != len || n_int + decimals > 18)
		return false;
	v *= pow10[decimals - n_frac];
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

enum num_err fixed_parse(const char *s, size_t len, unsigned decimals,
			 enum num_round rule, int64_t *out)
{
	size_t i = 0, n_int = 0, n_frac = 0;
	bool neg = false, sticky = false;
	unsigned round_digit = 0;
	uint64_t v = 0;

	if (decimals > 18)
		return NUM_SYNTAX;
	if (parse_plain(s, len, decimals, out))
		return NUM_OK;
	if (len == 0)
		return NUM_EMPTY;
	{
		size_t b = 0;

		while (b < len && is_blank(s[b]))
			b++;
		if (b == len)
			return NUM_BLANK;
		if (b > 0 || is_blank(s[len - 1]))
			return NUM_SPACE;
	}
	if (looks_like_nan(s, len))
		return NUM_NAN;
	if (has_currency(s, len))
		return NUM_CURRENCY;

	if (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-';
		i++;
	}
	for (; i < len && is_digit(s[i]); i++, n_int++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
			return NUM_OVERFLOW;
	}
	if (i < len && s[i] == ',')
		return classify_comma(s, len, i, n_int);
	if (i < len && (s[i] == ' ' || s[i] == '\t'))
		return NUM_SPACE;
	if (n_int == 0)
		return NUM_SYNTAX;
	if (i < len && s[i] == '.') {
		i++;
		for (; i < len && is_digit(s[i]); i++, n_frac++) {
			unsigned d = (unsigned)(s[i] - '0');

			if (n_frac < decimals) {
				if (__builtin_mul_overflow(v, 10, &v) ||
				    __builtin_add_overflow(v, d, &v))
					return NUM_OVERFLOW;
			} else if (n_frac == decimals) {
				round_digit = d;
			} else if (d) {
				sticky = true;
			}
		}
		if (n_frac == 0)
			return NUM_SYNTAX;
		if (i < len && s[i] == ',')
			return NUM_THOUSANDS;	/* "1.234,50": European grouping */
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
		return NUM_EXPONENT;
	if (i < len && (s[i] == ' ' || s[i] == '\t'))
		return NUM_SPACE;
	if (i != len)
		return NUM_SYNTAX;

	for (size_t k = n_frac; k < decimals; k++)
		if (__builtin_mul_overflow(v, 10, &v))
			return NUM_OVERFLOW;

	if (round_digit || sticky) {
		bool up = false;

		switch (rule) {
		case NUM_ROUND_REJECT:
			return NUM_PRECISION;
		case NUM_ROUND_HALF_UP:
			up = round_digit >= 5;
			break;
		case NUM_ROUND_HALF_EVEN:
			up = round_digit > 5 || (round_digit == 5 && (sticky || (v & 1)));
			break;
		}
		if (up && __builtin_add_overflow(v, 1, &v))
			return NUM_OVERFLOW;
	}
	if (v > (uint64_t)INT64_MAX)
		return NUM_OVERFLOW;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return NUM_OK;
}

enum num_err money_parse(const char *s, size_t len, enum num_round rule,
			 int64_t *pence)
{
	/* the shortcut again, specialised for two decimals */
	if (parse_plain(s, len, 2, pence))
		return NUM_OK;
	return fixed_parse(s, len, 2, rule, pence);
}


const char *num_reason(enum num_err e)
{
	switch (e) {
	case NUM_OK:
	case NUM_SYNTAX:
		return "";
	case NUM_EMPTY:
		return " (the value is empty)";
	case NUM_BLANK:
		return " (the value is blank)";
	case NUM_SPACE:
		return " (spaces are not allowed in a number)";
	case NUM_THOUSANDS:
		return " (thousands separators are not allowed)";
	case NUM_DECIMAL_COMMA:
		return " (a decimal comma is not allowed; use a point)";
	case NUM_EXPONENT:
		return " (exponents are not allowed)";
	case NUM_CURRENCY:
		return " (currency symbols are not allowed)";
	case NUM_NAN:
		return " (NaN, infinity and N/A are not allowed)";
	case NUM_PRECISION:
		return " (too many decimal places)";
	case NUM_OVERFLOW:
		return " (too large)";
	}
	return "";
}

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * put_fixed() for ip < 10^8 and 0 or 2 decimals (fp < 100): the
 * integer part's digits written with one 8-byte store, shifted so
 * that its leading zeros fall off.  buf has room for 8 + 3 bytes.
 */
static inline size_t put_small(char *buf, uint32_t ip, unsigned nd,
			       unsigned decimals, uint32_t fp)
{
	uint64_t w = money_ascii8_(ip) >> (8 * (8 - nd));

	memcpy(buf, &w, 8);
	if (decimals) {
		buf[nd] = '.';
		buf[nd + 1] = digit_pairs[2 * fp];
		buf[nd + 2] = digit_pairs[2 * fp + 1];
		nd += 3;
	}
	buf[nd] = '\0';
	return nd;
}
#endif

/* Writes the magnitude m with `decimals` digits after the point. */
static size_t put_fixed(char *buf, uint64_t m, unsigned decimals,
			bool separators)
{
	char tmp[MONEY_BUFSZ];
	size_t n = 0, j = 0;
	unsigned d = 0;

	if (!separators && decimals <= 18) {
		/*
		 * The common case, written straight into buf from the ends of
		 * its two parts, two digits at a time (no temporary copy: a
		 * copy of just-written bytes stalls on store forwarding).
		 */
		uint64_t ip, fp;
		/* constant divisors for the usual scales: no hardware divide */
		switch (decimals) {
		case 0:
			ip = m, fp = 0;
			break;
		case 2:
			ip = m / 100, fp = m % 100;
			break;
		case 9:
			ip = m / 1000000000, fp = m % 1000000000;
			break;
		default:
			ip = m / pow10[decimals], fp = m % pow10[decimals];
			break;
		}
		/* digits of ip: from its bit length, corrected by one compare */
		unsigned nd = (unsigned)(64 - __builtin_clzll(ip | 1)) * 1233 >> 12;
		char *p;

		nd += nd < 19 && ip >= pow10[nd];
		nd += nd == 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (nd <= 8 && decimals <= 2 && decimals != 1)
			return put_small(buf, (uint32_t)ip, nd, decimals, (uint32_t)fp);
#endif
		p = buf + nd;
		n = nd;
		/* 64-bit division by 100 costs twice the 32-bit one */
		while (ip > UINT32_MAX) {
			unsigned two = (unsigned)(ip % 100);

			ip /= 100;
			*--p = digit_pairs[2 * two + 1];
			*--p = digit_pairs[2 * two];
		}
		{
			uint32_t v = (uint32_t)ip;

			while (v >= 100) {
				uint32_t two = v % 100;

				v /= 100;
				*--p = digit_pairs[2 * two + 1];
				*--p = digit_pairs[2 * two];
			}
			if (v >= 10) {
				*--p = digit_pairs[2 * v + 1];
				*--p = digit_pairs[2 * v];
			} else {
				*--p = (char)('0' + v);
			}
		}
		if (decimals == 2) {
			/* pence: fp < 100, one pair */
			buf[n] = '.';
			buf[n + 1] = digit_pairs[2 * fp];
			buf[n + 2] = digit_pairs[2 * fp + 1];
			n += 3;
		} else if (decimals) {
			buf[n] = '.';
			n += 1 + decimals;
			p = buf + n;
			unsigned k = 0;

			for (; fp > UINT32_MAX && k + 1 < decimals; k += 2) {
				unsigned two = (unsigned)(fp % 100);

				fp /= 100;
				*--p = digit_pairs[2 * two + 1];
				*--p = digit_pairs[2 * two];
			}
			{
				uint32_t f = (uint32_t)fp;	/* fits now */

				for (; k + 1 < decimals; k += 2) {
					uint32_t two = f % 100;

					f /= 100;
					*--p = digit_pairs[2 * two + 1];
					*--p = digit_pairs[2 * two];
				}
				if (decimals & 1)
					*--p = (char)('0' + f);
			}
		}
		buf[n] = '\0';
		return n;
	}
	do {
		if (d == decimals && decimals) {
			tmp[n++] = '.';
		} else if (separators && d > decimals && (d - decimals) % 3 == 0) {
			tmp[n++] = ',';
		}
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
		d++;
	} while (m || d <= decimals);
	while (n)
		buf[j++] = tmp[--n];
	buf[j] = '\0';
	return j;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

size_t money_format_n(int64_t pence, char buf[MONEY_BUFSZ])
{
	size_t j = 0;

	if (pence < 0)
		buf[j++] = '-';
	return j + put_fixed(buf + j, magnitude(pence), 2, false);
}

char *money_format(int64_t pence, char buf[MONEY_BUFSZ])
{
	money_format_n(pence, buf);
	return buf;
}

char *money_format_gbp(int64_t pence, char buf[MONEY_BUFSZ])
{
	size_t j = 0;

	if (pence < 0)
		buf[j++] = '-';
	buf[j++] = (char)0xc2;
	buf[j++] = (char)0xa3;
	put_fixed(buf + j, magnitude(pence), 2, true);
	return buf;
}

char *money_format_thousands(int64_t pence, char buf[MONEY_BUFSZ])
{
	uint64_t m = magnitude(pence);
	uint64_t k = m / 100000 + (m % 100000 >= 50000);
	size_t j = 0;

	if (pence < 0 && k)
		buf[j++] = '-';
	put_fixed(buf + j, k, 0, true);
	return buf;
}

size_t fixed_format_n(int64_t v, unsigned decimals, char buf[MONEY_BUFSZ])
{
	size_t j = 0, n;

	if (v < 0)
		buf[j++] = '-';
	n = j + put_fixed(buf + j, magnitude(v), decimals, false);
	if (decimals) {
		while (buf[n - 1] == '0')
			n--;
		if (buf[n - 1] == '.')
			n--;
		buf[n] = '\0';
	}
	return n;
}

char *fixed_format(int64_t v, unsigned decimals, char buf[MONEY_BUFSZ])
{
	fixed_format_n(v, decimals, buf);
	return buf;
}

struct remainder {
	uint64_t rem;
	size_t idx;
};

static int by_remainder(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int money_apportion(int64_t total, const int64_t *weights, size_t n,
		    int64_t *out)
{
	uint64_t mag = magnitude(total), given = 0;
	int64_t w_sum = 0;
	struct remainder *r;

	if (n == 0 || total == INT64_MIN)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (weights[i] < 0 || __builtin_add_overflow(w_sum, weights[i], &w_sum))
			return -1;
	if (w_sum == 0)
		return -1;

	r = xreallocarray(NULL, n, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		u128 num = (u128)mag * (uint64_t)weights[i];
		uint64_t part = (uint64_t)(num / (uint64_t)w_sum);

		r[i].rem = (uint64_t)(num % (uint64_t)w_sum);
		r[i].idx = i;
		out[i] = (int64_t)part;
		given += part;
	}
	qsort(r, n, sizeof(*r), by_remainder);
	for (uint64_t k = 0; k < mag - given; k++)
		out[r[k].idx]++;
	free(r);
	if (total < 0)
		for (size_t i = 0; i < n; i++)
			out[i] = -out[i];
	return 0;
}

int money_from_double(double pounds, int64_t *pence)
{
	double x;

	if (!isfinite(pounds))
		return -1;
	x = pounds * 100.0;
	if (fabs(x) >= 9007199254740992.0)	/* 2^53 */
		return -1;
	*pence = (int64_t)llround(x);
	return 0;
}

/*
 * money.h - exact money: int64 pence, strict parsing, formatting and
 * largest-remainder apportionment.
 *
 * Money is never a double.  Parsing is locale-independent and strict:
 *     [-|+]digits[.digits]
 * with at most `decimals` digits after the point unless a rounding rule
 * is chosen.  Everything else (blanks, thousands separators, decimal
 * commas, exponents, currency symbols, NaN/inf, leading or trailing
 * spaces inside the value) is rejected with a reason.  The same parser
 * handles other fixed-point quantities (list sizes with 9 decimals).
 */
#ifndef PCBUDGET_MONEY_H
#define PCBUDGET_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum num_round {
	NUM_ROUND_REJECT = 0,	/* more decimals than allowed is an error */
	NUM_ROUND_HALF_UP,	/* half away from zero: 1.005 -> 1.01, -1.005 -> -1.01 */
	NUM_ROUND_HALF_EVEN	/* banker's: 1.005 -> 1.00, 1.015 -> 1.02 */
};

enum num_err {
	NUM_OK = 0,
	NUM_EMPTY,		/* zero-length value */
	NUM_BLANK,		/* only spaces */
	NUM_SPACE,		/* spaces around or inside the number */
	NUM_THOUSANDS,		/* 1,234.50 */
	NUM_DECIMAL_COMMA,	/* 12,50 */
	NUM_EXPONENT,		/* 1e5 */
	NUM_CURRENCY,		/* £12, $12, 12p */
	NUM_NAN,		/* NaN, inf, N/A */
	NUM_SYNTAX,		/* anything else: 12x4.50, lone '-', '.' */
	NUM_PRECISION,		/* too many decimals and rule is REJECT */
	NUM_OVERFLOW		/* does not fit int64 in minor units */
};

/*
 * Parses s[0..len) as a fixed-point number with `decimals` (0..18) digits
 * after the point, into *out in minor units (value * 10^decimals).
 * Trailing zeros beyond `decimals` are not extra precision ("12.500" is
 * fine with 2).  Returns NUM_OK or the reason; *out is untouched on error.
 */
enum num_err fixed_parse(const char *s, size_t len, unsigned decimals,
			 enum num_round rule, int64_t *out);

/* fixed_parse() with 2 decimals: pounds and pence into pence. */
enum num_err money_parse(const char *s, size_t len, enum num_round rule,
			 int64_t *pence);

/*
 * money_parse() for a value inside a larger buffer, where the
 * MONEY_PARSE_PAD bytes from s on are readable (the value may be
 * shorter; what follows it is ignored).  Same results as money_parse();
 * plain amounts of up to 16 digits are read 8 digits at a time.
 */
#define MONEY_PARSE_PAD 24
static inline enum num_err money_parse_padded(const char *s, size_t len,
					      enum num_round rule,
					      int64_t *pence);

/*
 * fixed_parse(s, len, 9, rule, out) (list sizes) for a value with
 * MONEY_PARSE_PAD readable bytes from s on: up to 8 digits, a point and
 * up to 9 decimals are read 8 digits at a time, anything else the
 * careful way.
 */
static inline enum num_err fixed9_parse_padded(const char *s, size_t len,
					       enum num_round rule,
					       int64_t *out);
/*
 * A short reason for e, for use after "is not an amount": "" for
 * NUM_SYNTAX (the value speaks for itself), otherwise e.g.
 * " (thousands separators are not allowed)".  Static string.
 */
const char *num_reason(enum num_err e);

/* Buffer size that fits any formatted int64 amount with separators. */
#define MONEY_BUFSZ 48

/* Formats pence as "1234.56" / "-0.05" into buf; returns buf. */
char *money_format(int64_t pence, char buf[MONEY_BUFSZ]);
/* The same, returning the length of the text (for writers in a hurry). */
size_t money_format_n(int64_t pence, char buf[MONEY_BUFSZ]);

/* Formats pence as "£1,234.56" / "-£1,234.56" (UTF-8 pound sign). */
char *money_format_gbp(int64_t pence, char buf[MONEY_BUFSZ]);

/*
 * Formats pence in thousands of pounds ("£000" columns), rounded half
 * away from zero, with separators: 123456789 -> "1,235", -50000 -> "-1",
 * 49999 -> "0".
 */
char *money_format_thousands(int64_t pence, char buf[MONEY_BUFSZ]);

/*
 * Formats a fixed-point value with `decimals` digits, trailing zeros
 * after the point dropped ("5209.497299", "4268").  Returns buf.
 */
char *fixed_format(int64_t v, unsigned decimals, char buf[MONEY_BUFSZ]);
/* The same, returning the length of the text. */
size_t fixed_format_n(int64_t v, unsigned decimals, char buf[MONEY_BUFSZ]);
/*
 * money_format_n(pence, buf) and fixed_format_n(v, 9, buf) for a
 * writer with room to spare: MONEY_BUFSZ bytes at buf may be written
 * (whole words are stored) and the text is not NUL-terminated.  Return
 * its length.
 */
static inline size_t money_put_padded(char *buf, int64_t pence);
static inline size_t fixed9_put_padded(char *buf, int64_t v);

/*
 * Largest-remainder (Hamilton) apportionment: splits total into n parts
 * proportional to weights[] so that the parts add up to total exactly.
 * Each part is floor(|total| * w / W) plus one penny for the largest
 * remainders; ties go to the lower index, so the result is deterministic.
 * A negative total is apportioned as its magnitude and negated.
 * Returns 0, or -1 (out untouched) if n == 0, total is INT64_MIN, a
 * weight is negative, or
 * the weights sum to 0 or overflow int64.
 */
int money_apportion(int64_t total, const int64_t *weights, size_t n,
		    int64_t *out);

/* a + b and a * b with overflow check: return -1 on overflow, else 0. */
static inline int money_add(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

/*
 * Rounds the real number x (pounds, or any unit) to the nearest minor
 * unit, half away from zero: money_from_double(12.345) = 1235.  Returns
 * -1 if x is not finite or out of the exactly representable range.
 * Used only at the boundary between statistics (double) and money.
 */
int money_from_double(double pounds, int64_t *pence);

/* ------------------------------------------------------------------ */
/* The padded parsers and writers: inline, for the import's loops       */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The value of the k (1..8) decimal digits in the low bytes of w (the
 * first digit lowest), or UINT64_MAX if one of the k is not a digit: the
 * digits are moved to the top of the word, padded with '0' below,
 * checked all at once and combined in three multiplications (the method
 * of simdjson's parse_eight_digits_unrolled).
 */
static inline uint64_t money_eight_digits_w_(uint64_t w, size_t k)
{
	if (k < 8)
		w = (w << (8 * (8 - k))) | (0x3030303030303030ULL >> (8 * k));
	if (((w & 0xF0F0F0F0F0F0F0F0ULL) |
	     (((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) !=
	    0x3333333333333333ULL)
		return UINT64_MAX;
	w = (w & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
	w = (w & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
	return ((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32) & 0xFFFFFFFFULL;
}

/* The same for the k digits at p, reading 8 bytes. */
static inline uint64_t money_eight_digits_(const char *p, size_t k)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return money_eight_digits_w_(w, k);
}

/*
 * The 8 decimal digits of v (< 10^8, leading zeros included) as ASCII,
 * first digit in the lowest byte: v is split into halves of 4 digits,
 * pairs and single digits, all lanes at once, with multiplications by
 * reciprocals that are exact in these ranges (the SWAR method of
 * well-known fast integer printers).
 */
static inline uint64_t money_ascii8_(uint32_t v)
{
	uint64_t x = (uint64_t)(v / 10000) | (uint64_t)(v % 10000) << 32;
	uint64_t q = ((x * 10486) >> 20) & 0x0000007F0000007FULL;	/* / 100 */

	x = ((x - q * 100) << 16) | q;
	q = ((x * 103) >> 10) & 0x000F000F000F000FULL;	/* / 10 */
	x = ((x - q * 10) << 8) | q;
	return x + 0x3030303030303030ULL;
}

/*
 * The leading zeros of money_ascii8_()'s word w, as a count of digits
 * (at most 7: zero keeps one digit), from the lowest byte that is not
 * '0'.
 */
static inline unsigned money_lead8_(uint64_t w)
{
	uint64_t z = w ^ 0x3030303030303030ULL;

	return z ? (unsigned)__builtin_ctzll(z) / 8 : 7;
}

static inline size_t money_put_padded(char *buf, int64_t pence)
{
	uint64_t m = pence < 0 ? 0 - (uint64_t)pence : (uint64_t)pence;
	size_t neg = pence < 0;
	uint32_t ip, fp;
	unsigned nd;
	uint64_t w;

	if (m >= 10000000000ULL)	/* £100m or more: the general way */
		return money_format_n(pence, buf);
	ip = (uint32_t)(m / 100);
	fp = (uint32_t)(m % 100);
	w = money_ascii8_(ip);
	nd = 8 - money_lead8_(w);
	w >>= 8 * (8 - nd);	/* leading zeros off */
	buf[0] = '-';
	memcpy(buf + neg, &w, 8);
	buf[neg + nd] = '.';
	buf[neg + nd + 1] = (char)('0' + fp / 10);
	buf[neg + nd + 2] = (char)('0' + fp % 10);
	return neg + nd + 3;
}

__attribute__((always_inline))
static inline size_t fixed9_put_padded(char *buf, int64_t v)
{
	static const int64_t one = 1000000000;
	uint32_t ip, f;
	unsigned nd;
	uint64_t w, hi;

	if (v < 0 || v / one >= 100000000) {
		/* whole numbers need no decimals to be trimmed */
		return v % one == 0 ? fixed_format_n(v / one, 0, buf)
				    : fixed_format_n(v, 9, buf);
	}
	ip = (uint32_t)(v / one);
	f = (uint32_t)(v % one);
	w = money_ascii8_(ip);
	nd = 8 - money_lead8_(w);
	w >>= 8 * (8 - nd);
	memcpy(buf, &w, 8);
	if (!f)
		return nd;
	/* the first 8 decimals, then the ninth; trailing zeros dropped */
	hi = money_ascii8_(f / 10);
	buf[nd] = '.';
	memcpy(buf + nd + 1, &hi, 8);
	buf[nd + 9] = (char)('0' + f % 10);
	if (f % 10)
		return nd + 10;
	/* f ends in 0 but is not 0, so hi is not all '0' */
	return nd + 9 - (unsigned)__builtin_clzll(hi ^ 0x3030303030303030ULL) / 8;
}

__attribute__((always_inline))
static inline enum num_err fixed9_parse_padded(const char *s, size_t len,
					       enum num_round rule,
					       int64_t *out)
{
	static const uint32_t scale[9] = {	/* 10^(9 - decimals) */
		1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000,
		100, 10
	};
	size_t ni = 0, nf;
	uint64_t ip, f = 0;

	while (ni < len && ni < 9 && s[ni] != '.')
		ni++;
	if (ni == 0 || ni > 8)
		return fixed_parse(s, len, 9, rule, out);
	ip = money_eight_digits_(s, ni);
	if (ip == UINT64_MAX)
		return fixed_parse(s, len, 9, rule, out);
	if (ni < len) {		/* s[ni] is the point */
		nf = len - ni - 1;
		if (nf == 0 || nf > 9)
			return fixed_parse(s, len, 9, rule, out);
		if (nf == 9) {
			f = money_eight_digits_(s + ni + 1, 8);
			if (f == UINT64_MAX || (unsigned)(s[len - 1] - '0') > 9)
				return fixed_parse(s, len, 9, rule, out);
			f = f * 10 + (uint64_t)(s[len - 1] - '0');
		} else {
			f = money_eight_digits_(s + ni + 1, nf);
			if (f == UINT64_MAX)
				return fixed_parse(s, len, 9, rule, out);
			f *= scale[nf];
		}
	}
	*out = (int64_t)(ip * 1000000000 + f);
	return NUM_OK;
}

__attribute__((always_inline))
static inline enum num_err money_parse_padded(const char *s, size_t len,
					      enum num_round rule,
					      int64_t *pence)
{
	bool neg = len > 0 && s[0] == '-';
	const char *p = s + neg;
	size_t n = len - neg, n_int = n;
	uint64_t ip, frac = 0;

	if (n == 0 || n > 16)
		return money_parse(s, len, rule, pence);
	if (n >= 4 && n <= 9 && p[n - 3] == '.') {
		/* "d.dd" to "dddddd.dd": the digits round the point in one word */
		uint64_t w;
		uint16_t f2;
		size_t k = n - 3;

		memcpy(&w, p, 8);
		memcpy(&f2, p + k + 1, 2);
		w = (w & ((1ULL << (8 * k)) - 1)) | (uint64_t)f2 << (8 * k);
		ip = money_eight_digits_w_(w, k + 2);
		if (ip == UINT64_MAX)
			return money_parse(s, len, rule, pence);
		*pence = neg ? -(int64_t)ip : (int64_t)ip;
		return NUM_OK;
	}
	if (n >= 3 && p[n - 3] == '.') {
		if ((unsigned)(p[n - 2] - '0') > 9 || (unsigned)(p[n - 1] - '0') > 9)
			return money_parse(s, len, rule, pence);
		frac = (uint64_t)(p[n - 2] - '0') * 10 + (uint64_t)(p[n - 1] - '0');
		n_int = n - 3;
	} else if (n >= 2 && p[n - 2] == '.') {
		if ((unsigned)(p[n - 1] - '0') > 9)
			return money_parse(s, len, rule, pence);
		frac = (uint64_t)(p[n - 1] - '0') * 10;
		n_int = n - 2;
	}
	if (n_int == 0)
		return money_parse(s, len, rule, pence);
	if (n_int <= 8) {
		ip = money_eight_digits_(p, n_int);
	} else {
		uint64_t hi = money_eight_digits_(p, n_int - 8);
		uint64_t lo = money_eight_digits_(p + n_int - 8, 8);

		ip = hi == UINT64_MAX || lo == UINT64_MAX ? UINT64_MAX
							  : hi * 100000000 + lo;
	}
	if (ip == UINT64_MAX)
		return money_parse(s, len, rule, pence);
	ip = ip * 100 + frac;	/* < 10^18: no overflow */
	*pence = neg ? -(int64_t)ip : (int64_t)ip;
	return NUM_OK;
}
#else
static inline enum num_err money_parse_padded(const char *s, size_t len,
					      enum num_round rule,
					      int64_t *pence)
{
	return money_parse(s, len, rule, pence);
}

static inline size_t money_put_padded(char *buf, int64_t pence)
{
	return money_format_n(pence, buf);
}

static inline size_t fixed9_put_padded(char *buf, int64_t v)
{
	return v % 1000000000 == 0 ? fixed_format_n(v / 1000000000, 0, buf)
				   : fixed_format_n(v, 9, buf);
}

static inline enum num_err fixed9_parse_padded(const char *s, size_t len,
					       enum num_round rule,
					       int64_t *out)
{
	return fixed_parse(s, len, 9, rule, out);
}
#endif

#endif

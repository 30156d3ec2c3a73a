/*
 * helpers.h - shared cmocka helpers for the unit tests.
 *
 * Include after <stdarg.h>, <stddef.h>, <stdint.h>, <setjmp.h> and
 * <cmocka.h>.
 */
#ifndef PCBUDGET_TEST_HELPERS_H
#define PCBUDGET_TEST_HELPERS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* cmocka 1.1.5 casts to uintmax_t: -5 prints as 0xfff...; this does not. */
#define assert_pence_eq(got, want) do {                                       \
	int64_t g_ = (got), w_ = (want);                                      \
	if (g_ != w_)                                                         \
		fail_msg("%s = %lld, want %lld", #got, (long long)g_,         \
			 (long long)w_);                                      \
} while (0)

/* Relative/absolute tolerance comparison for doubles (gsl_test_rel style). */
#define assert_close(got, want, rel, abs_tol) do {                            \
	double g_ = (got), w_ = (want), t_ = fmax((abs_tol), (rel) * fabs(w_)); \
	if (!(fabs(g_ - w_) <= t_))                                           \
		fail_msg("%s = %.17g, want %.17g (tol %.3g)", #got, g_, w_, t_); \
} while (0)

/*
 * Captures diagnostics: diag output goes to a memory buffer until
 * capture_end(), which returns the text (valid until the next capture).
 */
void capture_begin(void);
const char *capture_end(void);

/* Directory holding the real data (../shared/data or $PCBUDGET_DATA), or NULL. */
const char *test_data_dir(void);

#endif

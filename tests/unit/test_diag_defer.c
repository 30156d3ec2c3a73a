/*
 * test_diag_defer.c - messages a worker thread defers are printed by
 * diag_replay() exactly as if they had been reported directly: same
 * text, same order, same cap and quiet rules; meanwhile the worker sees
 * its own error count and nothing reaches the stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "diag.h"

static void report_three(const char *path)
{
	struct srcloc loc = { path, 3, 7 };

	diag_at(DIAG_ERROR, &loc, "column '%s': '%s' is not an amount", "Global Sum", "1x");
	diag_at(DIAG_NOTE, &(struct srcloc){ path, 0, 0 }, "a note");
	diag_error("plain %d", 42);
}

struct work {
	const char *path;
	struct diag_deferred *d;
	unsigned long count;
	bool limit;
};

static void *worker(void *arg)
{
	struct work *w = arg;

	diag_defer_begin();
	report_three(w->path);
	w->count = diag_error_count();
	w->limit = diag_limit_reached();
	w->d = diag_defer_end();
	return NULL;
}

static char *direct_text(const char *path, bool quiet, unsigned long cap)
{
	char *s;

	diag_set_quiet(quiet);
	diag_set_max_errors(cap);
	capture_begin();
	report_three(path);
	report_three(path);
	s = strdup(capture_end());
	return s;
}

static char *replayed_text(const char *path, bool quiet, unsigned long cap)
{
	struct work w[2] = { { path, NULL, 0, false }, { path, NULL, 0, false } };
	pthread_t th[2];
	char *s;

	diag_set_quiet(quiet);
	diag_set_max_errors(cap);
	capture_begin();
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	/* nothing printed or counted yet; each worker counted its own two */
	assert_int_equal(diag_error_count(), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].count, 2);
		assert_int_equal(w[i].limit, cap && 2 > cap);
	}
	for (int i = 0; i < 2; i++)
		diag_replay(w[i].d);
	assert_int_equal(diag_error_count(), 4);
	s = strdup(capture_end());
	return s;
}

static void test_diag_defer_replays_as_if_reported_directly(void **state)
{
	static const struct {
		bool quiet;
		unsigned long cap;
	} modes[] = { { false, 0 }, { true, 0 }, { false, 3 }, { false, 1 } };

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *a = direct_text("f.csv", modes[i].quiet, modes[i].cap);
		char *b = replayed_text("f.csv", modes[i].quiet, modes[i].cap);

		assert_string_equal(b, a);
		free(a);
		free(b);
	}
	diag_set_quiet(false);
	diag_set_max_errors(0);
}

static void test_diag_defer_prints_the_expected_text(void **state)
{
	char *b;

	(void)state;
	b = replayed_text("g.csv", false, 0);
	assert_string_equal(b,
			    "g.csv:3:7: error: column 'Global Sum': '1x' is not an amount\n"
			    "g.csv: note: a note\n"
			    "pcbudget: error: plain 42\n"
			    "g.csv:3:7: error: column 'Global Sum': '1x' is not an amount\n"
			    "g.csv: note: a note\n"
			    "pcbudget: error: plain 42\n");
	free(b);
	b = replayed_text("g.csv", false, 1);
	assert_string_equal(b,
			    "g.csv:3:7: error: column 'Global Sum': '1x' is not an amount\n"
			    "g.csv: note: a note\n"
			    "pcbudget: error: too many errors (1), stopping\n"
			    "g.csv: note: a note\n");
	free(b);
	diag_set_max_errors(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_defer_replays_as_if_reported_directly),
		cmocka_unit_test(test_diag_defer_prints_the_expected_text),
	};

	return cmocka_run_group_tests_name("diag_defer", tests, NULL, NULL);
}

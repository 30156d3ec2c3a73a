/*
 * test_strmap.c - the string -> index map: put, get, growth past its
 * first size, borrowed keys compared by content.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "strmap.h"

static void test_strmap_puts_gets_and_grows(void **state)
{
	static char keys[5000][8];
	struct strmap m;
	bool found;
	char probe[8];

	(void)state;
	strmap_init(&m, 4);	/* far too small: it must grow */
	for (size_t i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "K%05zu", i);
		assert_int_equal(*strmap_put(&m, keys[i], i, &found), i);
		assert_false(found);
	}
	for (size_t i = 0; i < 5000; i++) {
		snprintf(probe, sizeof(probe), "K%05zu", i);	/* another buffer */
		assert_non_null(strmap_get(&m, probe));
		assert_int_equal(*strmap_get(&m, probe), i);
	}
	assert_int_equal(*strmap_put(&m, "K00042", 7, &found), 42);	/* first value kept */
	assert_true(found);
	assert_null(strmap_get(&m, "K5000"));
	assert_null(strmap_get(&m, ""));
	assert_int_equal(m.n, 5000);
	strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strmap_puts_gets_and_grows),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}

/*
 * test_runlock.c - a second writer of the same report folder is turned
 * away (or waits), and a released lock can be taken again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runlock.h"
#include "helpers.h"

static void test_runlock_turns_away_a_second_writer_of_the_same_folder(void **state)
{
	char tmpl[] = "/tmp/pcbudget-lock-XXXXXX";
	char *dir, *want;
	struct runlock a = { -1, NULL };
	pid_t pid;
	int status;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	dir = malloc(strlen(tmpl) + 16);
	strcpy(dir, tmpl);
	strcat(dir, "/report");
	assert_int_equal(runlock_acquire(&a, dir, false), ST_OK);

	/* flock is per open file description: a child process competes for real */
	pid = fork();
	if (pid == 0) {
		struct runlock b = { -1, NULL };

		capture_begin();
		enum status st = runlock_acquire(&b, dir, false);
		const char *err = capture_end();
		char *expect = malloc(strlen(tmpl) * 2 + 128);

		snprintf(expect, strlen(tmpl) * 2 + 128, "pcbudget: error: another run is writing '%s/report' "
				"(lock '%s/.report.lock'); try again later or use --wait\n",
			tmpl, tmpl);
		_exit(st == ST_LOCKED && strcmp(err, expect) == 0 ? 0 : 1);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	runlock_release(&a);
	assert_int_equal(runlock_acquire(&a, dir, false), ST_OK);
	runlock_release(&a);

	want = malloc(strlen(tmpl) + 32);
	strcpy(want, tmpl);
	strcat(want, "/.report.lock");
	unlink(want);
	rmdir(tmpl);
	free(want);
	free(dir);
}

static void test_runlock_reports_an_unwritable_parent(void **state)
{
	struct runlock a = { -1, NULL };

	(void)state;
	capture_begin();
	assert_int_equal(runlock_acquire(&a, "/nonexistent/dir/report", false), ST_NOOUTPUT);
	assert_string_equal(capture_end(), "pcbudget: error: cannot create lock file "
					   "'/nonexistent/dir/.report.lock': No such file or directory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runlock_turns_away_a_second_writer_of_the_same_folder),
		cmocka_unit_test(test_runlock_reports_an_unwritable_parent),
	};

	return cmocka_run_group_tests_name("runlock", tests, NULL, NULL);
}

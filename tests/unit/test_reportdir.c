/*
 * test_reportdir.c - the report folder appears whole or not at all:
 * publish, swap, fallback, refusal to clobber other folders, clean-up of
 * killed runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "reportdir.h"
#include "xalloc.h"

struct fix {
	char root[64];
	char *final;
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/pcb-reportdir-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->final = xasprintf("%s/out/demo-2017-18", f->root);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	reportdir_set_exchange(true);
	reportdir_remove_tree(f->root);
	free(f->final);
	free(f);
	return 0;
}

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *get(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (!fp)
		return xstrdup("<missing>");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return xstrdup(buf);
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *p = xasprintf("%s/%s", dir, name);
	char *got = get(p);

	assert_string_equal(got, want);
	free(got);
	free(p);
}

/* Names in dir starting with '.', joined by spaces. */
static char *hidden_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *out = xstrdup("");

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char *n;

		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		n = xasprintf("%s%s%s", out, *out ? " " : "", de->d_name);
		free(out);
		out = n;
	}
	closedir(d);
	return out;
}

/* Writes a report with the given text in report.txt and a manifest. */
static enum status write_report(const char *final, const char *text)
{
	struct reportdir rd;
	enum status st = reportdir_begin(&rd, final);
	char *p;

	if (st == ST_OK) {
		p = reportdir_file(&rd, "report.txt");
		put(p, text);
		free(p);
		p = reportdir_file(&rd, "manifest.json");
		put(p, "{\"tool\": \"pcbudget\"}\n");
		free(p);
		st = reportdir_publish(&rd);
	}
	reportdir_release(&rd);
	return st;
}

static void test_reportdir_publishes_a_new_folder(void **state)
{
	struct fix *f = *state;
	char *parent = xasprintf("%s/out", f->root);
	char *hidden;

	/* the parent folder "out" does not exist yet: it is created */
	assert_int_equal(write_report(f->final, "one"), ST_OK);
	assert_file(f->final, "report.txt", "one");
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, "");
	free(hidden);
	free(parent);
}

static void test_reportdir_swaps_an_existing_report(void **state)
{
	struct fix *f = *state;
	char *parent = xasprintf("%s/out", f->root);
	char *hidden;

	assert_int_equal(write_report(f->final, "one"), ST_OK);
	assert_int_equal(write_report(f->final, "two"), ST_OK);
	assert_file(f->final, "report.txt", "two");
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, "");	/* the old one was deleted */
	free(hidden);
	free(parent);
}

static void test_reportdir_fallback_without_exchange_also_replaces(void **state)
{
	struct fix *f = *state;
	char *parent = xasprintf("%s/out", f->root);
	char *hidden;

	assert_int_equal(write_report(f->final, "one"), ST_OK);
	reportdir_set_exchange(false);
	assert_int_equal(write_report(f->final, "two"), ST_OK);
	assert_file(f->final, "report.txt", "two");
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, "");
	free(hidden);
	free(parent);
}

static void test_reportdir_abort_leaves_previous_report(void **state)
{
	struct fix *f = *state;
	char *parent = xasprintf("%s/out", f->root);
	struct reportdir rd;
	char *p, *hidden;

	assert_int_equal(write_report(f->final, "one"), ST_OK);
	assert_int_equal(reportdir_begin(&rd, f->final), ST_OK);
	p = reportdir_file(&rd, "report.txt");
	put(p, "half");
	free(p);
	/* a writer fails here: the run gives up */
	reportdir_release(&rd);
	assert_file(f->final, "report.txt", "one");
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, "");
	free(hidden);
	free(parent);
}

static void test_reportdir_refuses_to_replace_a_folder_it_did_not_write(void **state)
{
	struct fix *f = *state;
	char *home = xasprintf("%s/home", f->root);
	char *file = xasprintf("%s/thesis.tex", home);
	char *want = xasprintf("pcbudget: error: refusing to replace '%s': it "
			       "is not a pcbudget report folder (no "
			       "manifest.json written by pcbudget)\n", home);
	struct reportdir rd;

	assert_int_equal(mkdir(home, 0777), 0);
	put(file, "precious");
	capture_begin();
	assert_int_equal(reportdir_begin(&rd, home), ST_NOOUTPUT);
	reportdir_release(&rd);
	assert_string_equal(capture_end(), want);
	assert_file(home, "thesis.tex", "precious");
	free(want);
	free(file);
	free(home);
}

static void test_reportdir_refuses_to_replace_a_file(void **state)
{
	struct fix *f = *state;
	char *path = xasprintf("%s/plain", f->root);
	char *want = xasprintf("pcbudget: error: refusing to replace '%s': it "
			       "is not a folder\n", path);
	struct reportdir rd;

	put(path, "x");
	capture_begin();
	assert_int_equal(reportdir_begin(&rd, path), ST_NOOUTPUT);
	reportdir_release(&rd);
	assert_string_equal(capture_end(), want);
	free(want);
	free(path);
}

static void test_reportdir_replaces_an_empty_folder_and_follows_trailing_slash(void **state)
{
	struct fix *f = *state;
	char *dir = xasprintf("%s/empty", f->root);
	char *slashed = xasprintf("%s/empty//", f->root);

	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(write_report(slashed, "one"), ST_OK);
	assert_file(dir, "report.txt", "one");
	free(slashed);
	free(dir);
}

static void test_reportdir_cleans_up_after_a_killed_run(void **state)
{
	struct fix *f = *state;
	char *parent = xasprintf("%s/out", f->root);
	char *hidden, *want;
	pid_t pid;
	int status;

	assert_int_equal(write_report(f->final, "one"), ST_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the child starts a report, writes half of it and dies */
		struct reportdir rd;
		char *p;

		if (reportdir_begin(&rd, f->final) != ST_OK)
			_exit(1);
		p = reportdir_file(&rd, "report.txt");
		put(p, "half");
		free(p);
		raise(SIGKILL);	/* no abort, no release: killed */
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the killed run left its hidden folder; the report is untouched */
	want = xasprintf(".demo-2017-18.tmp.%ld", (long)pid);
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, want);
	free(hidden);
	assert_file(f->final, "report.txt", "one");
	/* the next run removes it, since its process is gone */
	assert_int_equal(write_report(f->final, "two"), ST_OK);
	hidden = hidden_entries(parent);
	assert_string_equal(hidden, "");
	assert_file(f->final, "report.txt", "two");
	free(hidden);
	free(want);
	free(parent);
}

static void test_reportdir_restores_a_report_left_aside_by_a_killed_run(void **state)
{
	struct fix *f = *state;
	char *aside;
	pid_t pid;
	int status;

	/* a dead pid: a child that has exited and been reaped */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		raise(SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(write_report(f->final, "one"), ST_OK);
	/* the fallback renamed the report aside, then the run was killed */
	aside = xasprintf("%s/out/.demo-2017-18.old.%ld", f->root, (long)pid);
	assert_int_equal(rename(f->final, aside), 0);
	capture_begin();
	assert_int_equal(reportdir_clean_stale(f->final), 1);
	capture_end();
	assert_file(f->final, "report.txt", "one");
	assert_int_equal(access(aside, F_OK), -1);
	free(aside);
}

static void test_reportdir_remove_tree_does_not_follow_symlinks(void **state)
{
	struct fix *f = *state;
	char *outside = xasprintf("%s/outside", f->root);
	char *keep = xasprintf("%s/outside/keep", f->root);
	char *tree = xasprintf("%s/tree", f->root);
	char *sub = xasprintf("%s/tree/sub", f->root);
	char *link = xasprintf("%s/tree/sub/link", f->root);
	char *file = xasprintf("%s/tree/sub/file", f->root);

	assert_int_equal(mkdir(outside, 0777), 0);
	put(keep, "keep");
	assert_int_equal(mkdir(tree, 0777), 0);
	assert_int_equal(mkdir(sub, 0777), 0);
	put(file, "x");
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(reportdir_remove_tree(tree), 0);
	assert_int_equal(access(tree, F_OK), -1);
	assert_file(outside, "keep", "keep");
	free(outside);
	free(keep);
	free(tree);
	free(sub);
	free(link);
	free(file);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reportdir_publishes_a_new_folder),
		T(test_reportdir_swaps_an_existing_report),
		T(test_reportdir_fallback_without_exchange_also_replaces),
		T(test_reportdir_abort_leaves_previous_report),
		T(test_reportdir_refuses_to_replace_a_folder_it_did_not_write),
		T(test_reportdir_refuses_to_replace_a_file),
		T(test_reportdir_replaces_an_empty_folder_and_follows_trailing_slash),
		T(test_reportdir_cleans_up_after_a_killed_run),
		T(test_reportdir_restores_a_report_left_aside_by_a_killed_run),
		T(test_reportdir_remove_tree_does_not_follow_symlinks),
	};
#undef T

	return cmocka_run_group_tests_name("reportdir", tests, NULL, NULL);
}

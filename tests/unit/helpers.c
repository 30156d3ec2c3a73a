/*
 * helpers.c - diagnostics capture and data lookup for the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "diag.h"

void capture_begin(void);
const char *capture_end(void);
const char *test_data_dir(void);

static FILE *capture;
static char *captured;
static size_t captured_len;

void capture_begin(void)
{
	free(captured);
	captured = NULL;
	captured_len = 0;
	capture = open_memstream(&captured, &captured_len);
	diag_set_stream(capture);
	diag_reset();
}

const char *capture_end(void)
{
	diag_set_stream(NULL);
	if (capture)
		fclose(capture);
	capture = NULL;
	return captured ? captured : "";
}

const char *test_data_dir(void)
{
	static char buf[4096];
	const char *env = getenv("PCBUDGET_DATA");
	struct stat sb;

	if (env && *env) {
		snprintf(buf, sizeof(buf), "%s", env);
		return stat(buf, &sb) == 0 ? buf : NULL;
	}
	snprintf(buf, sizeof(buf), "../shared/data");
	return stat(buf, &sb) == 0 ? buf : NULL;
}

/*
 * cmd_validate.c - "pcbudget validate": read inputs, report every
 * error, write nothing.  Exit 0 when everything is valid, 65 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "csvread.h"
#include "diag.h"

static const char validate_help[] =
	"Usage: pcbudget validate [options] FILE...\n"
	"\n"
	"Check that each FILE is well-formed CSV: a header row, the same\n"
	"number of fields on every row, no blank lines, no stray or\n"
	"unterminated quotes, no NUL bytes, valid UTF-8 and no field longer\n"
	"than the cap.  Every problem is reported as path:line:col.\n"
	"\n"
	"Options:\n"
	"      --max-field=N    longest field accepted, in bytes (default 4096)\n"
	"  -h, --help           show this help\n";

enum status cmd_validate(int argc, char **argv)
{
	enum { OPT_MAX_FIELD = 256 };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "max-field", required_argument, NULL, OPT_MAX_FIELD },
		{ NULL, 0, NULL, 0 },
	};
	struct csv_opts copts = { 0, false };
	enum status worst = ST_OK;
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(validate_help);
		case OPT_MAX_FIELD:
			if (cli_parse_ulong("--max-field", optarg, 1, 1UL << 30, &v))
				return cli_usage_error("validate");
			copts.max_field = v;
			break;
		default:
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("validate");
		}
	}
	if (optind >= argc) {
		diag_error("validate: no input files");
		return cli_usage_error("validate");
	}
	for (int i = optind; i < argc; i++) {
		struct csv_table t;
		enum status st;

		csv_table_init(&t);
		st = csv_read_file(&t, argv[i], &copts);
		csv_table_release(&t);
		worst = status_worst(worst, st);
	}
	return worst;
}

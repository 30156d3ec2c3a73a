/*
 * cli.c - global options, the subcommand table, help and version.
 *
 * "pcbudget [--quiet] [--max-errors=N] <command> [options] [args]".
 * Each subcommand parses its own options; see commands.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"

#ifndef PCBUDGET_VERSION
#define PCBUDGET_VERSION "unknown"
#endif

const struct command commands[] = {
	{ "validate", cmd_validate, "check input files and report every error" },
	{ "run", cmd_run, "budget a dataset and write its report folder: budget, history, risk" },
	{ "import-payments", cmd_import_payments, "read NHS Payments to General Practice files, by practice and CCG" },
	{ "history", cmd_history, "a CCG's last years of payments by category, beside England" },
	{ "backtest", cmd_backtest, "forecast past years from earlier payments and score against what was paid" },
	{ "ledger", cmd_ledger, "list the runs recorded in the run ledger" },
	{ NULL, NULL, NULL },
};

static const char help_head[] =
	"Usage: pcbudget [--quiet] [--max-errors=N] <command> [options] [args]\n"
	"       pcbudget --help | --version\n"
	"\n"
	"Delegated primary care budgets for NHS finance: read practice and\n"
	"contract data, apply the delegated budget transfer methodology, and\n"
	"report allocations, reserves, headroom and risk.\n"
	"\n"
	"Commands:\n";

static const char help_tail[] =
	"\n"
	"Options:\n"
	"  -q, --quiet          print errors only (no notes, warnings or progress)\n"
	"      --max-errors=N   stop reporting after N data errors (default 20, 0 = all)\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n"
	"\n"
	"Run 'pcbudget <command> --help' for a command's options.\n"
	"\n"
	"Exit status:\n"
	"   0  success\n"
	"  64  usage error (bad option or argument)\n"
	"  65  bad input data (every error is reported as path:line:col)\n"
	"  66  an input file cannot be opened\n"
	"  70  internal error (a bug: please report it)\n"
	"  71  out of memory\n"
	"  73  an output file cannot be created\n"
	"  74  read or write error (for example a full disk)\n"
	"  75  another run is writing the same report folder\n"
	"  78  bad parameter file\n";

enum status cli_usage_error(const char *cmd)
{
	if (cmd)
		fprintf(stderr, "Try 'pcbudget %s --help' for more information.\n", cmd);
	else
		fputs("Try 'pcbudget --help' for more information.\n", stderr);
	return ST_USAGE;
}

enum status cli_close_stdout(void)
{
	static bool closed;
	static enum status result = ST_OK;
	int bad;

	if (closed)
		return result;
	closed = true;
	bad = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		diag_error("cannot write to standard output: %s", strerror(errno));
		result = ST_IO;
	}
	return result;
}

enum status cli_print_help(const char *text)
{
	fputs(text, stdout);
	return cli_close_stdout();
}

int cli_parse_ulong(const char *opt, const char *arg, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!arg[0] || arg[0] == '-' || arg[0] == '+' || arg[0] == ' ')
		goto bad;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	diag_error("option '%s': '%s' is not a whole number from %lu to %lu",
		   opt, arg, min, max);
	return -1;
}

static enum status print_main_help(void)
{
	fputs(help_head, stdout);
	for (const struct command *c = commands; c->name; c++)
		printf("  %-16s %s\n", c->name, c->summary);
	fputs(help_tail, stdout);
	return cli_close_stdout();
}

enum status cli_main(int argc, char **argv)
{
	enum { OPT_VERSION = 256, OPT_MAX_ERRORS };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long max_errors = 20;
	int c;

	diag_set_max_errors(max_errors);
	opterr = 0;
	/* "+": stop at the first non-option, which is the subcommand */
	while ((c = getopt_long(argc, argv, "+hq", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return print_main_help();
		case OPT_VERSION:
			fputs("pcbudget " PCBUDGET_VERSION "\n", stdout);
			return cli_close_stdout();
		case 'q':
			diag_set_quiet(true);
			break;
		case OPT_MAX_ERRORS:
			if (cli_parse_ulong("--max-errors", optarg, 0, 1000000, &max_errors))
				return cli_usage_error(NULL);
			diag_set_max_errors(max_errors);
			break;
		default:
			if (optopt && optopt < 256)
				diag_error("unknown option '-%c'", optopt);
			else
				diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error(NULL);
		}
	}
	if (optind >= argc) {
		diag_error("no command given");
		return cli_usage_error(NULL);
	}
	for (const struct command *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, argv[optind]) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;

			optind = 0;	/* reset getopt for the subcommand (GNU) */
			return cmd->fn(sub_argc, sub_argv);
		}
	}
	diag_error("unknown command '%s'", argv[optind]);
	return cli_usage_error(NULL);
}

/*
 * commands.h - the subcommands of pcbudget.
 *
 * Each subcommand parses its own options (getopt_long) and returns an
 * enum status; main() maps it to the exit code.  argv[0] is the
 * subcommand name.  Usage errors are reported by the command itself.
 */
#ifndef PCBUDGET_COMMANDS_H
#define PCBUDGET_COMMANDS_H

#include "status.h"

struct command {
	const char *name;
	enum status (*fn)(int argc, char **argv);
	const char *summary;	/* one line for "pcbudget --help" */
};

/* The table of subcommands, terminated by a NULL name (src/cli/cli.c). */
extern const struct command commands[];

enum status cmd_validate(int argc, char **argv);
enum status cmd_run(int argc, char **argv);
enum status cmd_ledger(int argc, char **argv);
enum status cmd_import_payments(int argc, char **argv);
enum status cmd_history(int argc, char **argv);
enum status cmd_backtest(int argc, char **argv);
/* "run --from-payments": not in commands[]; "pcbudget run" calls it. */
enum status cmd_run_payments(int argc, char **argv);

/*
 * Prints "Try 'pcbudget[ <cmd>] --help' for more information." to
 * stderr and returns ST_USAGE.
 */
enum status cli_usage_error(const char *cmd);

/*
 * Writes text to stdout and checks that it got there; returns ST_OK or
 * ST_IO after reporting "cannot write to standard output".
 */
enum status cli_print_help(const char *text);

/* Parses a positive integer option value; reports and returns -1 if bad. */
int cli_parse_ulong(const char *opt, const char *arg, unsigned long min,
		    unsigned long max, unsigned long *out);

#endif

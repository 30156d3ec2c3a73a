/*
 * cli.h - the command-line front end: global options, the subcommand
 * table, help and version text.
 */
#ifndef PCBUDGET_CLI_H
#define PCBUDGET_CLI_H

#include "status.h"

/*
 * Parses the global options and runs the subcommand named in argv.
 * Returns the status to exit with.
 */
enum status cli_main(int argc, char **argv);

/*
 * Flushes and closes standard output, reporting "cannot write to
 * standard output: <reason>" on failure.  Returns ST_OK or ST_IO.
 * Safe to call more than once.
 */
enum status cli_close_stdout(void);

#endif

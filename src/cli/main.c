/*
 * main.c - the driver: find the subcommand, run it, map its status to
 * an exit code.  The only exit() besides xalloc's.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"

int main(int argc, char **argv)
{
	enum status st;

	gsl_set_error_handler_off();
	st = cli_main(argc, argv);
	/* whatever was printed to stdout must have reached it */
	if (st != ST_IO && cli_close_stdout() != ST_OK && st == ST_OK)
		st = ST_IO;
	return status_exit_code(st);
}

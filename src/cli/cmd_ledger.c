/*
 * cmd_ledger.c - "pcbudget ledger": list the runs recorded in the ledger.
 */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "diag.h"
#include "ledger.h"

static const char ledger_help[] =
	"Usage: pcbudget ledger [--db=FILE] [--dataset=NAME]\n"
	"\n"
	"List the successful runs recorded in the run ledger, newest first, as\n"
	"CSV: run id, start time (UTC), dataset, budget year, number of figures,\n"
	"and planned spend and headroom summed over the CCGs (pounds).  Each\n"
	"run of 'pcbudget run' records its headline figures per CCG and\n"
	"category in the ledger beside its report folder.\n"
	"\n"
	"Options:\n"
	"      --db=FILE        the ledger (default reports/ledger.sqlite)\n"
	"      --dataset=NAME   only runs of this dataset\n"
	"  -h, --help           show this help\n"
	"\n"
	"Example:\n"
	"  pcbudget ledger --dataset=example\n";

enum status cmd_ledger(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_DATASET };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "dataset", required_argument, NULL, OPT_DATASET },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "reports/ledger.sqlite", *dataset = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_print_help(ledger_help);
		case OPT_DB:
			db = optarg;
			break;
		case OPT_DATASET:
			dataset = optarg;
			break;
		default:
			diag_error("unknown option '%s'", argv[optind - 1]);
			return cli_usage_error("ledger");
		}
	}
	if (optind < argc) {
		diag_error("ledger: unexpected argument '%s'", argv[optind]);
		return cli_usage_error("ledger");
	}
	return ledger_list(db, dataset, stdout);
}

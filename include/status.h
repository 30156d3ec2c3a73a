/*
 * status.h - the one status type every pipeline stage returns.
 *
 * Functions that can fail for a reason the user must act on return an
 * enum status; only main() turns it into a process exit code, through
 * status_exit_code(), so the mapping to <sysexits.h> lives in one place.
 */
#ifndef PCBUDGET_STATUS_H
#define PCBUDGET_STATUS_H

enum status {
	ST_OK = 0,
	ST_USAGE,	/* bad option or argument            -> 64 EX_USAGE */
	ST_DATA,	/* invalid CSV or data values        -> 65 EX_DATAERR */
	ST_NOINPUT,	/* cannot open or read an input      -> 66 EX_NOINPUT */
	ST_NOOUTPUT,	/* cannot create an output file      -> 73 EX_CANTCREAT */
	ST_IO,		/* read/write/close failed           -> 74 EX_IOERR */
	ST_CONFIG,	/* invalid methodology parameters    -> 78 EX_CONFIG */
	ST_LOCKED,	/* another run holds the output lock -> 75 EX_TEMPFAIL */
	ST_INTERNAL	/* a bug                             -> 70 EX_SOFTWARE */
};

/* Returns the <sysexits.h> exit code for st (0 for ST_OK). */
int status_exit_code(enum status st);

/* Returns the worse of a and b: the first non-OK one wins. */
static inline enum status status_worst(enum status a, enum status b)
{
	return a != ST_OK ? a : b;
}

#endif

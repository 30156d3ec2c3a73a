/*
 * status.c - the single mapping from enum status to <sysexits.h> codes.
 */
#include <sysexits.h>

#include "status.h"

int status_exit_code(enum status st)
{
	switch (st) {
	case ST_OK:
		return 0;
	case ST_USAGE:
		return EX_USAGE;
	case ST_DATA:
		return EX_DATAERR;
	case ST_NOINPUT:
		return EX_NOINPUT;
	case ST_NOOUTPUT:
		return EX_CANTCREAT;
	case ST_IO:
		return EX_IOERR;
	case ST_CONFIG:
		return EX_CONFIG;
	case ST_LOCKED:
		return EX_TEMPFAIL;
	case ST_INTERNAL:
		break;
	}
	return EX_SOFTWARE;
}

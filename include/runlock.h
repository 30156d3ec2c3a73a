/*
 * runlock.h - one writer per report folder.
 *
 * Two runs that write the same report folder would race on its
 * temporary sibling and on the final rename.  A run therefore takes an
 * exclusive flock() on "<parent>/.<name>.lock" before it writes and
 * keeps it until the folder is published.  The lock dies with the
 * process, so a killed run never leaves a stale lock behind; the lock
 * file itself is left in place (removing it would race with a waiter).
 */
#ifndef PCBUDGET_RUNLOCK_H
#define PCBUDGET_RUNLOCK_H

#include <stdbool.h>

#include "status.h"

struct runlock {
	int fd;		/* -1 when not held */
	char *path;	/* owned */
};

/*
 * Locks the report folder dir (which need not exist yet; its parent
 * must).  With wait, blocks until the other run finishes; without, fails
 * at once.  Returns ST_OK, ST_LOCKED after reporting "another run is
 * writing '<dir>' (lock '<lockfile>'); try again later or use --wait",
 * or ST_NOOUTPUT if the lock file cannot be created.
 */
enum status runlock_acquire(struct runlock *lk, const char *dir, bool wait);

/* Releases the lock (if held) and frees what lk holds. */
void runlock_release(struct runlock *lk);

#endif

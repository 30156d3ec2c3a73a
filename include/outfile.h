/*
 * outfile.h - writing an output file safely.
 *
 * An outfile writes to "<path>.tmp.<pid>" in the target directory and
 * renames it over path only when outfile_close() finds that every write,
 * fflush(), ferror() and fclose() succeeded.  Errors are sticky (as in
 * SQLite's pRc): after the first failure later writes do nothing and
 * outfile_close() reports it once.  outfile_abort() removes the
 * temporary file.  Writing to "-" means standard output (no rename).
 */
#ifndef PCBUDGET_OUTFILE_H
#define PCBUDGET_OUTFILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct outfile {
	FILE *fp;
	char *path;		/* final path (owned) */
	char *tmp;		/* temporary path (owned), NULL for stdout */
	enum status st;		/* sticky status */
	int saved_errno;
	bool synced;		/* outfile_sync() done, nothing written since */
};

/*
 * Opens path for writing (through a temporary sibling).  Returns ST_OK
 * or ST_NOOUTPUT after reporting "cannot create '<path>': <reason>";
 * then of holds nothing (closing or aborting it is allowed, not needed).
 */
enum status outfile_open(struct outfile *of, const char *path);

/* Write helpers; after an error they do nothing. */
void outfile_write(struct outfile *of, const void *buf, size_t len);
void outfile_puts(struct outfile *of, const char *s);
void outfile_printf(struct outfile *of, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Writes s as one RFC 4180 CSV field: quoted if it contains a comma,
 * quote, CR or LF (quotes doubled).  If neutralise is true and s starts
 * with '=', '+', '-', '@', tab or CR, a leading apostrophe is added so a
 * spreadsheet shows it as text rather than running it as a formula.
 */
void outfile_csv_field(struct outfile *of, const char *s, bool neutralise);

/*
 * Flushes what has been written so far and asks the kernel to start
 * writing it to disk now, without waiting, so that the fsync() in
 * outfile_close() finds less to do (call it when a file is complete and
 * other work remains before the close; several files then go to disk
 * together).  Changes nothing that outfile_close() checks or does; a
 * flush error is kept like any write error.  Does nothing for a file
 * written in place (stdout, a device) or after an error.
 */
void outfile_start_sync(struct outfile *of);

/*
 * Flushes and fsync()s now: the wait of outfile_close(), done early so
 * that several files can be synced at once (from worker threads: it
 * reports nothing itself, and touches only of).  A failure is kept like
 * any write error and reported by outfile_close(), which then skips its
 * own fsync() if nothing was written since.  Does nothing for a file
 * written in place or after an error.
 */
void outfile_sync(struct outfile *of);

/*
 * Pushes what is buffered to the file (fflush() and ferror()) without
 * closing or publishing it, so that several files can be known complete
 * before any is renamed.  A failure is recorded like a failed write
 * (sticky, with its errno) and reported by outfile_close(); nothing is
 * printed here.  Returns ST_OK or ST_IO.
 */
enum status outfile_flush(struct outfile *of);

/*
 * Flushes, checks and closes; renames the temporary file into place.
 * Returns ST_OK, or reports "cannot write '<path>': <reason>" and returns
 * ST_IO (the temporary file is removed).  Frees what of holds.
 */
enum status outfile_close(struct outfile *of);

/*
 * Publishes n files all or nothing: flushes every one first; if any
 * failed, reports the failures (outfile_close() of the failed ones),
 * aborts the rest and returns ST_IO with nothing published; otherwise
 * closes them in order and, if a close fails, removes the ones already
 * published (paths[j], their final paths) and aborts the rest.  Every
 * of[i] is released either way.
 */
enum status outfile_close_all(struct outfile *of, char *const *paths, size_t n);

/* Closes and removes the temporary file without publishing it. */
void outfile_abort(struct outfile *of);

#endif

/*
 * reportdir.h - an output folder that appears complete or not at all.
 *
 * The report writers never write into the final folder.  reportdir_begin()
 * makes a hidden sibling "<parent>/.<name>.tmp.<pid>"; the writers put
 * their files there (reportdir_file() gives the paths); reportdir_publish()
 * fsyncs every file and the folder, then moves it into place:
 *
 *   - if <name> does not exist, by rename();
 *   - if it does, by swapping the two folders in one step with Linux
 *     renameat2(RENAME_EXCHANGE), then deleting the old one; where the
 *     file system cannot swap, by renaming the old folder aside to
 *     ".<name>.old.<pid>", renaming the new one in and deleting the old.
 *
 * So at no moment is a partial folder visible under <name>: a reader
 * sees the old report or the new one (with the fallback, for an instant,
 * none).  A run that fails calls reportdir_abort(), which deletes the
 * temporary folder and leaves the previous report untouched.  A run that
 * is killed leaves its hidden temporary folder behind; the next
 * reportdir_begin() for the same name deletes such folders whose process
 * is gone (and, if a run died between the two renames of the fallback,
 * puts the previous report back).
 *
 * Safety: an existing <name> is only replaced if it is empty or holds a
 * manifest.json written by pcbudget, so a mistyped --out can never
 * delete someone's folder.  A symbolic link is followed to its target.
 *
 * One reportdir per final folder per process at a time.
 */
#ifndef PCBUDGET_REPORTDIR_H
#define PCBUDGET_REPORTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct reportdir {
	char *final;		/* the folder to publish (owned) */
	char *parent;		/* its parent folder (owned) */
	char *name;		/* its last path component (owned) */
	char *tmp;		/* the temporary folder (owned), NULL if none */
	bool published;
};

/*
 * Prepares to write the folder final: creates missing parent folders,
 * removes stale temporary folders of dead runs, checks that an existing
 * final may be replaced, and creates the temporary folder.  Returns
 * ST_OK, or ST_NOOUTPUT after reporting (release rd either way).
 */
enum status reportdir_begin(struct reportdir *rd, const char *final);

/* The path of file name inside the temporary folder.  Release with free(). */
char *reportdir_file(const struct reportdir *rd, const char *name);

/*
 * Syncs and publishes the temporary folder as final (see above).
 * Returns ST_OK, ST_IO (a sync failed) or ST_NOOUTPUT (the folder could
 * not be moved into place), after reporting; on failure the temporary
 * folder is removed and final is as it was.
 */
enum status reportdir_publish(struct reportdir *rd);

/* Removes the temporary folder, if any; final is not touched. */
void reportdir_abort(struct reportdir *rd);

/* Aborts if not published, then frees what rd holds. */
void reportdir_release(struct reportdir *rd);

/*
 * Removes ".<name>.tmp.<pid>" and ".<name>.old.<pid>" folders next to
 * final whose process no longer exists; a stale ".old." folder is put
 * back as final when final is missing.  Returns the number handled.
 * reportdir_begin() calls it; exposed for tests.
 */
size_t reportdir_clean_stale(const char *final);

/*
 * Deletes path and, if it is a folder, everything below it, without
 * following symbolic links.  Returns 0, or -1 with errno set.
 */
int reportdir_remove_tree(const char *path);

/* For tests: false makes publish use the rename-aside fallback. */
void reportdir_set_exchange(bool enabled);

#endif

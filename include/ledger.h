/*
 * ledger.h - the run ledger: a SQLite database beside the report
 * folders that remembers the headline figures of every successful run.
 *
 * A run records one row per (CCG, measure) - the five categories,
 * planned spend, allocation, reserves, headroom - under a run id, and
 * gets back what changed since the previous run of the same dataset and
 * year.  The ledger is a convenience, never a reason to lose a report:
 * every failure (corrupt file, locked database, disk full) is reported
 * as a warning and returned as a status the caller may ignore.
 *
 * The database lives outside every report folder (the manifest seals a
 * folder's contents), by default "<parent of the report folder>/ledger.sqlite".
 */
#ifndef PCBUDGET_LEDGER_H
#define PCBUDGET_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

struct ledger_figure {
	const char *ccg_code;	/* borrowed */
	const char *measure;	/* "core_contract", ..., "headroom"; borrowed */
	int64_t pence;
};

/* One difference against the previous run of the same dataset and year. */
struct ledger_change {
	char *ccg_code;		/* owned */
	char *measure;		/* owned */
	int64_t before;		/* pence; meaningful when has_before */
	int64_t after;		/* pence; meaningful when has_after */
	int has_before, has_after;
};

struct ledger_diff {
	long long previous_run;	/* 0 when this is the first run */
	char *previous_time;	/* owned, NULL when none */
	struct ledger_change *changes;	/* only figures that differ */
	size_t n_changes, alloc_changes;
};

/*
 * Records a run: dataset name, budget year ("2017/18"), UTC start time
 * (ISO 8601), the input digest (e.g. a SHA-256 over the inputs; may be
 * ""), and its figures.  Fills diff with the changes against the latest
 * earlier run of the same dataset and year (diff is always initialised,
 * even on failure; release with ledger_diff_release()).  Sets *run_id.
 * Returns ST_OK, or reports a warning "ledger '<path>': <reason>; the
 * report was written but this run is not recorded" and returns ST_IO.
 */
enum status ledger_record(const char *db_path, const char *dataset,
			  const char *year, const char *started_utc,
			  const char *input_digest,
			  const struct ledger_figure *figures, size_t n,
			  struct ledger_diff *diff, long long *run_id);

/*
 * The same comparison without recording anything, for a run that must
 * show its changes before it is published: opens db_path read-only and
 * compares figures (borrowed) with the latest recorded run of dataset
 * and year.  No database, or one without runs, means no previous run
 * (previous_run 0, no changes) and is not an error.  Changes come in the
 * order ledger_record() gives them (CCG code, then measure, bytewise).
 * diff is always initialised (release with ledger_diff_release()).
 * Returns ST_OK, or reports a warning "ledger '<path>': <reason>;
 * changes since the previous run are not shown" and returns ST_IO (diff
 * empty).  Never writes to db_path.
 */
enum status ledger_diff_latest(const char *db_path, const char *dataset,
			       const char *year,
			       const struct ledger_figure *figures, size_t n,
			       struct ledger_diff *diff);

void ledger_diff_release(struct ledger_diff *diff);

/*
 * Writes the list of recorded runs (newest first; only dataset if not
 * NULL) to f as CSV: run,started_utc,dataset,year,figures,planned_spend,
 * headroom (money summed over CCGs, pounds).  Returns ST_OK, ST_NOINPUT
 * when the database does not exist, or ST_DATA when it is unreadable.
 */
enum status ledger_list(const char *db_path, const char *dataset, FILE *f);

#endif

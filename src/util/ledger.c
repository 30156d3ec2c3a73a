/*
 * ledger.c - the run ledger in SQLite: runs and their headline figures,
 * and the changes since the previous run of the same dataset and year.
 *
 * Every statement is checked; any failure becomes one warning and
 * ST_IO, so a broken ledger never costs the user their report.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "ledger.h"
#include "money.h"
#include "xalloc.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs("
	" id INTEGER PRIMARY KEY,"
	" started_utc TEXT NOT NULL,"
	" dataset TEXT NOT NULL,"
	" year TEXT NOT NULL,"
	" input_digest TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS figures("
	" run INTEGER NOT NULL REFERENCES runs(id),"
	" ccg_code TEXT NOT NULL,"
	" measure TEXT NOT NULL,"
	" pence INTEGER NOT NULL,"
	" PRIMARY KEY(run, ccg_code, measure));";

static const char diff_sql[] =
	"SELECT coalesce(a.ccg_code, b.ccg_code), coalesce(a.measure, b.measure),"
	"       b.pence, a.pence"
	"  FROM (SELECT * FROM figures WHERE run = ?1) a"
	"  FULL OUTER JOIN (SELECT * FROM figures WHERE run = ?2) b"
	"    ON a.ccg_code = b.ccg_code AND a.measure = b.measure"
	" WHERE a.pence IS NOT b.pence"
	" ORDER BY 1, 2";

static enum status warn(const char *path, sqlite3 *db, const char *what)
{
	diag_warning("ledger '%s': %s: %s; the report was written but this run "
		     "is not recorded", path, what, db ? sqlite3_errmsg(db) : "out of memory");
	return ST_IO;
}

void ledger_diff_release(struct ledger_diff *d)
{
	for (size_t i = 0; i < d->n_changes; i++) {
		free(d->changes[i].ccg_code);
		free(d->changes[i].measure);
	}
	free(d->changes);
	free(d->previous_time);
	memset(d, 0, sizeof(*d));
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(db, sql, -1, st, NULL);
}

static char *column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return xstrdup(t ? (const char *)t : "");
}

enum status ledger_record(const char *db_path, const char *dataset,
			  const char *year, const char *started_utc,
			  const char *input_digest,
			  const struct ledger_figure *figures, size_t n,
			  struct ledger_diff *diff, long long *run_id)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum status ret = ST_OK;
	long long prev = 0, id;
	const char *what = "cannot open";

	memset(diff, 0, sizeof(*diff));
	*run_id = 0;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db, 2000);
	what = "cannot set up the tables";
	if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	what = "cannot start a transaction";
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;

	what = "cannot read earlier runs";
	if (prepare(db, "SELECT id, started_utc FROM runs WHERE dataset = ?1 AND year = ?2"
			" ORDER BY id DESC LIMIT 1", &st) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		prev = sqlite3_column_int64(st, 0);
		diff->previous_time = column_text(st, 1);
		break;
	case SQLITE_DONE:
		break;
	default:
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	what = "cannot record the run";
	if (prepare(db, "INSERT INTO runs(started_utc, dataset, year, input_digest)"
			" VALUES(?1, ?2, ?3, ?4)", &st) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, started_utc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dataset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, year, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, input_digest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	id = sqlite3_last_insert_rowid(db);

	what = "cannot record the figures";
	if (prepare(db, "INSERT INTO figures(run, ccg_code, measure, pence)"
			" VALUES(?1, ?2, ?3, ?4)", &st) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, figures[i].ccg_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, figures[i].measure, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, figures[i].pence);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	if (prev) {
		what = "cannot compare with the previous run";
		if (prepare(db, diff_sql, &st) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, prev);
		for (;;) {
			int rc = sqlite3_step(st);
			struct ledger_change *c;

			if (rc == SQLITE_DONE)
				break;
			if (rc != SQLITE_ROW)
				goto fail;
			ALLOC_GROW(diff->changes, diff->n_changes + 1, diff->alloc_changes);
			c = &diff->changes[diff->n_changes++];
			c->ccg_code = column_text(st, 0);
			c->measure = column_text(st, 1);
			c->has_before = sqlite3_column_type(st, 2) != SQLITE_NULL;
			c->has_after = sqlite3_column_type(st, 3) != SQLITE_NULL;
			c->before = sqlite3_column_int64(st, 2);
			c->after = sqlite3_column_int64(st, 3);
		}
		sqlite3_finalize(st);
		st = NULL;
		diff->previous_run = prev;
	}
	what = "cannot commit";
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	*run_id = id;
	goto out;
fail:
	ret = warn(db_path, db, what);
	ledger_diff_release(diff);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/* Writes s as one CSV field, quoted when it holds a comma, quote or line end. */
static void put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

enum status ledger_list(const char *db_path, const char *dataset, FILE *f)
{
	static const char sql[] =
		"SELECT r.id, r.started_utc, r.dataset, r.year, count(f.run),"
		"       coalesce(sum(CASE f.measure WHEN 'planned_spend' THEN f.pence END), 0),"
		"       coalesce(sum(CASE f.measure WHEN 'headroom' THEN f.pence END), 0)"
		"  FROM runs r LEFT JOIN figures f ON f.run = r.id"
		" WHERE ?1 IS NULL OR r.dataset = ?1"
		" GROUP BY r.id ORDER BY r.id DESC";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	enum status ret = ST_OK;
	int rc;

	if (stat(db_path, &sb) != 0) {
		diag_error("no ledger at '%s' (it is created by the first successful run)",
			   db_path);
		return ST_NOINPUT;
	}
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    prepare(db, sql, &st) != SQLITE_OK) {
		diag_error("cannot read ledger '%s': %s", db_path,
			   db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return ST_DATA;
	}
	if (dataset)
		sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	fputs("run,started_utc,dataset,year,figures,planned_spend,headroom\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		fprintf(f, "%lld,", (long long)sqlite3_column_int64(st, 0));
		for (int c = 1; c <= 3; c++) {
			put_field(f, (const char *)sqlite3_column_text(st, c));
			fputc(',', f);
		}
		fprintf(f, "%lld,%s,%s\n", (long long)sqlite3_column_int64(st, 4),
			money_format(sqlite3_column_int64(st, 5), a),
			money_format(sqlite3_column_int64(st, 6), b));
	}
	if (rc != SQLITE_DONE) {
		diag_error("cannot read ledger '%s': %s", db_path, sqlite3_errmsg(db));
		ret = ST_DATA;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

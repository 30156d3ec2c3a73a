/*
 * ledger.c - the run ledger in SQLite: runs and their headline figures,
 * and the changes since the previous run of the same dataset and year.
 *
 * Every statement is checked; any failure becomes one warning and
 * ST_IO, so a broken ledger never costs the user their report.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "ledger.h"
#include "money.h"
#include "sqlite_lib.h"
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

static enum status warn(const struct sqlite_api *S, const char *path,
			sqlite3 *db, const char *what)
{
	diag_warning("ledger '%s': %s: %s; the report was written but this run "
		     "is not recorded", path, what, db ? S->sqlite3_errmsg(db) : "out of memory");
	return ST_IO;
}

/*
 * The warning for a ledger that cannot be opened because SQLite cannot
 * be loaded; what_lost ends it as the other warnings of the caller do.
 */
static enum status no_library(const char *path, const char *why,
			      const char *what_lost)
{
	diag_warning("ledger '%s': cannot load SQLite: %s; %s", path, why,
		     what_lost);
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

static int prepare(const struct sqlite_api *S, sqlite3 *db, const char *sql,
		   sqlite3_stmt **st)
{
	return S->sqlite3_prepare_v2(db, sql, -1, st, NULL);
}

static char *column_text(const struct sqlite_api *S, sqlite3_stmt *st, int col)
{
	const unsigned char *t = S->sqlite3_column_text(st, col);

	return xstrdup(t ? (const char *)t : "");
}

enum status ledger_record(const char *db_path, const char *dataset,
			  const char *year, const char *started_utc,
			  const char *input_digest,
			  const struct ledger_figure *figures, size_t n,
			  struct ledger_diff *diff, long long *run_id)
{
	const char *why;
	const struct sqlite_api *S = sqlite_api(&why);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum status ret = ST_OK;
	long long prev = 0, id;
	const char *what = "cannot open";

	memset(diff, 0, sizeof(*diff));
	*run_id = 0;
	if (!S)
		return no_library(db_path, why, "the report was written but this "
				  "run is not recorded");
	if (S->sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK)
		goto fail;
	S->sqlite3_busy_timeout(db, 2000);
	what = "cannot set up the tables";
	if (S->sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	what = "cannot start a transaction";
	if (S->sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;

	what = "cannot read earlier runs";
	if (prepare(S, db, "SELECT id, started_utc FROM runs WHERE dataset = ?1 AND year = ?2"
			" ORDER BY id DESC LIMIT 1", &st) != SQLITE_OK)
		goto fail;
	S->sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	S->sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
	switch (S->sqlite3_step(st)) {
	case SQLITE_ROW:
		prev = S->sqlite3_column_int64(st, 0);
		diff->previous_time = column_text(S, st, 1);
		break;
	case SQLITE_DONE:
		break;
	default:
		goto fail;
	}
	S->sqlite3_finalize(st);
	st = NULL;

	what = "cannot record the run";
	if (prepare(S, db, "INSERT INTO runs(started_utc, dataset, year, input_digest)"
			" VALUES(?1, ?2, ?3, ?4)", &st) != SQLITE_OK)
		goto fail;
	S->sqlite3_bind_text(st, 1, started_utc, -1, SQLITE_STATIC);
	S->sqlite3_bind_text(st, 2, dataset, -1, SQLITE_STATIC);
	S->sqlite3_bind_text(st, 3, year, -1, SQLITE_STATIC);
	S->sqlite3_bind_text(st, 4, input_digest, -1, SQLITE_STATIC);
	if (S->sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	S->sqlite3_finalize(st);
	st = NULL;
	id = S->sqlite3_last_insert_rowid(db);

	what = "cannot record the figures";
	if (prepare(S, db, "INSERT INTO figures(run, ccg_code, measure, pence)"
			" VALUES(?1, ?2, ?3, ?4)", &st) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		S->sqlite3_reset(st);
		S->sqlite3_bind_int64(st, 1, id);
		S->sqlite3_bind_text(st, 2, figures[i].ccg_code, -1, SQLITE_STATIC);
		S->sqlite3_bind_text(st, 3, figures[i].measure, -1, SQLITE_STATIC);
		S->sqlite3_bind_int64(st, 4, figures[i].pence);
		if (S->sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	S->sqlite3_finalize(st);
	st = NULL;

	if (prev) {
		what = "cannot compare with the previous run";
		if (prepare(S, db, diff_sql, &st) != SQLITE_OK)
			goto fail;
		S->sqlite3_bind_int64(st, 1, id);
		S->sqlite3_bind_int64(st, 2, prev);
		for (;;) {
			int rc = S->sqlite3_step(st);
			struct ledger_change *c;

			if (rc == SQLITE_DONE)
				break;
			if (rc != SQLITE_ROW)
				goto fail;
			ALLOC_GROW(diff->changes, diff->n_changes + 1, diff->alloc_changes);
			c = &diff->changes[diff->n_changes++];
			c->ccg_code = column_text(S, st, 0);
			c->measure = column_text(S, st, 1);
			c->has_before = S->sqlite3_column_type(st, 2) != SQLITE_NULL;
			c->has_after = S->sqlite3_column_type(st, 3) != SQLITE_NULL;
			c->before = S->sqlite3_column_int64(st, 2);
			c->after = S->sqlite3_column_int64(st, 3);
		}
		S->sqlite3_finalize(st);
		st = NULL;
		diff->previous_run = prev;
	}
	what = "cannot commit";
	if (S->sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	*run_id = id;
	goto out;
fail:
	ret = warn(S, db_path, db, what);
	ledger_diff_release(diff);
out:
	S->sqlite3_finalize(st);
	S->sqlite3_close(db);
	return ret;
}

/* A figure of the previous run, read back for ledger_diff_latest(). */
struct old_figure {
	char *ccg_code, *measure;
	int64_t pence;
	bool seen;		/* matched by a new figure */
};

static int cmp_key(const char *ca, const char *ma, const char *cb, const char *mb)
{
	int c = strcmp(ca, cb);

	return c ? c : strcmp(ma, mb);
}

static int cmp_change(const void *a, const void *b)
{
	const struct ledger_change *x = a, *y = b;

	return cmp_key(x->ccg_code, x->measure, y->ccg_code, y->measure);
}

static void add_change(struct ledger_diff *d, const char *ccg, const char *measure,
		       bool has_before, int64_t before, bool has_after, int64_t after)
{
	struct ledger_change *c;

	ALLOC_GROW(d->changes, d->n_changes + 1, d->alloc_changes);
	c = &d->changes[d->n_changes++];
	c->ccg_code = xstrdup(ccg);
	c->measure = xstrdup(measure);
	c->has_before = has_before;
	c->before = has_before ? before : 0;
	c->has_after = has_after;
	c->after = has_after ? after : 0;
}

enum status ledger_diff_latest(const char *db_path, const char *dataset,
			       const char *year,
			       const struct ledger_figure *figures, size_t n,
			       struct ledger_diff *diff)
{
	const char *why;
	const struct sqlite_api *S = sqlite_api(&why);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct old_figure *old = NULL;
	size_t n_old = 0, alloc_old = 0;
	enum status ret = ST_OK;
	const char *what = "cannot open";
	struct stat sb;
	long long prev = 0;
	int rc;

	memset(diff, 0, sizeof(*diff));
	if (stat(db_path, &sb) != 0)
		return ST_OK;	/* no ledger yet: the first run */
	if (!S)
		return no_library(db_path, why, "changes since the previous run "
				  "are not shown");
	if (S->sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto fail;
	S->sqlite3_busy_timeout(db, 2000);
	what = "cannot read earlier runs";
	if (prepare(S, db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
			" AND name IN ('runs', 'figures')", &st) != SQLITE_OK ||
	    S->sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	if (S->sqlite3_column_int(st, 0) != 2)
		goto out;	/* an empty database: no run recorded */
	S->sqlite3_finalize(st);
	st = NULL;
	if (prepare(S, db, "SELECT id, started_utc FROM runs WHERE dataset = ?1 AND year = ?2"
			" ORDER BY id DESC LIMIT 1", &st) != SQLITE_OK)
		goto fail;
	S->sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	S->sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
	rc = S->sqlite3_step(st);
	if (rc == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW)
		goto fail;
	prev = S->sqlite3_column_int64(st, 0);
	diff->previous_time = column_text(S, st, 1);
	S->sqlite3_finalize(st);
	st = NULL;
	if (prepare(S, db, "SELECT ccg_code, measure, pence FROM figures WHERE run = ?1",
		    &st) != SQLITE_OK)
		goto fail;
	S->sqlite3_bind_int64(st, 1, prev);
	while ((rc = S->sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(old, n_old + 1, alloc_old);
		old[n_old].ccg_code = column_text(S, st, 0);
		old[n_old].measure = column_text(S, st, 1);
		old[n_old].pence = S->sqlite3_column_int64(st, 2);
		old[n_old].seen = false;
		n_old++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct ledger_figure *f = &figures[i];
		size_t k;

		for (k = 0; k < n_old; k++)
			if (!cmp_key(old[k].ccg_code, old[k].measure, f->ccg_code, f->measure))
				break;
		if (k == n_old) {
			add_change(diff, f->ccg_code, f->measure, false, 0, true, f->pence);
			continue;
		}
		old[k].seen = true;
		if (old[k].pence != f->pence)
			add_change(diff, f->ccg_code, f->measure, true, old[k].pence, true,
				   f->pence);
	}
	for (size_t k = 0; k < n_old; k++)
		if (!old[k].seen)
			add_change(diff, old[k].ccg_code, old[k].measure, true, old[k].pence,
				   false, 0);
	if (diff->n_changes > 1)
		qsort(diff->changes, diff->n_changes, sizeof(*diff->changes), cmp_change);
	diff->previous_run = prev;
	goto out;
fail:
	diag_warning("ledger '%s': %s: %s; changes since the previous run are not shown",
		     db_path, what, db ? S->sqlite3_errmsg(db) : "out of memory");
	ret = ST_IO;
	ledger_diff_release(diff);
out:
	for (size_t k = 0; k < n_old; k++) {
		free(old[k].ccg_code);
		free(old[k].measure);
	}
	free(old);
	S->sqlite3_finalize(st);
	S->sqlite3_close(db);
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
	const char *why;
	const struct sqlite_api *S = sqlite_api(&why);
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
	if (!S) {
		diag_error("cannot read ledger '%s': cannot load SQLite: %s",
			   db_path, why);
		return ST_IO;
	}
	if (S->sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    prepare(S, db, sql, &st) != SQLITE_OK) {
		diag_error("cannot read ledger '%s': %s", db_path,
			   db ? S->sqlite3_errmsg(db) : "out of memory");
		S->sqlite3_close(db);
		return ST_DATA;
	}
	if (dataset)
		S->sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
	fputs("run,started_utc,dataset,year,figures,planned_spend,headroom\n", f);
	while ((rc = S->sqlite3_step(st)) == SQLITE_ROW) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		fprintf(f, "%lld,", (long long)S->sqlite3_column_int64(st, 0));
		for (int c = 1; c <= 3; c++) {
			put_field(f, (const char *)S->sqlite3_column_text(st, c));
			fputc(',', f);
		}
		fprintf(f, "%lld,%s,%s\n", (long long)S->sqlite3_column_int64(st, 4),
			money_format(S->sqlite3_column_int64(st, 5), a),
			money_format(S->sqlite3_column_int64(st, 6), b));
	}
	if (rc != SQLITE_DONE) {
		diag_error("cannot read ledger '%s': %s", db_path, S->sqlite3_errmsg(db));
		ret = ST_DATA;
	}
	S->sqlite3_finalize(st);
	S->sqlite3_close(db);
	return ret;
}

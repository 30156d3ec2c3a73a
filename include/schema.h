/*
 * schema.h - a CSV table read against a column schema, with typed and
 * located cell readers.
 *
 * The layer between the strict CSV reader (csvread.h) and the dataset
 * (dataset.h): each table has a spec listing its columns (documented
 * name, type, whether required, decimals, allowed words).  Loading
 * matches the header by normalised name (csv_normalise_name(): case,
 * '_' and '.' do not matter), reports missing and unknown columns, and
 * the readers turn a cell into a typed value or report
 *     path:line:col: error: column 'registered_list': '-5' must not be negative
 * Every reader reports through diag and never stops: the caller goes on
 * to the next cell so that all errors are found in one run.
 */
#ifndef PCBUDGET_SCHEMA_H
#define PCBUDGET_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvread.h"
#include "diag.h"
#include "status.h"

enum col_type {
	COL_TEXT,	/* any text */
	COL_CODE,	/* an identifier: no blanks, no control bytes */
	COL_MONEY,	/* pounds with at most 2 decimals -> pence */
	COL_INT,	/* a whole number */
	COL_FIXED,	/* a decimal with at most `decimals` places -> minor units */
	COL_BOOL,	/* yes/no, true/false, y/n, 1/0 (any case) */
	COL_DATE,	/* YYYY-MM-DD -> days since 1970-01-01 */
	COL_YEAR,	/* a financial year YYYY/YY -> its starting calendar year */
	COL_CHOICE	/* one of `choices` (any case) -> its index */
};

struct col_spec {
	const char *name;	/* documented name, e.g. "registered_list" */
	enum col_type type;
	bool required;		/* the column must exist and no cell may be empty */
	bool nonneg;		/* numbers: negative values are errors */
	unsigned decimals;	/* COL_FIXED */
	const char *const *choices;	/* COL_CHOICE: NULL-terminated; matched in any case */
};

struct table_spec {
	const char *file;		/* "practices.csv" */
	const struct col_spec *cols;
	size_t n_cols;
	bool allow_extra;		/* ignore columns the spec does not know */
	bool allow_empty;		/* a header without rows is fine */
};

struct schema_table {
	struct csv_table csv;
	const struct table_spec *spec;	/* borrowed */
	long *col;			/* csv column of each spec column, -1 = absent */
	bool loaded;			/* header matched: rows may be read */
};

/* Zeroes t so schema_table_release() is safe. */
void schema_table_init(struct schema_table *t);

/* Frees what t holds; leaves it initialised. */
void schema_table_release(struct schema_table *t);

/*
 * Reads dir/spec->file into t and matches its header to the spec.
 * Reports a missing file, CSV errors, missing required columns and
 * unknown columns (unless allow_extra).  Returns ST_OK (t->loaded),
 * ST_NOINPUT, ST_IO or ST_DATA.  spec is borrowed for t's lifetime.
 */
enum status schema_load(struct schema_table *t, const char *dir,
			const struct table_spec *spec);

/* Same, from text in memory (for tests); path is used in messages. */
enum status schema_load_mem(struct schema_table *t, const char *path,
			    const char *text, const struct table_spec *spec);

/* Number of data rows (0 if not loaded). */
size_t schema_rows(const struct schema_table *t);

/* True if column c (index into the spec) exists in the file. */
bool schema_has_col(const struct schema_table *t, size_t c);

/*
 * Location of the cell at row r, spec column c; when the column is
 * absent, the start of the row.  Also the source line of the row.
 */
void schema_loc(const struct schema_table *t, size_t r, size_t c,
		struct srcloc *loc);
unsigned long schema_line(const struct schema_table *t, size_t r);

/* The raw text of a cell ("" when the column is absent). Borrowed. */
const char *schema_raw(const struct schema_table *t, size_t r, size_t c);

/*
 * Typed readers for row r, spec column c.  Each returns 1 when a value
 * was read into *out, 0 when the cell is empty or the column absent and
 * the column is optional (*out untouched), and -1 after reporting an
 * error (bad value, negative where not allowed, empty required cell).
 * The type of the column must match the reader (a BUG otherwise).
 * Text is borrowed from the table.
 */
int schema_text(const struct schema_table *t, size_t r, size_t c, const char **out);
int schema_code(const struct schema_table *t, size_t r, size_t c, const char **out);
int schema_money(const struct schema_table *t, size_t r, size_t c, int64_t *out);
int schema_int(const struct schema_table *t, size_t r, size_t c, int64_t *out);
int schema_fixed(const struct schema_table *t, size_t r, size_t c, int64_t *out);
int schema_bool(const struct schema_table *t, size_t r, size_t c, bool *out);
int schema_date(const struct schema_table *t, size_t r, size_t c, int32_t *out);
int schema_year(const struct schema_table *t, size_t r, size_t c, int *out);
int schema_choice(const struct schema_table *t, size_t r, size_t c, int *out);

/* Reports "path:line:col: error: <message>" at a cell; returns -1. */
int schema_error(const struct schema_table *t, size_t r, size_t c,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

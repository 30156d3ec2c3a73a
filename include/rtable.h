/*
 * rtable.h - a report table: the generic in-memory model every report
 * writer renders.
 *
 * The pipeline (budget engine, risk model, backtest) fills rtables with
 * its results; the writers in report.h turn the same rtable into a CSV
 * file, an XLSX sheet, an HTML table and a Markdown table.  This module
 * is pure: it builds, stores and formats cells, and does no I/O.
 *
 * A table has a name (which is also its CSV file name "<name>.csv" and
 * its XLSX sheet name), a title for people, typed columns and rows of
 * cells.  Every cell is either unset (a missing value, rendered empty)
 * or holds a value of its column's type.
 *
 * Column types and what the writers do with them:
 *   RCOL_TEXT     text that came from the input (names, addresses,
 *                 free text).  Escaped in HTML and Markdown; in CSV a
 *                 value starting with = + - @ tab or CR is neutralised.
 *   RCOL_CODE     an identifier the program has generated or validated
 *                 (ODS and CCG codes, category keys, labels).  Escaped
 *                 like all text, written verbatim in CSV; a code that
 *                 starts with a formula trigger character is neutralised
 *                 as if it were TEXT, so CODE can never smuggle a formula.
 *   RCOL_INT      int64 count.
 *   RCOL_MONEY    int64 pence.
 *   RCOL_FIXED    int64 with `decimals` implied decimal digits (a
 *                 weighted list of 5209.497299 is 5209497299 with 6).
 *   RCOL_PERCENT  a fraction (double, 0.0515 = 5.15%) or parts per
 *                 million (int64, 51500 = 5.15%); shown with `decimals`
 *                 digits after the point of the percentage.
 *   RCOL_DATE     int32 days since 1970-01-01.
 *
 * Ownership: an rtable owns copies of every string given to it.  The
 * struct is transparent so writers can read it; change it only through
 * the functions below.  Invariants: cells has n_rows * n_cols entries,
 * row-major; all columns are added before the first row; a set cell's
 * value matches its column's type.
 *
 * Programming errors (a bad table or column name, a column added after
 * a row, an index out of range, a setter of the wrong type) are bugs and
 * abort with BUG(); data can never cause them.
 */
#ifndef PCBUDGET_RTABLE_H
#define PCBUDGET_RTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rcol_type {
	RCOL_TEXT,
	RCOL_CODE,
	RCOL_INT,
	RCOL_MONEY,
	RCOL_FIXED,
	RCOL_PERCENT,
	RCOL_DATE
};

struct rcol {
	char *name;		/* machine name: the CSV header (owned) */
	char *header;		/* header text for people (owned) */
	enum rcol_type type;
	unsigned decimals;	/* FIXED: 0..18 implied digits; PERCENT: 0..6 shown */
};

struct rcell {
	bool is_set;		/* false: a missing value */
	bool is_ppm;		/* PERCENT stored as ppm in v.i (else v.d) */
	bool neutralise;	/* text a spreadsheet would run as a formula */
	union {
		char *s;	/* TEXT, CODE (owned) */
		int64_t i;	/* INT, MONEY, FIXED, PERCENT (ppm), DATE */
		double d;	/* PERCENT (fraction) */
	} v;
};

enum rrow_flags {
	RROW_TOTAL = 1 << 0	/* a total line: bold in HTML and XLSX */
};

struct rtable {
	char *name;		/* [a-z0-9_-], 1..31 bytes (owned) */
	char *title;		/* owned */
	char *note;		/* optional footnote, e.g. the source (owned) */
	struct rcol *cols;
	size_t n_cols, alloc_cols;
	struct rcell *cells;	/* n_rows * n_cols, row-major */
	unsigned *row_flags;	/* n_rows entries of enum rrow_flags */
	size_t n_rows, alloc_rows;
};

/* Longest table name: the XLSX sheet name limit. */
#define RTABLE_NAME_MAX 31

/*
 * Creates an empty table.  name must be 1..31 bytes of [a-z0-9_-] (it
 * becomes a file name and a sheet name); title is any text.  Release
 * with rtable_free().
 */
struct rtable *rtable_new(const char *name, const char *title);

/* Frees t and everything it holds.  rtable_free(NULL) does nothing. */
void rtable_free(struct rtable *t);

/* Sets (replacing) the footnote shown under the table; NULL clears it. */
void rtable_set_note(struct rtable *t, const char *note);

/*
 * Adds a column and returns its index.  name is the machine name (CSV
 * header): letters, digits and "_./" not starting with a formula
 * trigger; header is the text people see (NULL = name).  decimals is used
 * by FIXED (0..18) and PERCENT (0..6) and must be 0 for other types.
 * Must be called before the first rtable_add_row().
 */
size_t rtable_add_col(struct rtable *t, const char *name, const char *header,
		      enum rcol_type type, unsigned decimals);

/* Index of the column called name, or -1 (as ptrdiff_t) if none. */
ptrdiff_t rtable_col_index(const struct rtable *t, const char *name);

/* Appends a row of unset cells and returns its index. */
size_t rtable_add_row(struct rtable *t);

/* Marks row with flags (enum rrow_flags, or-ed). */
void rtable_set_row_flags(struct rtable *t, size_t row, unsigned flags);

/*
 * Setters: each stores a value in a cell of a column of the matching
 * type (text for TEXT and CODE).  Setting a cell again replaces it.
 * rtable_set_text() copies s; s == NULL leaves the cell unset.
 */
void rtable_set_text(struct rtable *t, size_t row, size_t col, const char *s);
void rtable_set_int(struct rtable *t, size_t row, size_t col, int64_t v);
void rtable_set_money(struct rtable *t, size_t row, size_t col, int64_t pence);
void rtable_set_fixed(struct rtable *t, size_t row, size_t col, int64_t v);
void rtable_set_percent(struct rtable *t, size_t row, size_t col,
			double fraction);
void rtable_set_percent_ppm(struct rtable *t, size_t row, size_t col,
			    int64_t ppm);
void rtable_set_date(struct rtable *t, size_t row, size_t col, int32_t days);

/* Makes a cell unset (missing) again. */
void rtable_clear_cell(struct rtable *t, size_t row, size_t col);

/* The cell at (row, col).  Borrowed; valid until the table changes. */
const struct rcell *rtable_cell(const struct rtable *t, size_t row,
				size_t col);

/* How a cell is formatted as text. */
enum rfmt {
	/*
	 * For CSV: what a program reads back.  Money "-1234.56", FIXED with
	 * exactly `decimals` digits "5209.497299", INT "1234", PERCENT as
	 * the percentage number "5.2" (the column header says it is a %),
	 * DATE "2017-03-31", text unchanged, unset "".
	 */
	RFMT_PLAIN,
	/*
	 * For people (HTML, Markdown): money "-£1,234.56", INT and FIXED
	 * with thousands separators, PERCENT "5.2%", DATE "2017-03-31",
	 * text unchanged, unset "".
	 */
	RFMT_DISPLAY
};

/* Buffer size that fits any formatted non-text cell. */
#define RTABLE_BUFSZ 64

/*
 * Formats the cell at (row, col).  Returns the cell's own string for
 * TEXT and CODE (borrowed) or buf (RTABLE_BUFSZ bytes) otherwise.
 * Never returns NULL.
 */
const char *rtable_format(const struct rtable *t, size_t row, size_t col,
			  enum rfmt fmt, char buf[RTABLE_BUFSZ]);

/*
 * The numeric value of a set numeric cell for a spreadsheet: pounds for
 * MONEY (pence / 100, exact to the nearest double), the real value for
 * FIXED, the fraction for PERCENT, the count for INT, days since
 * 1970-01-01 for DATE.  0 for text or unset cells.
 */
double rtable_number(const struct rtable *t, size_t row, size_t col);

/*
 * Sums the set cells of a MONEY column into *pence.  Returns 0, or -1
 * if the sum overflows int64 (*pence untouched).
 */
int rtable_money_total(const struct rtable *t, size_t col, int64_t *pence);

/*
 * Formats days since 1970-01-01 as "YYYY-MM-DD" (proleptic Gregorian,
 * any int32).  buf needs 16 bytes.  Returns buf.
 */
char *rtable_date_format(int32_t days, char buf[16]);

/* True if a spreadsheet would treat text starting with c as a formula. */
bool rtable_is_formula_trigger(char c);

#endif

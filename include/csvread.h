/*
 * csvread.h - strict CSV input on libcsv, with the line and column of
 * every field.
 *
 * The whole file is read into memory and parsed with
 * CSV_STRICT|CSV_STRICT_FINI|CSV_EMPTY_IS_NULL.  Accepted: a UTF-8 BOM,
 * CRLF or LF line ends, a missing final newline, quoted commas, quoted
 * newlines and doubled quotes.  Rejected, each with one located error
 * (path:line:col) and ST_DATA: an empty file, a header-only file when
 * rows are required, blank lines, ragged rows (field count differs from
 * the header), an unterminated quote (reported where it opened), a stray
 * quote, a field longer than the cap, a NUL byte, invalid UTF-8, an
 * empty or duplicate header name (after normalisation).
 *
 * Lines count '\n' (a lone '\r' also ends a line); columns are 1-based
 * byte offsets from the start of the physical line (after a BOM on line 1,
 * which editors do not show).
 */
#ifndef PCBUDGET_CSVREAD_H
#define PCBUDGET_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "status.h"

/* One field.  text is NUL-terminated and owned by the table. */
struct csv_cell {
	uint32_t off;		/* offset of the text in table->text */
	uint32_t len;		/* bytes, excluding the NUL */
	uint32_t line;		/* where the field starts */
	uint32_t col;
};

struct csv_table {
	char *path;		/* owned copy of the path used in messages */
	size_t n_cols;		/* fields in the header */
	size_t n_rows;		/* data rows, header excluded */
	struct csv_cell *cells;	/* (n_rows + 1) * n_cols, row 0 = header */
	char **norm;		/* n_cols normalised header names */
	char *text;		/* all field text */
	size_t text_len, text_alloc;
	size_t readable;	/* bytes of text that may be read: text_len,
				 * and CSV_STREAM_PAD zeros more during a
				 * stream's row callback */
	size_t alloc_cells;
	bool had_bom;
	bool had_crlf;
	bool final_newline;
};

struct csv_opts {
	size_t max_field;	/* bytes; 0 = CSV_DEFAULT_MAX_FIELD */
	bool allow_empty_body;	/* accept a header with no data rows */
};

#define CSV_DEFAULT_MAX_FIELD 4096u

/* Sets every member to zero so csv_table_release() is safe. */
void csv_table_init(struct csv_table *t);

/* Frees everything the table holds; leaves it initialised. */
void csv_table_release(struct csv_table *t);

/*
 * Reads and parses the file at path into t (which must be initialised
 * and empty).  Errors are reported through diag; returns ST_OK,
 * ST_NOINPUT (cannot open), ST_IO (read error) or ST_DATA.  On error t
 * is released.  opts may be NULL for the defaults.
 */
enum status csv_read_file(struct csv_table *t, const char *path,
			  const struct csv_opts *opts);

/*
 * Parses len bytes of buf as if read from path.  Same contract as
 * csv_read_file().
 */
enum status csv_read_mem(struct csv_table *t, const char *path,
			 const char *buf, size_t len,
			 const struct csv_opts *opts);

/*
 * Streaming: the same reading and the same checks, but each data row is
 * handed to a callback as soon as it is complete and then forgotten, so
 * that memory stays the size of one row however long the file is.
 */
/* Zero bytes after the text of a streamed row, for parsers that read ahead. */
#define CSV_STREAM_PAD 32

struct csv_sink {
	/*
	 * Called once, when the header record is complete and its names
	 * are normalised (t->norm) and checked, with max_rows the number
	 * of LF line ends left plus one: at least the data rows that can
	 * follow, unless lines end with a lone CR (a hint for sizes, not a
	 * limit).  Anything but ST_OK stops the read, which then returns
	 * that status.
	 */
	enum status (*header)(void *ctx, const struct csv_table *t,
			      size_t max_rows);
	/*
	 * Called for each data row with as many fields as the header, in
	 * file order (a ragged row is reported and not handed over).  row
	 * is t->cells + t->n_cols; its cells' text is valid until the
	 * callback returns.  Nonzero stops the read (ST_DATA).
	 */
	int (*row)(void *ctx, const struct csv_table *t,
		   const struct csv_cell *row);
	void *ctx;
	/*
	 * Optional (NULL: none): offered each line of at most max_field
	 * bytes that starts a data record, before it is split, as
	 * line[0..len) without its LF or CRLF, lineno its line number, with
	 * CSV_STREAM_PAD readable bytes after it (lines too near the end of
	 * the input are not offered).  The line is as read: it may hold
	 * quotes, a CR, NUL or non-ASCII bytes, and a quoted field may go on
	 * to the next line, so the consumer must decline any line it cannot
	 * read whole as plain fields (a lone CR inside it ends a line as
	 * the reader counts lines).  Returns 1 if it took the row, which then
	 * counts in t->n_rows and goes nowhere else; 0 to have the line
	 * split and checked as usual and its record handed to row().  For a
	 * consumer that reads plain lines faster than cells and leaves
	 * anything unusual, and every message, to the usual way.
	 */
	int (*plain)(void *ctx, const struct csv_table *t, const char *line,
		     size_t len, unsigned long lineno);
};

/*
 * As csv_read_file() / csv_read_mem(), with the rows going to sink
 * instead of into t: t keeps the header only (row 0; n_rows counts the
 * rows handed over; csv_at() must not be used).  The checks of the
 * whole file (ragged rows, no data rows, an unterminated quote at the
 * end) are reported as they are met, so rows before a bad one may
 * already have been handed over: the caller keeps nothing unless the
 * result is ST_OK.  On error t is released.
 */
enum status csv_stream_file(struct csv_table *t, const char *path,
			    const struct csv_opts *opts,
			    const struct csv_sink *sink);
enum status csv_stream_mem(struct csv_table *t, const char *path,
			   const char *buf, size_t len,
			   const struct csv_opts *opts,
			   const struct csv_sink *sink);

/* The cell at data row r (0-based, header excluded) and column c. */
static inline const struct csv_cell *csv_at(const struct csv_table *t,
					    size_t r, size_t c)
{
	return &t->cells[(r + 1) * t->n_cols + c];
}

/* The header cell of column c. */
static inline const struct csv_cell *csv_header(const struct csv_table *t,
						size_t c)
{
	return &t->cells[c];
}

/* NUL-terminated text of a cell (borrowed from the table). */
static inline const char *csv_text(const struct csv_table *t,
				   const struct csv_cell *cell)
{
	return t->text + cell->off;
}

/*
 * Records that fill one line and hold no quote, CR, NUL or non-ASCII
 * byte are split at commas directly instead of going through libcsv
 * (same cells, positions and errors, about ten times faster).  Tests
 * switch this off to compare the two paths; it is on by default.
 */
void csv_set_fast_path(bool enabled);

/* Fills loc with the table's path and the cell's position. */
void csv_loc(const struct csv_table *t, const struct csv_cell *cell,
	     struct srcloc *loc);

/*
 * Normalises a header name: ASCII letters to lower case, '.' and '_' to
 * spaces, runs of spaces/tabs collapsed to one, leading and trailing
 * spaces removed; other bytes (including UTF-8) unchanged.  Returns a
 * new string (free()).
 */
char *csv_normalise_name(const char *s, size_t len);

/* Column index of a normalised name, or -1. */
long csv_find_col(const struct csv_table *t, const char *norm_name);

#endif

/*
 * report.h - the report folder: CSV, XLSX, HTML, Markdown and the
 * manifest, written from generic report tables.
 *
 * The last stage of `pcbudget run`.  The pipeline describes its results
 * as rtables (rtable.h) plus a small document (struct report_doc: a
 * title, headline figures, flags and sections of paragraphs, tables and
 * charts) and calls report_folder_write(), which writes every file into
 * a temporary folder and publishes it atomically (reportdir.h):
 *
 *     <name>.csv      one per table (RFC 4180, UTF-8, formula-safe)
 *     pcbudget.xlsx   one sheet per table
 *     report.html     the whole document, self-contained
 *     summary.md      headline, flags and the sections marked in_summary
 *     manifest.json   provenance: version, command line, times, seed,
 *                     parameters, SHA-256 of every input and output
 *
 * The individual writers are public too, for tests and other commands.
 * Every writer returns ST_OK or reports its failure through diag (with
 * the path) and returns ST_NOOUTPUT (cannot create), ST_IO (write
 * failed), ST_NOINPUT (an input to hash cannot be read) or ST_DATA (a
 * value Excel cannot hold); it never leaves a half-written file under
 * its final name.
 *
 * Text from the input is never trusted: HTML and SVG escape it
 * everywhere (element text and attributes), Markdown escapes its
 * punctuation, CSV neutralises TEXT cells a spreadsheet would run as a
 * formula, and XLSX stores every text cell as a string.
 *
 * Ownership: a report_doc owns copies of all its strings and the chart
 * markup handed to it; it borrows the rtables its sections show, which
 * must outlive it.  Writers borrow everything they are given.
 */
#ifndef PCBUDGET_REPORT_H
#define PCBUDGET_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtable.h"
#include "status.h"

/* ------------------------------------------------------------------ */
/* the document                                                         */

enum report_tone {
	REPORT_TONE_NEUTRAL,
	REPORT_TONE_GOOD,	/* e.g. positive headroom */
	REPORT_TONE_BAD		/* e.g. negative headroom, high overspend risk */
};

/* One headline figure.  type is RCOL_MONEY (i), RCOL_PERCENT (d, a
 * fraction), RCOL_INT (i) or RCOL_TEXT (text). */
struct report_figure {
	char *label;
	enum rcol_type type;
	int64_t i;
	double d;
	char *text;
	char *note;		/* a short explanation under the value, or NULL */
	enum report_tone tone;
};

enum report_severity {
	REPORT_NOTE,		/* worth knowing */
	REPORT_WARNING,		/* needs a look */
	REPORT_ALERT		/* needs action */
};

struct report_flag {
	enum report_severity severity;
	char *text;
};

enum report_block_kind {
	REPORT_BLOCK_PARA,	/* text: one paragraph of plain text */
	REPORT_BLOCK_TABLE,	/* table, max_rows */
	REPORT_BLOCK_CHART	/* text: SVG markup from svg.h; caption */
};

struct report_block {
	enum report_block_kind kind;
	char *text;			/* owned */
	char *caption;			/* owned; CHART only */
	const struct rtable *table;	/* borrowed; TABLE only */
	size_t max_rows;		/* TABLE: rows shown in HTML/MD, 0 = all */
};

struct report_section {
	char *title;			/* owned */
	bool in_summary;		/* also written to summary.md */
	bool run_dependent;		/* differs from run to run (see REPORT_RUN_DEPENDENT_BEGIN) */
	struct report_block *blocks;
	size_t n_blocks, alloc_blocks;
};

struct report_doc {
	char *title;			/* owned */
	char *subtitle;			/* owned, may be NULL */
	int64_t generated;		/* Unix time shown as "generated" (UTC) */
	struct report_figure *figures;
	size_t n_figures, alloc_figures;
	struct report_flag *flags;
	size_t n_flags, alloc_flags;
	struct report_section *sections;
	size_t n_sections, alloc_sections;
};

/* Starts an empty document.  Release with report_doc_release(). */
void report_doc_init(struct report_doc *doc, const char *title);

/* Frees what doc holds (not the rtables it borrows). */
void report_doc_release(struct report_doc *doc);

/* Sets the line under the title (copied; NULL clears it). */
void report_doc_set_subtitle(struct report_doc *doc, const char *subtitle);

/* Headline figures, shown in the order added.  Strings are copied; note
 * may be NULL. */
void report_doc_add_money(struct report_doc *doc, const char *label,
			  int64_t pence, const char *note,
			  enum report_tone tone);
void report_doc_add_percent(struct report_doc *doc, const char *label,
			    double fraction, const char *note,
			    enum report_tone tone);
void report_doc_add_count(struct report_doc *doc, const char *label,
			  int64_t n, const char *note, enum report_tone tone);
void report_doc_add_text(struct report_doc *doc, const char *label,
			 const char *text, const char *note,
			 enum report_tone tone);

/*
 * Formats a headline figure's value for people, as a table cell of its
 * type would be ("£1,234.56", "12.5%", "1,234", text as is).  Returns
 * buf (RTABLE_BUFSZ bytes) or the figure's own text.
 */
const char *report_figure_format(const struct report_figure *f,
				 char buf[RTABLE_BUFSZ]);

/* Adds a flag (text copied; it may come from the input). */
void report_doc_add_flag(struct report_doc *doc, enum report_severity sev,
			 const char *text);

/* Adds a section and returns its index for the block functions. */
size_t report_doc_add_section(struct report_doc *doc, const char *title,
			      bool in_summary);

/*
 * Marks section sec as run-dependent: its content may differ between two
 * runs on the same inputs (e.g. the changes since the previous run).
 * The HTML and Markdown writers enclose it, like the generation times,
 * between REPORT_RUN_DEPENDENT_BEGIN and REPORT_RUN_DEPENDENT_END, so
 * that two reports can be compared after removing what lies between the
 * markers.  Input text can never produce a marker: writers escape '<'.
 */
#define REPORT_RUN_DEPENDENT_BEGIN "<!-- pcbudget:run-dependent -->"
#define REPORT_RUN_DEPENDENT_END "<!-- /pcbudget:run-dependent -->"
void report_doc_mark_run_dependent(struct report_doc *doc, size_t sec);

/* Adds a paragraph of plain text (copied) to section sec. */
void report_doc_add_para(struct report_doc *doc, size_t sec,
			 const char *text);

/*
 * Shows table t (borrowed: it must outlive doc) in section sec, at most
 * max_rows rows in HTML and Markdown (0 = all; the CSV and XLSX files
 * always have every row, and the page says so when rows are cut).
 */
void report_doc_add_table(struct report_doc *doc, size_t sec,
			  const struct rtable *t, size_t max_rows);

/*
 * Adds a chart to section sec, taking ownership of svg, which must be
 * markup produced by svg.h (it is embedded as is; svg.h has escaped
 * every text in it).  caption is copied.
 */
void report_doc_take_chart(struct report_doc *doc, size_t sec,
			   const char *caption, char *svg);

/* ------------------------------------------------------------------ */
/* the writers                                                          */

/*
 * Writes t as RFC 4180 CSV to path: UTF-8 without a BOM, CRLF line ends,
 * a header line of the column names, then one line per row.  Values are
 * formatted with RFMT_PLAIN; only TEXT cells (and CODE cells that start
 * with a formula trigger) are neutralised, so "-12.50" in a MONEY column
 * stays a number.
 */
enum status report_csv_write(const char *path, const struct rtable *t);

/*
 * Writes summary.md-style Markdown: title, headline figures, flags, and
 * the paragraphs and tables of sections with in_summary set (charts are
 * left to the HTML).  All document text is Markdown-escaped.
 */
enum status report_md_write(const char *path, const struct report_doc *doc);

/*
 * Writes the whole document as one self-contained HTML5 page: inline
 * CSS (screen and print), inline SVG charts, no scripts, no external
 * resources (a Content-Security-Policy forbids them), every text
 * HTML-escaped.  version is shown in the footer.
 */
enum status report_html_write(const char *path, const struct report_doc *doc,
			      const char *version);

/*
 * Writes an XLSX workbook with libxlsxwriter: one sheet per table, in
 * order, named after the table; header row bold and frozen, autofilter
 * over the data, column widths from the content; numbers as numbers
 * (money in pounds with the format "£"#,##0.00, percentages as
 * fractions with a % format, dates as Excel dates), text as strings
 * (never formulas).  created (Unix time) is stored as the creation date
 * so the same inputs give the same bytes.  Returns ST_DATA if a table
 * has more rows or columns, or a text more characters, than Excel holds.
 */
enum status report_xlsx_write(const char *path,
			      const struct rtable *const *tables, size_t n,
			      const char *title, int64_t created);

/* Money control total of an input, named by the pipeline. */
struct report_total {
	const char *name;	/* e.g. "total_paid" */
	int64_t pence;
};

struct report_input {
	const char *path;	/* as given; hashed by the manifest writer */
	const char *role;	/* e.g. "payments 2016/17", "parameters" */
	int64_t rows;		/* data rows read; -1 = not applicable */
	const struct report_total *totals;
	size_t n_totals;
};

/* A resolved parameter: where its value came from. */
struct report_param {
	const char *section;
	const char *key;
	const char *value;	/* as text, e.g. "80.59" */
	const char *origin;	/* "params.ini:12" or "default" */
	const char *source;	/* where the default comes from ("methodology §3 [V]"), or NULL */
};

struct report_kv {
	const char *key;
	const char *value;
};

struct report_manifest {
	const char *tool_version;
	int argc;
	char *const *argv;		/* the command line, argv[0] included */
	int64_t started;		/* Unix time the run started */
	int64_t finished;		/* Unix time it finished; 0 = now */
	const struct report_kv *info;	/* e.g. mode, dataset, year */
	size_t n_info;
	bool has_seed;			/* false: the run drew no random numbers */
	uint64_t seed;
	const char *generator;		/* e.g. "taus2" */
	const struct report_param *params;
	size_t n_params;
	const struct report_input *inputs;
	size_t n_inputs;
	const struct rtable *const *tables;	/* row counts, money totals */
	size_t n_tables;
};

/*
 * Writes dir/manifest.json (jansson, sorted keys, indented): the fields
 * of m, the size and SHA-256 of every input, and of every regular file
 * already in dir (the outputs, sorted by name; hidden files and
 * manifest.json itself excluded, which the manifest says), and for
 * each table its row count and the total of each money column.  Money
 * is written as integer pence, never as a floating-point number.  Write
 * it last.  Returns ST_NOINPUT if an input cannot be read, ST_INTERNAL
 * if a money total overflows int64.
 */
enum status report_manifest_write(const char *dir,
				  const struct report_manifest *m);

/*
 * Writes the whole report folder at out_dir: every table as CSV, the
 * workbook, the HTML page, the Markdown summary and the manifest (whose
 * tables are `tables`, overriding m->tables), into a temporary sibling
 * folder that replaces out_dir atomically only when everything
 * succeeded (see reportdir.h).  On failure out_dir is left as it was
 * and the temporary folder is removed.  Table names must be unique.
 */
enum status report_folder_write(const char *out_dir,
				const struct report_doc *doc,
				const struct rtable *const *tables,
				size_t n_tables,
				const struct report_manifest *m);

/*
 * "reports/<dataset>-<year>": the default folder for a run, with
 * anything but [A-Za-z0-9] in dataset and year turned into '-' (so
 * "2017/18" becomes "2017-18").  Release with free().
 */
char *report_default_dir(const char *dataset, const char *year);

/*
 * Hashes the file at path with SHA-256 (nettle) into hex (64 lowercase
 * hex digits and a NUL) and its size into *bytes.  Returns ST_OK, or
 * ST_NOINPUT after reporting "cannot read '<path>': <reason>".
 */
enum status report_sha256_file(const char *path, char hex[65],
			       uint64_t *bytes);

/* Formats Unix time t as "YYYY-MM-DDTHH:MM:SSZ" into buf (32 bytes). */
char *report_iso8601(int64_t t, char buf[32]);

#endif

/*
 * payments.h - NHS Payments to General Practice: from one published
 * yearly file, already read into a csv_table, to one record per
 * practice with exact pence per budget category, checked against the
 * published control total, and summed per CCG.
 *
 * Where it sits: csv_read_file() -> pay_layout_build() (header ->
 * column roles, by normalised name from the column table) ->
 * pay_year_load() (rows -> struct pay_practice; reconciliation) ->
 * pay_year_ccgs() (CCG totals, called by pay_year_load()) -> payments_io
 * (files, reports).
 * Nothing here opens a file; every problem with the data is reported
 * through diag with the file, line and column of the cell.
 *
 * Money is int64 pence; list sizes are int64 billionths of a patient
 * (PAY_LIST_DECIMALS decimals: 2015/16 weighted lists carry nine).
 * Text handed out is borrowed from the struct that holds it.
 */
#ifndef PCBUDGET_PAYMENTS_H
#define PCBUDGET_PAYMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvread.h"
#include "status.h"

#define PAY_LIST_DECIMALS 9

/* Readable bytes after a year's last text, so writers may copy 16 at a time. */
#define PAY_POOL_SLACK 16

/*
 * The amounts kept for a practice (or summed for a CCG).  The first
 * PAY_N_CATS are the parts of the published total and add up to it;
 * the first PAY_N_BUDGET are the delegated budget's categories.
 */
enum pay_money {
	PAY_CORE_CONTRACT,
	PAY_ENHANCED_SERVICES,
	PAY_QOF,
	PAY_PREMISES,
	PAY_DISCRETIONARY,
	PAY_OUT_OF_SCOPE,	/* inside the published total, outside the budget */
	PAY_MEMO_VI,		/* vaccination and immunisation (memo) */
	PAY_MEMO_LOCAL_ES,	/* local enhanced services (memo) */
	PAY_TOTAL_PUBLISHED,	/* "Total NHS Payments to General Practice" */
	PAY_DEDUCTIONS,		/* pensions, levies, prescription charges */
	PAY_PCN_OUTSIDE,	/* PCN columns right of the total (2020/21 on) */
	PAY_COVID_OUTSIDE,	/* covid columns right of the total */
	PAY_N_MONEY
};
#define PAY_N_CATS 6
#define PAY_N_BUDGET 5

/* Column names in the output: "core_contract", ..., "covid_outside_total". */
extern const char *const pay_money_names[PAY_N_MONEY];

/* Text kept for a practice. */
enum pay_text {
	PAY_REGION_CODE,
	PAY_CCG_CODE,
	PAY_CCG_NAME,
	PAY_PCN_CODE,
	PAY_PCN_NAME,
	PAY_PRACTICE_CODE,
	PAY_PRACTICE_NAME,
	PAY_N_TEXT
};

enum pay_contract {
	PAY_CONTRACT_ABSENT,	/* the file has no contract type column */
	PAY_GMS,
	PAY_PMS,
	PAY_APMS,
	PAY_CONTRACT_UNKNOWN	/* published as UNKNOWN/Unknown */
};

enum pay_dispensing {
	PAY_DISPENSING_ABSENT,
	PAY_DISPENSING_YES,
	PAY_DISPENSING_NO,
	PAY_DISPENSING_UNKNOWN
};

/* "GMS", "PMS", "APMS", "UNKNOWN" or "" (absent).  Static strings. */
const char *pay_contract_name(enum pay_contract c);
/* "yes", "no", "unknown" or "" (absent).  Static strings. */
const char *pay_dispensing_name(enum pay_dispensing d);

/*
 * The judgement calls of the data README: columns whose budget category
 * a user may choose.  Each group's columns go to group_cat[group].
 */
enum pay_group {
	PAY_GROUP_NONE,
	PAY_GROUP_VI,			/* vaccination and immunisation */
	PAY_GROUP_LOCAL_ES,		/* local enhanced services / incentive schemes */
	PAY_GROUP_PCN_PARTICIPATION,
	PAY_GROUP_OTHER_PAYMENTS,
	PAY_N_GROUPS
};

/*
 * An optional finer split of the parts of the total, for a method that
 * needs single payment lines (the payments-only budget).  classify() is
 * called once per column of each file with the column's normalised
 * header and its category (judgement calls resolved); it returns a
 * class in [0, n_classes) or -1 (not split).  Each practice then also
 * carries its amounts per class (pay_split_row()).
 */
struct pay_split {
	size_t n_classes;
	int (*classify)(const char *norm_header, enum pay_money category,
			void *ctx);
	void *ctx;
};

struct pay_options {
	enum pay_money group_cat[PAY_N_GROUPS];	/* each < PAY_N_CATS */
	const struct pay_split *split;	/* NULL = no split (the default) */
	/*
	 * Format each year's practice_history.csv rows on the thread that
	 * read the file, as soon as it has loaded (pay_read_years() ->
	 * pay_year.history_csv), so that formatting runs beside the reading
	 * of other files; then drop the practice records and all of the
	 * pool but the CCG codes and names (pay_year_drop_practices()),
	 * which nothing needs once they are formatted, so that the next file
	 * reuses their memory.  Off by default; import-payments sets it.
	 */
	bool format_history;
};

/*
 * The README's choices: V&I out of scope (reserved to NHS England),
 * local ES in enhanced_services, PCN Participation and Other Payments
 * out of scope.
 */
void pay_options_init(struct pay_options *o);

/* Name of a group for messages and the manifest ("vi", "local_es", ...). */
const char *pay_group_name(enum pay_group g);

/* ------------------------------------------------------------------ */
/* The column table: normalised header -> concept -> category          */

enum pay_role {
	PAY_ROLE_INFO,		/* known, not used (address, dates, ...) */
	PAY_ROLE_DERIVED,	/* a published total or average: never parsed */
	PAY_ROLE_TEXT,		/* one of enum pay_text */
	PAY_ROLE_CONTRACT,
	PAY_ROLE_DISPENSING,
	PAY_ROLE_REGISTERED,
	PAY_ROLE_WEIGHTED,
	PAY_ROLE_COMPONENT,	/* a payment inside the published total */
	PAY_ROLE_LES_PART,	/* a part of the local ES column (2015/16) */
	PAY_ROLE_TOTAL,
	PAY_ROLE_DEDUCTIONS,
	PAY_ROLE_PCN_OUTSIDE,
	PAY_ROLE_COVID_OUTSIDE
};

struct pay_colmap_entry {
	char *name;		/* normalised header */
	char *concept;
	char *category;		/* the token as written */
	char *requires;		/* normalised header that must also be present, or NULL */
	enum pay_role role;
	int target;		/* enum pay_text or enum pay_money (components) */
	enum pay_group group;	/* components only */
	unsigned long line;	/* in the table's source */
};

struct pay_colmap {
	char *source;		/* "built-in" or the path it came from */
	struct pay_colmap_entry *e;
	size_t n, alloc;
};

void pay_colmap_init(struct pay_colmap *m);
void pay_colmap_release(struct pay_colmap *m);

/*
 * Fills m (initialised, empty) from a column table already read into t:
 * a header "header,concept,category[,requires]" and one row per known
 * spelling.  Header spellings are normalised as csv_normalise_name()
 * does.  Reports an unknown category token, a missing column, or the
 * same (header, requires) pair twice, each at its cell, and returns
 * ST_CONFIG; m is released on error.
 */
enum status pay_colmap_from_table(struct pay_colmap *m,
				  const struct csv_table *t);

/* The list of category tokens accepted in the table, for help texts. */
extern const char pay_category_tokens[];

/* ------------------------------------------------------------------ */
/* One file's header, resolved                                          */

struct pay_col {
	enum pay_role role;
	int target;		/* text field or money index */
	bool is_vi;		/* also summed into PAY_MEMO_VI */
	bool is_local_es;	/* also summed into PAY_MEMO_LOCAL_ES */
};

/*
 * The work for one column holding an amount, worked out once per file:
 * the row loop adds the cell into slots of the row's sums (see
 * pay_layout_build()) or, for a published figure, sets one.
 */
struct pay_amount_op {
	uint32_t col;
	int32_t split;		/* split class, or -1 */
	uint8_t set;		/* 1: the value is the slot's, not added to it */
	uint8_t in_parts;	/* 1: also one of the parts of the total */
	uint8_t n_slots;	/* 1 to 3 */
	uint8_t slot[3];	/* PAY_SLOT_* or an enum pay_money */
};

/* Row sums beside the enum pay_money ones. */
enum { PAY_SLOT_LES_PARTS = PAY_N_MONEY, PAY_N_SLOTS };

struct pay_layout {
	size_t n_cols;
	struct pay_col *cols;	/* n_cols */
	long text_col[PAY_N_TEXT];	/* -1 if absent */
	long total_col, registered_col, weighted_col;
	size_t n_components;	/* columns inside the total */
	bool has[PAY_N_MONEY];	/* which amounts the file carries */
	bool has_pcn;		/* a PCN code column */
	long first_les_part;	/* column of the first local ES part, or -1 */
	struct pay_amount_op *ops;	/* what to do with each amount column */
	size_t n_ops;
	size_t *other_cols;	/* text, contract, dispensing, list sizes */
	size_t n_other_cols;
	int *split_class;	/* per column, -1 = none (when split) */
	size_t n_split;		/* classes of the split, 0 = no split */
};

void pay_layout_init(struct pay_layout *l);
void pay_layout_release(struct pay_layout *l);

/*
 * Gives every column of t's header a role from the column table m
 * (rows whose `requires` column is present win over rows without), with
 * judgement-call groups resolved by o.  Reports at its header cell
 * "unknown column '...'" (with a note on how to map it), a second column
 * for a one-column role, and a missing required column (practice code,
 * CCG code and name, list sizes, total); returns ST_DATA on any of them
 * and releases l.
 */
enum status pay_layout_build(struct pay_layout *l, const struct csv_table *t,
			     const struct pay_colmap *m,
			     const struct pay_options *o);

/* ------------------------------------------------------------------ */
/* One year of practices                                                */

struct pay_practice {
	uint32_t text[PAY_N_TEXT];	/* offsets into the year's pool */
	uint32_t line;			/* source line of the row */
	unsigned char contract;		/* enum pay_contract */
	unsigned char dispensing;	/* enum pay_dispensing */
	uint32_t split_row;		/* row of y->split (when split) */
	int64_t registered, weighted;	/* 10^-9 patients */
	int64_t m[PAY_N_MONEY];
};

struct pay_ccg {
	const char *code, *name;	/* borrowed from the year */
	size_t practices;
	int64_t registered, weighted;	/* 10^-9 patients */
	int64_t m[PAY_N_MONEY];
};

struct pay_rounding {
	uint32_t ccg;		/* pool offset of the CCG code */
	size_t practices;	/* practices whose parts differ from the total */
	int64_t diff;		/* sum of (parts - total), pence */
};

struct pay_year {
	char *path;		/* owned copy, for messages */
	int start;		/* 2016 for 2016/17 */
	char label[8];		/* "2016/17" */
	struct pay_practice *p;	/* sorted by CCG code, then practice code;
				 * NULL after format_history (n still counts) */
	size_t n, alloc;
	char *pool;		/* NUL-terminated strings; offset 0 is "";
				 * PAY_POOL_SLACK zero bytes follow the last */
	size_t pool_len, pool_alloc;
	bool has[PAY_N_MONEY];
	bool has_pcn;
	bool whole_pounds;	/* every amount in the file is whole pounds */
	int64_t parts_sum;	/* every in-total cell of the file, summed */
	struct pay_rounding *rounding;	/* whole-pound files: per CCG */
	size_t n_rounding;
	struct pay_ccg *ccgs;	/* CCG totals in code order (pay_year_ccgs) */
	size_t n_ccgs;
	struct pay_ccg national;	/* all CCGs summed */
	int64_t *split;		/* n_split amounts per practice, or NULL */
	size_t n_split;
	char *history_csv;	/* the year's practice_history.csv rows, or NULL */
	size_t history_csv_len;	/* (pay_options.format_history) */
	size_t history_csv_alloc;	/* the size of its buffer */
};

/* The split amounts of practice p (n_split of them), or NULL. */
static inline const int64_t *pay_split_row(const struct pay_year *y,
					   const struct pay_practice *p)
{
	return y->split ? y->split + (size_t)p->split_row * y->n_split : NULL;
}

void pay_year_init(struct pay_year *y);
void pay_year_release(struct pay_year *y);

/* The text field f of practice p (borrowed from y). */
static inline const char *pay_text(const struct pay_year *y,
				   const struct pay_practice *p,
				   enum pay_text f)
{
	return y->pool + p->text[f];
}

/*
 * Finds the financial year in a file name: "16-17.csv" or
 * "payments-2016-17.csv" -> 2016 (the second year must follow the
 * first).  Returns the start year, or -1 if the name holds none.
 */
int pay_year_from_name(const char *path);

/*
 * Parses a financial year written "2016/17" (the second year must
 * follow the first).  Returns the start year, or -1.
 */
int pay_parse_year(const char *s);

/* Writes "2016/17" for start 2016 into buf (at least 8 bytes). */
void pay_year_label(int start, char *buf);

/*
 * Parses every row of t (laid out as l) into y, which must be
 * initialised and empty, for the financial year starting in `start`.
 * Checks, reporting each at its cell and carrying on to the end or the
 * error cap: amounts (money_parse, no rounding), list sizes, contract
 * type and dispensing values, empty practice or CCG codes, a practice
 * listed twice, a CCG code with two names, the local ES parts against
 * their total, and the control total: the parts of each practice must
 * add up to the published total to the penny, except in a file where
 * every amount is whole pounds, where a difference within the rounding
 * of the amounts involved is kept in y->rounding (per CCG) instead.
 * Then sorts the practices by CCG and practice code and sums them per
 * CCG and nationally (pay_year_ccgs(), pay_national()).  Returns ST_OK,
 * ST_DATA or ST_INTERNAL (a failed control check); y is released on
 * error.
 */
enum status pay_year_load(struct pay_year *y, const struct csv_table *t,
			  const struct pay_layout *l, int start);

/*
 * The same, a row at a time, for rows streamed from the file
 * (csv_stream_file()) so that the file is never held as a table:
 * pay_load_begin() when the header is known (t holds at least the
 * header; max_rows is a hint for the sizes, rows beyond it are fine),
 * pay_load_row() for each data row (row: t->n_cols cells laid out as
 * t's header; their text is only read during the call; returns false
 * once the error cap is reached, when the caller should stop), then
 * pay_load_end() once, with the status of the read itself, which frees
 * the loader and returns as pay_year_load() does (the worst of read_st
 * and what the rows showed; y released unless ST_OK).  t must live
 * until pay_load_end() unless read_st is not ST_OK (a failed read
 * releases its table; the control totals are then not settled, as the
 * file is already refused).
 */
struct pay_loader;

struct pay_loader *pay_load_begin(struct pay_year *y,
				  const struct csv_table *t,
				  const struct pay_layout *l, int start,
				  size_t max_rows);
bool pay_load_row(struct pay_loader *ld, const struct csv_cell *row);
enum status pay_load_end(struct pay_loader *ld, enum status read_st);

/*
 * pay_load_row() for a row still in its line (csv_sink.plain): line[0..
 * len), without its line end, at line lineno, with CSV_STREAM_PAD
 * readable bytes after it.  Loads the row and returns 1 only if it is
 * plain (no quote, CR, NUL or non-ASCII byte, as many fields as the
 * header) and pay_load_row() would find nothing to report in it; else
 * changes nothing that matters and returns 0, and the row must go to
 * pay_load_row() as cells, which reports what is wrong.  The year is the
 * same either way (tested, and fuzzed, against pay_year_load()).
 */
int pay_load_plain(struct pay_loader *ld, const char *line, size_t len,
		   unsigned long lineno);

/* ------------------------------------------------------------------ */
/* CCG totals                                                            */


/*
 * Sums y's practices per CCG into *out (allocated, in CCG code order;
 * free() it), *n_out CCGs.  Then checks the sums both ways: per CCG and
 * nationally the categories must add up to what was read (the parts of
 * the total, cell by cell) and the published totals to their own sum.
 * Returns ST_OK, or ST_INTERNAL after reporting a failed check (a bug)
 * or ST_DATA if a sum overflows.
 */
enum status pay_year_ccgs(const struct pay_year *y, struct pay_ccg **out,
			  size_t *n_out);

/*
 * For a year whose rows are formatted (pay_options.format_history):
 * frees its practice records (y->p and y->split become NULL; y->n still
 * counts the practices) and keeps in its pool only the CCG codes and
 * names of y->ccgs, which y->ccgs and y->rounding are made to point at,
 * so that the year holds kilobytes instead of a megabyte.
 */
void pay_year_drop_practices(struct pay_year *y);

/* Sums every CCG in ccgs[0..n) into one national row (code "ENGLAND"). */
void pay_national(const struct pay_ccg *ccgs, size_t n, struct pay_ccg *nat);

#endif

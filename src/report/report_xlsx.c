/*
 * report_xlsx.c - pcbudget.xlsx: every report table as a sheet of one
 * workbook, written with libxlsxwriter.
 *
 * Part of the report folder (report.h).  Numbers are stored as numbers
 * with a number format (money in pounds as "£"#,##0.00, percentages as
 * fractions with a % format, dates as Excel serial dates), so the
 * finance team can sum and filter them; text is always stored with
 * worksheet_write_string(), which puts it in the shared string table and
 * never in a formula, whatever it starts with.  The header row is bold
 * and frozen, an autofilter covers the data, and columns are sized to
 * their content.  The creation date comes from the caller, so the same
 * inputs give byte-identical workbooks (libxlsxwriter stamps every zip
 * entry 1980-01-01).
 *
 * Excel stores numbers as doubles: money up to about £90 billion is
 * exact to the penny there; the CSV files carry the exact digits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xlsx_lib.h"

#include "diag.h"
#include "report.h"
#include "xalloc.h"

#define MONEY_FORMAT "\"£\"#,##0.00;[Red]-\"£\"#,##0.00"
#define EXCEL_MAX_ROWS 1048576
#define EXCEL_MAX_COLS 16384
#define EXCEL_MAX_TEXT 32767
#define EXCEL_EPOCH_DAYS 25569	/* serial number of 1970-01-01 */

struct formats {
	const struct xlsx_api *x;	/* the library's functions */
	lxw_workbook *wb;
	lxw_format *header;
	/* [type][decimals][bold] created on first use */
	lxw_format *cell[RCOL_DATE + 1][19][2];
};

static lxw_format *cell_format(struct formats *f, enum rcol_type type,
			       unsigned decimals, bool bold)
{
	const struct xlsx_api *X = f->x;
	lxw_format **slot = &f->cell[type][decimals][bold];
	char num[64];

	if (*slot)
		return *slot;
	*slot = X->workbook_add_format(f->wb);
	if (bold)
		X->format_set_bold(*slot);
	X->format_set_align(*slot, LXW_ALIGN_VERTICAL_TOP);
	switch (type) {
	case RCOL_TEXT:
	case RCOL_CODE:
		break;
	case RCOL_INT:
		X->format_set_num_format(*slot, "#,##0");
		break;
	case RCOL_MONEY:
		X->format_set_num_format(*slot, MONEY_FORMAT);
		break;
	case RCOL_FIXED:
	case RCOL_PERCENT:
		snprintf(num, sizeof(num), "%s%s%.*s%s",
			 type == RCOL_FIXED ? "#,##0" : "0",
			 decimals ? "." : "", (int)decimals,
			 "000000000000000000", type == RCOL_PERCENT ? "%" : "");
		X->format_set_num_format(*slot, num);
		break;
	case RCOL_DATE:
		X->format_set_num_format(*slot, "yyyy-mm-dd");
		break;
	}
	return *slot;
}

/* Characters in a UTF-8 string (for column widths). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static enum status too_big(const char *path, const struct rtable *t,
			   const char *what)
{
	diag_error("cannot write '%s': table '%s' %s", path, t->name, what);
	return ST_DATA;
}

/* Writes one cell; returns the libxlsxwriter error. */
static lxw_error write_cell(lxw_worksheet *ws, struct formats *f,
			    const struct rtable *t, size_t r, size_t c,
			    bool bold)
{
	const struct xlsx_api *X = f->x;
	const struct rcol *col = &t->cols[c];
	const struct rcell *cell = rtable_cell(t, r, c);
	lxw_format *fmt = cell_format(f, col->type, col->decimals, bold);
	lxw_row_t row = (lxw_row_t)(r + 1);
	lxw_col_t cc = (lxw_col_t)c;
	char buf[RTABLE_BUFSZ];
	double serial;

	if (!cell->is_set)
		return bold ? X->worksheet_write_blank(ws, row, cc, fmt) : LXW_NO_ERROR;
	switch (col->type) {
	case RCOL_TEXT:
	case RCOL_CODE:
		return X->worksheet_write_string(ws, row, cc, cell->v.s, fmt);
	case RCOL_INT:
	case RCOL_MONEY:
	case RCOL_FIXED:
	case RCOL_PERCENT:
		return X->worksheet_write_number(ws, row, cc, rtable_number(t, r, c),
					      fmt);
	case RCOL_DATE:
		/* Excel dates run from 1900-03-01 (serial 61) to 9999-12-31 */
		serial = (double)cell->v.i + EXCEL_EPOCH_DAYS;
		if (serial >= 61 && serial <= 2958465)
			return X->worksheet_write_number(ws, row, cc, serial, fmt);
		return X->worksheet_write_string(ws, row, cc,
					      rtable_format(t, r, c, RFMT_PLAIN,
							    buf),
					      cell_format(f, RCOL_TEXT, 0, bold));
	}
	return LXW_NO_ERROR;
}

static enum status add_sheet(lxw_workbook *wb, struct formats *f,
			     const struct rtable *t, const char *path)
{
	const struct xlsx_api *X = f->x;
	lxw_worksheet *ws;
	size_t *width;
	char buf[RTABLE_BUFSZ];
	lxw_error err = LXW_NO_ERROR;

	if (t->n_rows + 1 > EXCEL_MAX_ROWS)
		return too_big(path, t, "has more rows than an Excel sheet "
			       "holds (1,048,575)");
	if (t->n_cols > EXCEL_MAX_COLS)
		return too_big(path, t, "has more columns than an Excel sheet "
			       "holds (16,384)");
	ws = X->workbook_add_worksheet(wb, t->name);
	if (!ws) {
		diag_error("cannot write '%s': duplicate or invalid sheet "
			   "name '%s'", path, t->name);
		return ST_INTERNAL;
	}
	width = xcalloc(t->n_cols ? t->n_cols : 1, sizeof(*width));
	for (size_t c = 0; c < t->n_cols; c++) {
		width[c] = chars(t->cols[c].header);
		if (width[c] > 24)	/* long headers wrap instead */
			width[c] = 24;
		err = X->worksheet_write_string(ws, 0, (lxw_col_t)c,
					     t->cols[c].header, f->header);
		if (err)
			goto fail;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		bool bold = t->row_flags[r] & RROW_TOTAL;

		for (size_t c = 0; c < t->n_cols; c++) {
			const struct rcell *cell = rtable_cell(t, r, c);
			size_t w;

			if (cell->is_set && (t->cols[c].type == RCOL_TEXT ||
					     t->cols[c].type == RCOL_CODE) &&
			    chars(cell->v.s) > EXCEL_MAX_TEXT) {
				free(width);
				diag_error("cannot write '%s': table '%s' row %zu "
					   "column '%s' has more than 32,767 "
					   "characters, more than an Excel cell "
					   "holds", path, t->name, r + 1,
					   t->cols[c].name);
				return ST_DATA;
			}
			err = write_cell(ws, f, t, r, c, bold);
			if (err)
				goto fail;
			w = chars(rtable_format(t, r, c, RFMT_DISPLAY, buf));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t c = 0; c < t->n_cols; c++) {
		double w = (double)(width[c] + 2);

		X->worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
				     w < 8 ? 8 : w > 60 ? 60 : w, NULL);
	}
	free(width);
	X->worksheet_freeze_panes(ws, 1, 0);
	if (t->n_cols)
		err = X->worksheet_autofilter(ws, 0, 0, (lxw_row_t)t->n_rows,
					   (lxw_col_t)(t->n_cols - 1));
	if (err)
		goto fail_nofree;
	X->worksheet_set_landscape(ws);
	X->worksheet_set_paper(ws, 9);	/* A4 */
	X->worksheet_fit_to_pages(ws, 1, 0);
	X->worksheet_repeat_rows(ws, 0, 0);
	return ST_OK;
fail:
	free(width);
fail_nofree:
	diag_error("cannot write '%s': sheet '%s': %s", path, t->name,
		   X->lxw_strerror(err));
	return ST_INTERNAL;
}

static int fsync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * workbook_close() with libxlsxwriter's own "[ERROR] ..." lines kept off
 * standard error: the library prints them unconditionally, and our one
 * located message below says the same.  The errno of a failed write is
 * kept for that message.  Runs on the main thread only (it redirects the
 * process's fd 2 for the duration of the call).
 */
static lxw_error quiet_close(const struct xlsx_api *X, lxw_workbook *wb,
			     int *saved_errno)
{
	int keep, null;
	lxw_error err;

	fflush(stderr);
	keep = dup(2);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (keep >= 0 && null >= 0)
		dup2(null, 2);
	errno = 0;
	err = X->workbook_close(wb);
	*saved_errno = err != LXW_NO_ERROR ? errno : 0;
	fflush(stderr);
	if (keep >= 0 && null >= 0)
		dup2(keep, 2);
	if (keep >= 0)
		close(keep);
	if (null >= 0)
		close(null);
	return err;
}

enum status report_xlsx_write(const char *path,
			      const struct rtable *const *tables, size_t n,
			      const char *title, int64_t created)
{
	const struct xlsx_api *X = xlsx_api();
	char *tmp;
	lxw_workbook_options opts = { .constant_memory = LXW_FALSE,
				      .tmpdir = NULL,
				      .use_zip64 = LXW_FALSE };
	lxw_doc_properties props;
	struct formats *f = NULL;
	lxw_workbook *wb;
	lxw_error err;
	int close_errno = 0;
	enum status st = ST_OK;
	char *title_copy = xstrdup(title ? title : "pcbudget report");
	char author[] = "pcbudget";
	char comments[] = "Generated by pcbudget; exact figures in the CSV files";

	if (!X) {
		free(title_copy);
		return ST_NOOUTPUT;	/* said by xlsx_api() */
	}
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(tables[i]->name, tables[j]->name))
				BUG("report_xlsx_write: duplicate table '%s'",
				    tables[i]->name);
	wb = X->workbook_new_opt(tmp, &opts);
	if (!wb) {
		diag_error("cannot create '%s': %s", path, strerror(errno));
		st = ST_NOOUTPUT;
		goto out;
	}
	memset(&props, 0, sizeof(props));
	props.title = title_copy;
	props.author = author;
	props.comments = comments;
	props.created = (time_t)created;
	X->workbook_set_properties(wb, &props);

	f = xcalloc(1, sizeof(*f));
	f->x = X;
	f->wb = wb;
	f->header = X->workbook_add_format(wb);
	X->format_set_bold(f->header);
	X->format_set_text_wrap(f->header);
	X->format_set_align(f->header, LXW_ALIGN_VERTICAL_TOP);
	X->format_set_bg_color(f->header, 0xDDEBF7);
	X->format_set_bottom(f->header, LXW_BORDER_THIN);

	for (size_t i = 0; i < n && st == ST_OK; i++)
		st = add_sheet(wb, f, tables[i], path);
	if (n == 0 && !X->workbook_add_worksheet(wb, "empty"))
		st = ST_INTERNAL;
	/* the workbook must be closed to free it, even after an error */
	err = quiet_close(X, wb, &close_errno);
	if (st != ST_OK) {
		unlink(tmp);
		goto out;
	}
	if (err != LXW_NO_ERROR) {
		/* a failed write (a full disk) is said as the system says it */
		diag_error("cannot write '%s': %s", path,
			   close_errno ? strerror(close_errno) : X->lxw_strerror(err));
		unlink(tmp);
		st = ST_IO;
		goto out;
	}
	if (fsync_file(tmp) != 0 || rename(tmp, path) != 0) {
		diag_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		st = ST_IO;
	}
out:
	free(f);
	free(title_copy);
	free(tmp);
	return st;
}

/*
 * report_md.c - summary.md: the headline and key tables for a board
 * paper, in Markdown.
 *
 * Part of the report folder (report.h).  Written from the same
 * report_doc as the HTML page, but only the title, the headline figures,
 * the flags and the sections marked in_summary; charts are left out.
 * Text from the input is escaped so it can neither start a Markdown
 * construct (heading, list, link, emphasis, table cell) nor become raw
 * HTML in a renderer that allows it.
 */
#include <string.h>

#include "outfile.h"
#include "report.h"
#include "sbuf.h"

/*
 * Appends s with Markdown punctuation backslash-escaped.  In a table
 * cell (in_cell) line breaks become spaces, since a cell is one line.
 */
static void md_text(struct sbuf *sb, const char *s, bool in_cell)
{
	/* block syntax (lists, headings) only starts a line, never a cell */
	bool line_start = !in_cell;

	for (; s && *s; s++) {
		char c = *s;

		if (c == '\r' || c == '\n') {
			if (in_cell) {
				sbuf_addch(sb, ' ');
			} else {
				if (c == '\r' && s[1] == '\n')
					s++;
				sbuf_puts(sb, "  \n");	/* hard line break */
				line_start = true;
			}
			continue;
		}
		if (strchr("\\`*_{}[]<>#|~&", c) ||
		    (line_start && (c == '-' || c == '+' || c == '=')))
			sbuf_addch(sb, '\\');
		else if (line_start && c >= '0' && c <= '9') {
			/* "1. " or "1) " would start an ordered list */
			size_t n = strspn(s, "0123456789");

			if (s[n] == '.' || s[n] == ')') {
				sbuf_add(sb, s, n);
				sbuf_addch(sb, '\\');
				s += n - 1;
				line_start = false;
				continue;
			}
		}
		if (c == '\t')
			c = ' ';
		sbuf_addch(sb, c);
		if (c != ' ')
			line_start = false;
	}
}

static bool is_numeric(enum rcol_type type)
{
	return type != RCOL_TEXT && type != RCOL_CODE;
}

static void md_table(struct sbuf *sb, const struct rtable *t, size_t max_rows)
{
	size_t shown = max_rows && max_rows < t->n_rows ? max_rows : t->n_rows;
	char buf[RTABLE_BUFSZ];

	sbuf_puts(sb, "**");
	md_text(sb, t->title, true);
	sbuf_puts(sb, "**\n\n|");
	for (size_t c = 0; c < t->n_cols; c++) {
		sbuf_addch(sb, ' ');
		md_text(sb, t->cols[c].header, true);
		sbuf_puts(sb, " |");
	}
	sbuf_puts(sb, "\n|");
	for (size_t c = 0; c < t->n_cols; c++)
		sbuf_puts(sb, is_numeric(t->cols[c].type) ? " ---: |" : " --- |");
	sbuf_addch(sb, '\n');
	for (size_t r = 0; r < shown; r++) {
		bool total = t->row_flags[r] & RROW_TOTAL;

		sbuf_addch(sb, '|');
		for (size_t c = 0; c < t->n_cols; c++) {
			const char *v = rtable_format(t, r, c, RFMT_DISPLAY, buf);

			sbuf_addch(sb, ' ');
			if (total && *v)
				sbuf_puts(sb, "**");
			md_text(sb, *v ? v : "–", true);
			if (total && *v)
				sbuf_puts(sb, "**");
			sbuf_puts(sb, " |");
		}
		sbuf_addch(sb, '\n');
	}
	if (shown < t->n_rows)
		sbuf_addf(sb, "\nShowing %zu of %zu rows; every row is in "
			  "`%s.csv` and pcbudget.xlsx.\n", shown, t->n_rows,
			  t->name);
	if (t->note) {
		sbuf_puts(sb, "\n_");
		md_text(sb, t->note, true);
		sbuf_puts(sb, "_\n");
	}
	sbuf_addch(sb, '\n');
}

static const char *severity_name(enum report_severity s)
{
	switch (s) {
	case REPORT_NOTE:
		return "Note";
	case REPORT_WARNING:
		return "Warning";
	case REPORT_ALERT:
		return "Alert";
	}
	return "Note";
}

enum status report_md_write(const char *path, const struct report_doc *doc)
{
	struct sbuf sb;
	struct outfile of;
	char when[32], buf[RTABLE_BUFSZ];
	enum status st;

	sbuf_init(&sb);
	sbuf_puts(&sb, "# ");
	md_text(&sb, doc->title, true);
	sbuf_puts(&sb, "\n\n");
	if (doc->subtitle) {
		md_text(&sb, doc->subtitle, false);
		sbuf_puts(&sb, "\n\n");
	}
	sbuf_addf(&sb, REPORT_RUN_DEPENDENT_BEGIN "Generated %s."
		  REPORT_RUN_DEPENDENT_END "\n\n", report_iso8601(doc->generated, when));
	if (doc->n_figures) {
		sbuf_puts(&sb, "## Headline\n\n| Figure | Value | Note |\n"
			       "| --- | ---: | --- |\n");
		for (size_t i = 0; i < doc->n_figures; i++) {
			const struct report_figure *f = &doc->figures[i];

			sbuf_puts(&sb, "| ");
			md_text(&sb, f->label, true);
			sbuf_puts(&sb, " | ");
			md_text(&sb, report_figure_format(f, buf), true);
			sbuf_puts(&sb, " | ");
			md_text(&sb, f->note ? f->note : "", true);
			sbuf_puts(&sb, " |\n");
		}
		sbuf_addch(&sb, '\n');
	}
	if (doc->n_flags) {
		sbuf_puts(&sb, "## Flags\n\n");
		for (size_t i = 0; i < doc->n_flags; i++) {
			sbuf_addf(&sb, "- **%s:** ",
				  severity_name(doc->flags[i].severity));
			md_text(&sb, doc->flags[i].text, true);
			sbuf_addch(&sb, '\n');
		}
		sbuf_addch(&sb, '\n');
	}
	for (size_t s = 0; s < doc->n_sections; s++) {
		const struct report_section *sec = &doc->sections[s];

		if (!sec->in_summary)
			continue;
		if (sec->run_dependent)
			sbuf_puts(&sb, REPORT_RUN_DEPENDENT_BEGIN "\n\n");
		sbuf_puts(&sb, "## ");
		md_text(&sb, sec->title, true);
		sbuf_puts(&sb, "\n\n");
		for (size_t b = 0; b < sec->n_blocks; b++) {
			const struct report_block *blk = &sec->blocks[b];

			switch (blk->kind) {
			case REPORT_BLOCK_PARA:
				md_text(&sb, blk->text, false);
				sbuf_puts(&sb, "\n\n");
				break;
			case REPORT_BLOCK_TABLE:
				md_table(&sb, blk->table, blk->max_rows);
				break;
			case REPORT_BLOCK_CHART:
				break;
			}
		}
		if (sec->run_dependent)
			sbuf_puts(&sb, REPORT_RUN_DEPENDENT_END "\n\n");
	}
	sbuf_puts(&sb, "Charts, every table and the methodology are in "
		       "report.html; exact figures in the CSV files and "
		       "pcbudget.xlsx.\n");
	st = outfile_open(&of, path);
	if (st == ST_OK) {
		outfile_write(&of, sb.buf, sb.len);
		st = outfile_close(&of);
	}
	sbuf_release(&sb);
	return st;
}

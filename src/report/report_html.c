/*
 * report_html.c - report.html: the whole report as one self-contained
 * page, for the screen and for print.
 *
 * Part of the report folder (report.h).  The page carries its own CSS
 * (with print rules: A4, headers repeated on each page, no row or chart
 * split across pages), its charts as inline SVG (svg.h), no scripts and
 * no external resources; a Content-Security-Policy meta tag forbids
 * them, so even a slip elsewhere could not make the browser fetch or run
 * anything.  Every string from the document is HTML-escaped with
 * sbuf_add_xml(), which is safe in element text and quoted attributes
 * alike; element ids are generated here, never taken from input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "report.h"
#include "sbuf.h"
#include "xalloc.h"

static const char css[] =
	":root{--ink:#1a1a1a;--muted:#555;--line:#d0d7de;--accent:#005eb8;"
	"--bad:#b3261e;--good:#1e7b34;--warn:#c68a00;--alt:#f5f7fa}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
	"Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}\n"
	"main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}\n"
	"header.report-head{border-bottom:4px solid var(--accent);"
	"margin-bottom:16px;padding-bottom:8px}\n"
	"h1{font-size:1.7rem;margin:0 0 4px;line-height:1.25}\n"
	"h2{font-size:1.3rem;margin:32px 0 10px;padding-bottom:4px;"
	"border-bottom:1px solid var(--line)}\n"
	".subtitle{margin:0;font-size:1.05rem}\n"
	".meta{color:var(--muted);font-size:.85rem;margin:4px 0 0}\n"
	"nav.toc{font-size:.9rem}\nnav.toc ol{columns:2;margin:4px 0;padding-left:1.4em}\n"
	"a{color:var(--accent)}\n"
	".figures{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(210px,1fr));gap:12px;margin:0}\n"
	".figure{border:1px solid var(--line);border-left:5px solid var(--accent);"
	"border-radius:4px;padding:10px 12px}\n"
	".figure dt{font-size:.85rem;color:var(--muted)}\n"
	".figure dd{margin:2px 0 0;font-size:1.35rem;font-weight:650;"
	"font-variant-numeric:tabular-nums}\n"
	".figure .note{display:block;font-size:.8rem;font-weight:400;"
	"color:var(--muted)}\n"
	".figure.bad{border-left-color:var(--bad)}\n.figure.bad dd{color:var(--bad)}\n"
	".figure.good{border-left-color:var(--good)}\n"
	".flags{list-style:none;padding:0;margin:0}\n"
	".flags li{padding:6px 10px;margin:4px 0;border-left:5px solid var(--accent);"
	"background:var(--alt)}\n"
	".flags li.alert{border-left-color:var(--bad)}\n"
	".flags li.warning{border-left-color:var(--warn)}\n"
	".badge{font-weight:700;margin-right:.4em}\n"
	".table-wrap{overflow-x:auto;margin:8px 0 16px}\n"
	"table{border-collapse:collapse;font-size:.9rem;"
	"font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:600;padding:4px 0 6px}\n"
	"th,td{padding:4px 10px;border-bottom:1px solid var(--line);"
	"vertical-align:top;text-align:left}\n"
	"thead th{background:#eef2f6;border-bottom:2px solid #9aa7b4}\n"
	"th.num,td.num{text-align:right;white-space:nowrap}\n"
	"td.code{white-space:nowrap}\n"
	"tbody tr:nth-child(even){background:#fafbfc}\n"
	"tr.total td{font-weight:700;border-top:2px solid #9aa7b4}\n"
	"td.neg{color:var(--bad)}\ntd.missing{color:#888}\n"
	".table-note,.cut{font-size:.85rem;color:var(--muted);margin:4px 0 0}\n"
	"figure.chart{margin:12px 0 20px}\n"
	"figure.chart svg{max-width:100%;height:auto;display:block;"
	"border:1px solid #e5e8eb}\n"
	"figcaption{font-size:.85rem;color:var(--muted);margin-top:4px}\n"
	"footer{margin-top:40px;padding-top:10px;border-top:1px solid var(--line);"
	"color:var(--muted);font-size:.85rem}\n"
	"@media print{\n"
	"@page{size:A4;margin:14mm 12mm}\n"
	"body{font-size:10pt}\nmain{max-width:none;padding:0}\n"
	"table{font-size:8.5pt}\nth,td{padding:2px 5px}\n"
	"nav.toc{display:none}\n"
	"h2{break-after:avoid;page-break-after:avoid}\n"
	"figure.chart,.figure,tr,.flags li{break-inside:avoid;"
	"page-break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	".table-wrap{overflow:visible}\n"
	"a{color:inherit;text-decoration:none}\n"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"}\n";

static void esc(struct sbuf *sb, const char *s)
{
	sbuf_add_xml(sb, s);
}

/* Escaped text with line breaks kept as <br>. */
static void esc_lines(struct sbuf *sb, const char *s)
{
	const char *nl;

	while (s && (nl = strchr(s, '\n')) != NULL) {
		char *line = NULL;
		size_t n = (size_t)(nl - s);

		if (n && s[n - 1] == '\r')
			n--;
		line = xmemdupz(s, n);
		esc(sb, line);
		free(line);
		sbuf_puts(sb, "<br>");
		s = nl + 1;
	}
	esc(sb, s);
}

static bool is_numeric(enum rcol_type type)
{
	return type != RCOL_TEXT && type != RCOL_CODE;
}

static bool is_negative(const struct rcol *col, const struct rcell *cell)
{
	if (!cell->is_set || !is_numeric(col->type) || col->type == RCOL_DATE)
		return false;
	if (col->type == RCOL_PERCENT && !cell->is_ppm)
		return cell->v.d < 0;
	return cell->v.i < 0;
}

static void html_table(struct sbuf *sb, const struct rtable *t,
		       size_t max_rows)
{
	size_t shown = max_rows && max_rows < t->n_rows ? max_rows : t->n_rows;
	char buf[RTABLE_BUFSZ];

	sbuf_puts(sb, "<div class=\"table-wrap\"><table>\n<caption>");
	esc(sb, t->title);
	sbuf_puts(sb, "</caption>\n<thead><tr>");
	for (size_t c = 0; c < t->n_cols; c++) {
		sbuf_addf(sb, "<th scope=\"col\"%s>", is_numeric(t->cols[c].type) ?
			  " class=\"num\"" : "");
		esc(sb, t->cols[c].header);
		sbuf_puts(sb, "</th>");
	}
	sbuf_puts(sb, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < shown; r++) {
		sbuf_puts(sb, t->row_flags[r] & RROW_TOTAL ?
			  "<tr class=\"total\">" : "<tr>");
		for (size_t c = 0; c < t->n_cols; c++) {
			const struct rcol *col = &t->cols[c];
			const struct rcell *cell = rtable_cell(t, r, c);
			const char *v = rtable_format(t, r, c, RFMT_DISPLAY, buf);
			const char *cls = !cell->is_set ? "missing" :
				is_negative(col, cell) ? "num neg" :
				is_numeric(col->type) ? "num" :
				col->type == RCOL_CODE ? "code" : NULL;

			if (!cell->is_set && is_numeric(col->type))
				cls = "num missing";
			if (cls)
				sbuf_addf(sb, "<td class=\"%s\">", cls);
			else
				sbuf_puts(sb, "<td>");
			if (cell->is_set)
				esc(sb, v);
			else
				sbuf_puts(sb, "<span aria-label=\"no value\">–</span>");
			sbuf_puts(sb, "</td>");
		}
		sbuf_puts(sb, "</tr>\n");
	}
	sbuf_puts(sb, "</tbody>\n</table></div>\n");
	if (shown < t->n_rows) {
		sbuf_addf(sb, "<p class=\"cut\">Showing the first %zu of %zu rows; "
			  "every row is in <code>", shown, t->n_rows);
		esc(sb, t->name);
		sbuf_puts(sb, ".csv</code> and on the sheet <code>");
		esc(sb, t->name);
		sbuf_puts(sb, "</code> of <code>pcbudget.xlsx</code>.</p>\n");
	}
	if (t->note) {
		sbuf_puts(sb, "<p class=\"table-note\">");
		esc_lines(sb, t->note);
		sbuf_puts(sb, "</p>\n");
	}
}

static const char *tone_class(enum report_tone tone)
{
	switch (tone) {
	case REPORT_TONE_NEUTRAL:
		return "figure";
	case REPORT_TONE_GOOD:
		return "figure good";
	case REPORT_TONE_BAD:
		return "figure bad";
	}
	return "figure";
}

static void severity(enum report_severity s, const char **cls,
		     const char **name)
{
	switch (s) {
	case REPORT_NOTE:
		*cls = "note";
		*name = "Note";
		return;
	case REPORT_WARNING:
		*cls = "warning";
		*name = "Warning";
		return;
	case REPORT_ALERT:
		*cls = "alert";
		*name = "Alert";
		return;
	}
	*cls = "note";
	*name = "Note";
}

static void html_doc(struct sbuf *sb, const struct report_doc *doc,
		     const char *version)
{
	char when[32], buf[RTABLE_BUFSZ];

	sbuf_puts(sb, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, "
		      "initial-scale=1\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\""
		      "default-src 'none'; style-src 'unsafe-inline'; "
		      "img-src data:; base-uri 'none'; form-action 'none'\">\n"
		      "<meta name=\"generator\" content=\"pcbudget ");
	esc(sb, version);
	sbuf_puts(sb, "\">\n<title>");
	esc(sb, doc->title);
	sbuf_puts(sb, "</title>\n<style>\n");
	sbuf_puts(sb, css);
	sbuf_puts(sb, "</style>\n</head>\n<body>\n<main>\n"
		      "<header class=\"report-head\">\n<h1>");
	esc(sb, doc->title);
	sbuf_puts(sb, "</h1>\n");
	if (doc->subtitle) {
		sbuf_puts(sb, "<p class=\"subtitle\">");
		esc(sb, doc->subtitle);
		sbuf_puts(sb, "</p>\n");
	}
	sbuf_addf(sb, "<p class=\"meta\">" REPORT_RUN_DEPENDENT_BEGIN "Generated "
		  "<time datetime=\"%s\">%s</time>" REPORT_RUN_DEPENDENT_END
		  " by pcbudget ", report_iso8601(doc->generated, when), when);
	esc(sb, version);
	sbuf_puts(sb, ".</p>\n</header>\n");

	/* contents */
	sbuf_puts(sb, "<nav class=\"toc\" aria-label=\"Contents\"><strong>"
		      "Contents</strong><ol>\n");
	if (doc->n_figures)
		sbuf_puts(sb, "<li><a href=\"#headline\">Headline</a></li>\n");
	if (doc->n_flags)
		sbuf_puts(sb, "<li><a href=\"#flags\">Flags</a></li>\n");
	for (size_t s = 0; s < doc->n_sections; s++) {
		sbuf_addf(sb, "<li><a href=\"#sec-%zu\">", s + 1);
		esc(sb, doc->sections[s].title);
		sbuf_puts(sb, "</a></li>\n");
	}
	sbuf_puts(sb, "</ol></nav>\n");

	if (doc->n_figures) {
		sbuf_puts(sb, "<section id=\"headline\">\n<h2>Headline</h2>\n"
			      "<dl class=\"figures\">\n");
		for (size_t i = 0; i < doc->n_figures; i++) {
			const struct report_figure *f = &doc->figures[i];

			sbuf_addf(sb, "<div class=\"%s\"><dt>", tone_class(f->tone));
			esc(sb, f->label);
			sbuf_puts(sb, "</dt><dd>");
			esc(sb, report_figure_format(f, buf));
			if (f->note) {
				sbuf_puts(sb, "<span class=\"note\">");
				esc(sb, f->note);
				sbuf_puts(sb, "</span>");
			}
			sbuf_puts(sb, "</dd></div>\n");
		}
		sbuf_puts(sb, "</dl>\n</section>\n");
	}
	if (doc->n_flags) {
		sbuf_puts(sb, "<section id=\"flags\">\n<h2>Flags</h2>\n"
			      "<ul class=\"flags\">\n");
		for (size_t i = 0; i < doc->n_flags; i++) {
			const char *cls, *name;

			severity(doc->flags[i].severity, &cls, &name);
			sbuf_addf(sb, "<li class=\"%s\"><span class=\"badge\">%s:"
				  "</span>", cls, name);
			esc(sb, doc->flags[i].text);
			sbuf_puts(sb, "</li>\n");
		}
		sbuf_puts(sb, "</ul>\n</section>\n");
	}
	for (size_t s = 0; s < doc->n_sections; s++) {
		const struct report_section *sec = &doc->sections[s];

		if (sec->run_dependent)
			sbuf_puts(sb, REPORT_RUN_DEPENDENT_BEGIN "\n");
		sbuf_addf(sb, "<section id=\"sec-%zu\">\n<h2>", s + 1);
		esc(sb, sec->title);
		sbuf_puts(sb, "</h2>\n");
		for (size_t b = 0; b < sec->n_blocks; b++) {
			const struct report_block *blk = &sec->blocks[b];

			switch (blk->kind) {
			case REPORT_BLOCK_PARA:
				sbuf_puts(sb, "<p>");
				esc_lines(sb, blk->text);
				sbuf_puts(sb, "</p>\n");
				break;
			case REPORT_BLOCK_TABLE:
				html_table(sb, blk->table, blk->max_rows);
				break;
			case REPORT_BLOCK_CHART:
				sbuf_puts(sb, "<figure class=\"chart\">\n");
				sbuf_puts(sb, blk->text);	/* from svg.h */
				if (blk->caption) {
					sbuf_puts(sb, "<figcaption>");
					esc(sb, blk->caption);
					sbuf_puts(sb, "</figcaption>\n");
				}
				sbuf_puts(sb, "</figure>\n");
				break;
			}
		}
		sbuf_puts(sb, "</section>\n");
		if (sec->run_dependent)
			sbuf_puts(sb, REPORT_RUN_DEPENDENT_END "\n");
	}
	sbuf_puts(sb, "<footer>\n<p>Generated by pcbudget ");
	esc(sb, version);
	sbuf_addf(sb, REPORT_RUN_DEPENDENT_BEGIN " at %s" REPORT_RUN_DEPENDENT_END
		  ". Figures are in pounds sterling; the CSV files "
		  "and pcbudget.xlsx hold every value exact to the penny, and "
		  "manifest.json records the inputs, parameters and checksums "
		  "of this run.</p>\n</footer>\n</main>\n</body>\n</html>\n", when);
}

enum status report_html_write(const char *path, const struct report_doc *doc,
			      const char *version)
{
	struct sbuf sb;
	struct outfile of;
	enum status st;

	sbuf_init(&sb);
	html_doc(&sb, doc, version ? version : "");
	st = outfile_open(&of, path);
	if (st == ST_OK) {
		outfile_write(&of, sb.buf, sb.len);
		st = outfile_close(&of);
	}
	sbuf_release(&sb);
	return st;
}

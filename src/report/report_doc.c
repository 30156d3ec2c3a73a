/*
 * report_doc.c - building the document the HTML and Markdown writers
 * render: title, headline figures, flags and sections.
 *
 * The pipeline's last step assembles a report_doc from its results; the
 * writers (report_html.c, report_md.c) only read it.  Every string is
 * copied in, so callers can pass temporaries.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "report.h"
#include "xalloc.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void report_doc_init(struct report_doc *doc, const char *title)
{
	memset(doc, 0, sizeof(*doc));
	doc->title = xstrdup(title ? title : "");
}

void report_doc_release(struct report_doc *doc)
{
	for (size_t i = 0; i < doc->n_figures; i++) {
		free(doc->figures[i].label);
		free(doc->figures[i].text);
		free(doc->figures[i].note);
	}
	for (size_t i = 0; i < doc->n_flags; i++)
		free(doc->flags[i].text);
	for (size_t i = 0; i < doc->n_sections; i++) {
		struct report_section *s = &doc->sections[i];

		for (size_t b = 0; b < s->n_blocks; b++) {
			free(s->blocks[b].text);
			free(s->blocks[b].caption);
		}
		free(s->blocks);
		free(s->title);
	}
	free(doc->figures);
	free(doc->flags);
	free(doc->sections);
	free(doc->title);
	free(doc->subtitle);
	memset(doc, 0, sizeof(*doc));
}

void report_doc_set_subtitle(struct report_doc *doc, const char *subtitle)
{
	free(doc->subtitle);
	doc->subtitle = dup_or_null(subtitle);
}

static struct report_figure *add_figure(struct report_doc *doc,
					const char *label, enum rcol_type type,
					const char *note, enum report_tone tone)
{
	struct report_figure *f;

	ALLOC_GROW(doc->figures, doc->n_figures + 1, doc->alloc_figures);
	f = &doc->figures[doc->n_figures++];
	memset(f, 0, sizeof(*f));
	f->label = xstrdup(label);
	f->type = type;
	f->note = dup_or_null(note);
	f->tone = tone;
	return f;
}

void report_doc_add_money(struct report_doc *doc, const char *label,
			  int64_t pence, const char *note,
			  enum report_tone tone)
{
	add_figure(doc, label, RCOL_MONEY, note, tone)->i = pence;
}

void report_doc_add_percent(struct report_doc *doc, const char *label,
			    double fraction, const char *note,
			    enum report_tone tone)
{
	add_figure(doc, label, RCOL_PERCENT, note, tone)->d = fraction;
}

void report_doc_add_count(struct report_doc *doc, const char *label,
			  int64_t n, const char *note, enum report_tone tone)
{
	add_figure(doc, label, RCOL_INT, note, tone)->i = n;
}

void report_doc_add_text(struct report_doc *doc, const char *label,
			 const char *text, const char *note,
			 enum report_tone tone)
{
	add_figure(doc, label, RCOL_TEXT, note, tone)->text =
		xstrdup(text ? text : "");
}

void report_doc_add_flag(struct report_doc *doc, enum report_severity sev,
			 const char *text)
{
	ALLOC_GROW(doc->flags, doc->n_flags + 1, doc->alloc_flags);
	doc->flags[doc->n_flags].severity = sev;
	doc->flags[doc->n_flags].text = xstrdup(text ? text : "");
	doc->n_flags++;
}

size_t report_doc_add_section(struct report_doc *doc, const char *title,
			      bool in_summary)
{
	struct report_section *s;

	ALLOC_GROW(doc->sections, doc->n_sections + 1, doc->alloc_sections);
	s = &doc->sections[doc->n_sections];
	memset(s, 0, sizeof(*s));
	s->title = xstrdup(title ? title : "");
	s->in_summary = in_summary;
	return doc->n_sections++;
}

void report_doc_mark_run_dependent(struct report_doc *doc, size_t sec)
{
	if (sec >= doc->n_sections)
		BUG("report_doc: no section %zu", sec);
	doc->sections[sec].run_dependent = true;
}

static struct report_block *add_block(struct report_doc *doc, size_t sec,
				      enum report_block_kind kind)
{
	struct report_section *s;
	struct report_block *b;

	if (sec >= doc->n_sections)
		BUG("report_doc: no section %zu", sec);
	s = &doc->sections[sec];
	ALLOC_GROW(s->blocks, s->n_blocks + 1, s->alloc_blocks);
	b = &s->blocks[s->n_blocks++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

void report_doc_add_para(struct report_doc *doc, size_t sec, const char *text)
{
	add_block(doc, sec, REPORT_BLOCK_PARA)->text = xstrdup(text ? text : "");
}

void report_doc_add_table(struct report_doc *doc, size_t sec,
			  const struct rtable *t, size_t max_rows)
{
	struct report_block *b = add_block(doc, sec, REPORT_BLOCK_TABLE);

	b->table = t;
	b->max_rows = max_rows;
}

void report_doc_take_chart(struct report_doc *doc, size_t sec,
			   const char *caption, char *svg)
{
	struct report_block *b = add_block(doc, sec, REPORT_BLOCK_CHART);

	b->text = svg;
	b->caption = dup_or_null(caption);
}

const char *report_figure_format(const struct report_figure *f,
				 char buf[RTABLE_BUFSZ])
{
	struct rtable *t;
	size_t c, r;
	const char *v;

	if (f->type == RCOL_TEXT || f->type == RCOL_CODE)
		return f->text ? f->text : "";
	/* one cell, so figures read exactly like table cells */
	t = rtable_new("figure", NULL);
	c = rtable_add_col(t, "v", NULL, f->type,
			   f->type == RCOL_PERCENT ? 1 : 0);
	r = rtable_add_row(t);
	switch (f->type) {
	case RCOL_PERCENT:
		if (isfinite(f->d))
			rtable_set_percent(t, r, c, f->d);
		break;
	case RCOL_MONEY:
		rtable_set_money(t, r, c, f->i);
		break;
	case RCOL_INT:
		rtable_set_int(t, r, c, f->i);
		break;
	case RCOL_FIXED:
		rtable_set_fixed(t, r, c, f->i);
		break;
	case RCOL_DATE:
		rtable_set_date(t, r, c, (int32_t)f->i);
		break;
	case RCOL_TEXT:
	case RCOL_CODE:
		break;
	}
	v = rtable_format(t, r, c, RFMT_DISPLAY, buf);
	if (v != buf) {
		size_t n = strlen(v) < RTABLE_BUFSZ - 1 ? strlen(v) : RTABLE_BUFSZ - 1;

		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	if (!*buf)
		memcpy(buf, "n/a", 4);
	rtable_free(t);
	return buf;
}

/*
 * report_folder.c - the report folder as a whole: every writer, then
 * the manifest, then an atomic publish.
 *
 * The one call the `run` command makes at the end of the pipeline.  It
 * owns the order of the work (tables as CSV, workbook, page, summary,
 * manifest last so it can hash the rest) and the rule that a failure
 * anywhere leaves the previous report untouched (reportdir.h).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "report.h"
#include "reportdir.h"
#include "xalloc.h"

#ifndef PCBUDGET_VERSION
#define PCBUDGET_VERSION "unknown"
#endif

static enum status write_all(struct reportdir *rd, const struct report_doc *doc,
			     const struct rtable *const *tables, size_t n,
			     const struct report_manifest *m)
{
	struct report_manifest mm = *m;
	enum status st = ST_OK;
	char *p;

	for (size_t i = 0; i < n && st == ST_OK; i++) {
		char *name = xasprintf("%s.csv", tables[i]->name);

		p = reportdir_file(rd, name);
		st = report_csv_write(p, tables[i]);
		free(p);
		free(name);
	}
	if (st != ST_OK)
		return st;
	p = reportdir_file(rd, "pcbudget.xlsx");
	st = report_xlsx_write(p, tables, n, doc->title, doc->generated);
	free(p);
	if (st != ST_OK)
		return st;
	p = reportdir_file(rd, "report.html");
	st = report_html_write(p, doc, m->tool_version ? m->tool_version :
			       PCBUDGET_VERSION);
	free(p);
	if (st != ST_OK)
		return st;
	p = reportdir_file(rd, "summary.md");
	st = report_md_write(p, doc);
	free(p);
	if (st != ST_OK)
		return st;
	mm.tables = tables;
	mm.n_tables = n;
	return report_manifest_write(rd->tmp, &mm);
}

enum status report_folder_write(const char *out_dir,
				const struct report_doc *doc,
				const struct rtable *const *tables,
				size_t n_tables,
				const struct report_manifest *m)
{
	struct reportdir rd;
	enum status st;

	for (size_t i = 0; i < n_tables; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(tables[i]->name, tables[j]->name))
				BUG("report_folder_write: duplicate table '%s'",
				    tables[i]->name);
	st = reportdir_begin(&rd, out_dir);
	if (st == ST_OK)
		st = write_all(&rd, doc, tables, n_tables, m);
	if (st == ST_OK)
		st = reportdir_publish(&rd);
	reportdir_release(&rd);	/* removes the temporary folder on failure */
	return st;
}

/* Appends s to out with every run of non-[A-Za-z0-9] as one '-'. */
static size_t slug(char *out, const char *s)
{
	size_t n = 0;
	bool dash = false;

	for (; s && *s; s++) {
		char c = *s;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum) {
			dash = n > 0;
			continue;
		}
		if (dash)
			out[n++] = '-';
		dash = false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

char *report_default_dir(const char *dataset, const char *year)
{
	size_t len = (dataset ? strlen(dataset) : 0) +
		     (year ? strlen(year) : 0) + 16;
	char *a = xmalloc(len), *b = xmalloc(len), *out;

	if (!slug(a, dataset))
		memcpy(a, "report", 7);
	if (slug(b, year))
		out = xasprintf("reports/%s-%s", a, b);
	else
		out = xasprintf("reports/%s", a);
	free(a);
	free(b);
	return out;
}

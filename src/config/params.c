/*
 * params.c - the methodology parameter file: INI text -> typed values,
 * checked against a spec table.
 *
 * This sits beside the dataset loader at the start of the pipeline: the
 * methodology only ever asks the getters for a value, and every value
 * it gets has been parsed exactly (money in pence, rates in ppm).
 *
 * inih (Debian's build) splits "key = value" lines, strips comments and
 * blanks, and calls us back per pair.  It tracks no columns, truncates
 * lines longer than its buffer (and then reads the rest of the line as a
 * new line, so its line numbers drift), and reports only the first
 * syntax error.  So we feed it through our own reader, which hands it
 * one physical line at a time, keeps the raw line for column numbers,
 * reports over-long lines, section headers and malformed lines itself
 * (all of them, each located), and gives inih an empty line in their
 * place.  Sections are tracked here too; inih's copy of the section and
 * key names (capped at 50 bytes) is not used.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "diag.h"
#include "money.h"
#include "params.h"
#include "xalloc.h"

/* Longest value quoted back in a message. */
#define QUOTE_MAX 80

struct loader {
	struct params *p;
	const char *buf;
	size_t len, pos;
	unsigned long line;		/* physical line last handed to inih */
	const char *raw;		/* that line, without BOM and line end */
	size_t raw_len;
	char *section;			/* current section (owned); NULL before the first */
	bool section_ok;		/* keys in it are checked and stored */
	unsigned long n_errors;
	unsigned long last_error_line;
};

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */

void params_init(struct params *p, const struct param_spec *specs,
		 size_t n_specs)
{
	memset(p, 0, sizeof(*p));
	p->specs = specs;
	p->n_specs = n_specs;
	p->tables[0] = specs;
	p->table_len[0] = n_specs;
	p->n_tables = 1;
}

void params_add_specs(struct params *p, const struct param_spec *specs,
		      size_t n_specs)
{
	if (p->n_tables == PARAMS_MAX_TABLES)
		BUG("more than %d parameter spec tables", PARAMS_MAX_TABLES);
	p->tables[p->n_tables] = specs;
	p->table_len[p->n_tables] = n_specs;
	p->n_tables++;
}

/* Every spec row of every table, in order. */
#define FOR_EACH_SPEC(p, s)                                                   \
	for (size_t t_ = 0; t_ < (p)->n_tables; t_++)                         \
		for (const struct param_spec *s = (p)->tables[t_];            \
		     s < (p)->tables[t_] + (p)->table_len[t_]; s++)

void params_release(struct params *p)
{
	const struct param_spec *tables[PARAMS_MAX_TABLES];
	size_t table_len[PARAMS_MAX_TABLES], n_tables = p->n_tables;

	for (size_t i = 0; i < p->n_values; i++) {
		free(p->values[i].section);
		free(p->values[i].text);
	}
	free(p->values);
	for (size_t i = 0; i < p->n_years; i++)
		free(p->years[i]);
	free(p->years);
	free(p->year_lines);
	free(p->path);
	memcpy(tables, p->tables, sizeof(tables));
	memcpy(table_len, p->table_len, sizeof(table_len));
	params_init(p, p->specs, p->n_specs);
	memcpy(p->tables, tables, sizeof(tables));
	memcpy(p->table_len, table_len, sizeof(table_len));
	p->n_tables = n_tables;
}

/* ------------------------------------------------------------------ */
/* Small text helpers                                                   */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

/*
 * Index of the first '=' or ':' in s[i..n), as inih finds it: the scan
 * stops at an inline comment (';' after a blank).  Returns n if none.
 */
static size_t find_separator(const char *s, size_t i, size_t n)
{
	bool was_blank = false;

	for (; i < n; i++) {
		if (s[i] == '=' || s[i] == ':')
			return i;
		if (was_blank && s[i] == ';')
			return n;
		was_blank = is_blank(s[i]);
	}
	return n;
}

static bool equals_nocase(const char *s, const char *word)
{
	for (; *s && *word; s++, word++)
		if (lower(*s) != *word)
			return false;
	return !*s && !*word;
}

/* Levenshtein distance, for "did you mean"; long strings are cut. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), row[65], prev;

	if (na > 64)
		na = 64;
	if (nb > 64)
		nb = 64;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t cur = row[j];
			size_t best = prev + (lower(a[i - 1]) != lower(b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[nb];
}

/* ------------------------------------------------------------------ */
/* Specs and stored values                                              */

bool params_is_year(const char *s)
{
	int y;

	return s && fy_parse(s, strlen(s), &y);
}

static bool spec_is_yearly(const struct param_spec *s)
{
	return strcmp(s->section, PARAM_YEARLY) == 0 || params_is_year(s->section);
}

/* True if some spec has this fixed (non-year) section name. */
static bool is_fixed_section(const struct params *p, const char *name)
{
	FOR_EACH_SPEC(p, s)
		if (!spec_is_yearly(s) && strcmp(s->section, name) == 0)
			return true;
	return false;
}

/*
 * The spec that makes key valid in section: for a year section, the
 * spec for that very year or else any yearly one; for a fixed section,
 * the exact match.  NULL if the key is unknown there.
 */
static const struct param_spec *find_spec(const struct params *p,
					  const char *section, const char *key)
{
	bool year = params_is_year(section);
	const struct param_spec *any = NULL;

	FOR_EACH_SPEC(p, s) {
		if (strcmp(s->key, key) != 0)
			continue;
		if (strcmp(s->section, section) == 0)
			return s;
		if (year && !any && spec_is_yearly(s))
			any = s;
	}
	return any;
}

/*
 * The spec whose default applies to (section, key): the exact section
 * (even when it has no default: a year can say "none"), else for a year
 * the PARAM_YEARLY spec.  NULL if none.
 */
static const struct param_spec *default_spec(const struct params *p,
					     const char *section,
					     const char *key)
{
	const struct param_spec *yearly = NULL;
	bool year = params_is_year(section);

	FOR_EACH_SPEC(p, s) {
		if (strcmp(s->key, key) != 0)
			continue;
		if (strcmp(s->section, section) == 0)
			return s;
		if (year && strcmp(s->section, PARAM_YEARLY) == 0)
			yearly = s;
	}
	return yearly;
}

const struct param_value *params_lookup(const struct params *p,
					const char *section, const char *key)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i].section, section) == 0 &&
		    strcmp(p->values[i].spec->key, key) == 0)
			return &p->values[i];
	return NULL;
}

bool params_is_set(const struct params *p, const char *section,
		   const char *key)
{
	const struct param_spec *spec;

	if (params_lookup(p, section, key))
		return true;
	spec = default_spec(p, section, key);
	return spec && spec->def;
}

int params_key_type(const struct params *p, const char *section,
		    const char *key)
{
	const struct param_spec *spec = find_spec(p, section, key);

	return spec ? (int)spec->type : -1;
}

bool params_describe(const struct params *p, const char *section,
		     const char *key, struct param_origin *out)
{
	const struct param_value *v = params_lookup(p, section, key);
	const struct param_spec *def = default_spec(p, section, key);

	memset(out, 0, sizeof(*out));
	out->spec = def ? def : find_spec(p, section, key);
	if (v) {
		out->text = v->text;
		out->from_file = true;
		out->line = v->line;
		if (!out->spec)
			out->spec = v->spec;
		return true;
	}
	if (def && def->def) {
		out->text = def->def;
		return true;
	}
	return false;
}

bool params_has_year(const struct params *p, const char *year)
{
	for (size_t i = 0; i < p->n_years; i++)
		if (strcmp(p->years[i], year) == 0)
			return true;
	return false;
}

bool params_has_defaults(const struct params *p, const char *section)
{
	FOR_EACH_SPEC(p, s)
		if (strcmp(s->section, section) == 0 && s->def)
			return true;
	return false;
}

void params_section_loc(const struct params *p, const char *section,
			struct srcloc *loc)
{
	loc->path = p->path;
	loc->line = 0;
	loc->col = 0;
	for (size_t i = 0; i < p->n_years; i++) {
		if (strcmp(p->years[i], section) == 0) {
			loc->line = p->year_lines[i];
			loc->col = 1;
		}
	}
}

static void add_year(struct params *p, const char *year, unsigned long line)
{
	if (params_has_year(p, year))
		return;
	ALLOC_GROW(p->years, p->n_years + 1, p->alloc_years);
	ALLOC_GROW(p->year_lines, p->n_years + 1, p->alloc_year_lines);
	p->years[p->n_years] = xstrdup(year);
	p->year_lines[p->n_years] = line;
	p->n_years++;
}

/* ------------------------------------------------------------------ */
/* Typed values                                                         */

/* What a value of this type must be, for "'x' is not <what>". */
static const char *type_noun(enum param_type type)
{
	switch (type) {
	case PARAM_MONEY:
		return "an amount";
	case PARAM_RATE:
		return "a rate";
	case PARAM_DECIMAL:
		return "a number";
	case PARAM_INT:
		return "a whole number";
	case PARAM_BOOL:
		return "true or false";
	case PARAM_STRING:
		return "text";
	case PARAM_DATE:
		return "a date";
	}
	return "a value";
}

/*
 * Parses text as type into *num.  Returns 0, or -1 and sets *hint to
 * the reason to append to the message (static string, may be "").
 */
static int parse_typed(enum param_type type, const char *s, int64_t *num,
		       const char **hint)
{
	size_t len = strlen(s);
	enum num_err e = NUM_OK;
	int32_t days;

	*hint = "";
	switch (type) {
	case PARAM_MONEY:
		e = money_parse(s, len, NUM_ROUND_REJECT, num);
		break;
	case PARAM_RATE:
		if (len && s[len - 1] == '%')
			e = fixed_parse(s, len - 1, 4, NUM_ROUND_REJECT, num);
		else
			e = fixed_parse(s, len, 6, NUM_ROUND_REJECT, num);
		if (e == NUM_SYNTAX) {
			*hint = " (write it as 0.0515 or 5.15%)";
			return -1;
		}
		if (e == NUM_PRECISION) {
			*hint = " (at most 6 decimal places as a fraction, 4 as a percentage)";
			return -1;
		}
		break;
	case PARAM_DECIMAL:
		e = fixed_parse(s, len, 6, NUM_ROUND_REJECT, num);
		if (e == NUM_PRECISION) {
			*hint = " (at most 6 decimal places)";
			return -1;
		}
		break;
	case PARAM_INT:
		e = fixed_parse(s, len, 0, NUM_ROUND_REJECT, num);
		if (e == NUM_PRECISION) {
			*hint = " (no decimal places allowed)";
			return -1;
		}
		break;
	case PARAM_BOOL:
		if (equals_nocase(s, "true") || equals_nocase(s, "yes") ||
		    strcmp(s, "1") == 0) {
			*num = 1;
		} else if (equals_nocase(s, "false") || equals_nocase(s, "no") ||
			   strcmp(s, "0") == 0) {
			*num = 0;
		} else {
			*hint = " (write true, false, yes, no, 1 or 0)";
			return -1;
		}
		return 0;
	case PARAM_STRING:
		*num = 0;
		return 0;
	case PARAM_DATE:
		if (!date_parse(s, len, &days)) {
			*hint = " (write it as YYYY-MM-DD)";
			return -1;
		}
		*num = days;
		return 0;
	}
	if (e != NUM_OK) {
		*hint = num_reason(e);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */

static void error_at(struct loader *ld, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports at the given byte offset of the current raw line. */
static void error_at(struct loader *ld, size_t offset, const char *fmt, ...)
{
	struct srcloc loc = { ld->p->path, ld->line, (unsigned long)offset + 1 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_at(DIAG_ERROR, &loc, "%s", msg);
	ld->n_errors++;
	ld->last_error_line = ld->line;
}

/* "DDDD/DD": meant as a financial year even if it is not a valid one. */
static bool looks_like_year(const char *s, int *y)
{
	if (strlen(s) != 7 || s[4] != '/')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	return *y > 0 && *y < 9999;
}

/* " or [run] or [risk]": the fixed sections the specs know, for hints. */
static void fixed_sections_hint(const struct params *p, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	FOR_EACH_SPEC(p, s) {
		char item[96];
		int n;

		if (spec_is_yearly(s))
			continue;
		snprintf(item, sizeof(item), " or [%s]", s->section);
		if (strstr(out, item))
			continue;
		n = snprintf(out + used, outsz - used, "%s", item);
		if (n < 0 || (size_t)n >= outsz - used)
			break;
		used += (size_t)n;
	}
}

static void set_section(struct loader *ld, const char *name, size_t col)
{
	struct params *p = ld->p;
	char quoted[QUOTE_MAX], fy[DATE_BUFSZ], hint[256];
	int y;

	free(ld->section);
	ld->section = xstrdup(name);
	ld->section_ok = false;
	diag_quote(quoted, sizeof(quoted), name, strlen(name));
	if (!*name) {
		error_at(ld, col, "empty section name");
	} else if (params_is_year(name)) {
		ld->section_ok = true;
		add_year(p, name, ld->line);
	} else if (looks_like_year(name, &y)) {
		error_at(ld, col, "'%s' is not a financial year (did you mean '%s'?)",
			 quoted, fy_format(y, fy));
	} else if (is_fixed_section(p, name)) {
		ld->section_ok = true;
	} else {
		fixed_sections_hint(p, hint, sizeof(hint));
		error_at(ld, col,
			 "unknown section '%s' (expected a financial year such as [2017/18]%s)",
			 quoted, hint);
	}
}

/*
 * Checks a section header line starting at raw[i] == '['.  Returns
 * true if inih may see it.
 */
static bool section_line(struct loader *ld, size_t i)
{
	const char *raw = ld->raw;
	size_t n = ld->raw_len, close, a, b, after;
	char *name;

	for (close = i + 1; close < n && raw[close] != ']'; close++)
		;
	if (close == n) {
		error_at(ld, i, "section header has no closing ']'");
		free(ld->section);
		ld->section = xstrdup("");
		ld->section_ok = false;
		return false;
	}
	after = skip_blanks(raw, close + 1, n);
	if (after < n && raw[after] != ';' && raw[after] != '#') {
		error_at(ld, after, "unexpected text after ']'");
		free(ld->section);
		ld->section = xstrdup("");
		ld->section_ok = false;
		return false;
	}
	a = skip_blanks(raw, i + 1, close);
	b = close;
	while (b > a && is_blank(raw[b - 1]))
		b--;
	name = xmemdupz(raw + a, b - a);
	set_section(ld, name, a < close ? a : i);
	free(name);
	return true;
}

/*
 * inih's line reader: hands over one physical line at a time (leading
 * blanks removed), or an empty line in place of one we reported.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	size_t start, end, i, limit;
	const char *nul;

	if (ld->pos >= ld->len || num < 4)
		return NULL;
	start = ld->pos;
	for (end = start; end < ld->len && ld->buf[end] != '\n'; end++)
		;
	ld->pos = end < ld->len ? end + 1 : end;
	ld->line++;
	if (ld->line == 1 && end - start >= 3 && memcmp(ld->buf, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	if (end > start && ld->buf[end - 1] == '\r')
		end--;
	ld->raw = ld->buf + start;
	ld->raw_len = end - start;
	str[0] = '\n';
	str[1] = '\0';

	limit = (size_t)num - 3;	/* room for "\r\n" and the NUL, as inih asks */
	if (ld->raw_len > limit) {
		error_at(ld, limit, "line is longer than %zu bytes", limit);
		return str;
	}
	nul = memchr(ld->raw, '\0', ld->raw_len);
	if (nul) {
		error_at(ld, (size_t)(nul - ld->raw), "line contains a NUL byte");
		return str;
	}
	i = skip_blanks(ld->raw, 0, ld->raw_len);
	if (i == ld->raw_len || ld->raw[i] == ';' || ld->raw[i] == '#')
		return str;
	if (ld->raw[i] == '[') {
		if (!section_line(ld, i))
			return str;
	} else {
		size_t sep = find_separator(ld->raw, i, ld->raw_len);

		if (sep == ld->raw_len) {
			error_at(ld, i, "expected 'key = value' or '[section]'");
			return str;
		}
		if (sep == i) {
			error_at(ld, i, "missing key before '%c'", ld->raw[i]);
			return str;
		}
	}
	memcpy(str, ld->raw + i, ld->raw_len - i);
	str[ld->raw_len - i] = '\n';
	str[ld->raw_len - i + 1] = '\0';
	return str;
}

static void suggest_key(const struct params *p, const char *section,
			const char *key, char *out, size_t outsz)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	bool year = params_is_year(section);

	out[0] = '\0';
	FOR_EACH_SPEC(p, s) {
		size_t d;

		if (year ? !spec_is_yearly(s) : strcmp(s->section, section) != 0)
			continue;
		d = edit_distance(key, s->key);
		if (d < best_d) {
			best_d = d;
			best = s->key;
		}
	}
	if (best && best_d <= 3 && best_d * 3 <= strlen(best))
		snprintf(out, outsz, "; did you mean '%s'?", best);
}

static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	struct loader *ld = user;
	struct params *p = ld->p;
	const char *raw = ld->raw;
	size_t n = ld->raw_len, k0, k1, sep, v0;
	const struct param_spec *spec;
	const struct param_value *dup;
	struct param_value *pv;
	char *key, quoted[QUOTE_MAX];
	const char *hint;
	int64_t num = 0;

	(void)section;
	(void)name;
	k0 = skip_blanks(raw, 0, n);
	sep = find_separator(raw, k0, n);
	k1 = sep;
	while (k1 > k0 && is_blank(raw[k1 - 1]))
		k1--;
	v0 = sep < n ? skip_blanks(raw, sep + 1, n) : n;
	key = xmemdupz(raw + k0, k1 - k0);

	if (!ld->section) {
		diag_quote(quoted, sizeof(quoted), key, strlen(key));
		error_at(ld, k0, "key '%s' is outside any section (put it under a header such as [2017/18])",
			 quoted);
		goto out;
	}
	if (!ld->section_ok)
		goto out;	/* the section header was reported */
	spec = find_spec(p, ld->section, key);
	if (!spec) {
		char hint_buf[128];

		diag_quote(quoted, sizeof(quoted), key, strlen(key));
		suggest_key(p, ld->section, key, hint_buf, sizeof(hint_buf));
		error_at(ld, k0, "unknown key '%s' in [%s]%s", quoted, ld->section,
			 hint_buf);
		goto out;
	}
	dup = params_lookup(p, ld->section, key);
	if (dup) {
		error_at(ld, k0, "duplicate key '%s' in [%s] (first set on line %lu)",
			 key, ld->section, dup->line);
		goto out;
	}
	if (!*value) {
		error_at(ld, v0, "key '%s' has no value", key);
		goto out;
	}
	if (parse_typed(spec->type, value, &num, &hint)) {
		diag_quote(quoted, sizeof(quoted), value, strlen(value));
		error_at(ld, v0, "key '%s': '%s' is not %s%s", key, quoted,
			 type_noun(spec->type), hint);
		goto out;
	}
	ALLOC_GROW(p->values, p->n_values + 1, p->alloc_values);
	pv = &p->values[p->n_values++];
	pv->spec = spec;
	pv->section = xstrdup(ld->section);
	pv->text = xstrdup(value);
	pv->num = num;
	pv->line = ld->line;
	pv->col = (unsigned long)v0 + 1;
out:
	free(key);
	return 1;	/* never stop inih: we report everything ourselves */
}

enum status params_load_string(struct params *p, const char *path,
			       const char *text)
{
	struct loader ld;
	int rc;

	memset(&ld, 0, sizeof(ld));
	free(p->path);
	p->path = xstrdup(path);
	ld.p = p;
	ld.buf = text;
	ld.len = strlen(text);
	rc = ini_parse_stream(read_line, &ld, on_pair, &ld);
	free(ld.section);
	if (rc < 0) {
		diag_error("cannot parse '%s': inih failed (%d)", path, rc);
		return ST_INTERNAL;
	}
	if (rc > 0 && (unsigned long)rc != ld.last_error_line) {
		struct srcloc loc = { p->path, (unsigned long)rc, 0 };

		diag_at(DIAG_ERROR, &loc, "syntax error");
		ld.n_errors++;
	}
	return ld.n_errors ? ST_CONFIG : ST_OK;
}

enum status params_load(struct params *p, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, alloc = 0;
	enum status st;

	if (!f) {
		diag_error("cannot open '%s': %s", path, strerror(errno));
		return ST_NOINPUT;
	}
	{
		struct stat sb;

		/* fopen() opens a directory for reading; fread() then fails */
		if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			fclose(f);
			diag_error("cannot open '%s': %s", path, strerror(EISDIR));
			return ST_NOINPUT;
		}
	}
	for (;;) {
		size_t got;

		if (alloc - len < 4096) {
			alloc = alloc ? alloc * 2 : 65536;
			buf = xrealloc(buf, alloc);
		}
		got = fread(buf + len, 1, alloc - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		diag_error("cannot read '%s': %s", path, strerror(e));
		return ST_IO;
	}
	fclose(f);
	buf[len] = '\0';
	if (len >= 2 && (memcmp(buf, "\xff\xfe", 2) == 0 || memcmp(buf, "\xfe\xff", 2) == 0)) {
		/* every other byte is a NUL: name the encoding instead */
		free(p->path);
		p->path = xstrdup(path);
		diag_at(DIAG_ERROR, &(struct srcloc){ p->path, 1, 1 },
			"file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
		free(buf);
		return ST_CONFIG;
	}
	if (memchr(buf, '\0', len)) {
		/* strlen() would stop there: report where the NUL is */
		const char *nul = memchr(buf, '\0', len);
		unsigned long line = 1;
		const char *ls = buf;
		struct srcloc loc;

		for (const char *q = buf; q < nul; q++)
			if (*q == '\n') {
				line++;
				ls = q + 1;
			}
		free(p->path);
		p->path = xstrdup(path);
		loc.path = p->path;
		loc.line = line;
		loc.col = (unsigned long)(nul - ls) + 1;
		diag_at(DIAG_ERROR, &loc, "line contains a NUL byte");
		free(buf);
		return ST_CONFIG;
	}
	st = params_load_string(p, path, buf);
	free(buf);
	return st;
}

/* ------------------------------------------------------------------ */
/* Getters                                                              */

/*
 * Resolves (section, key) of the given type: the file's value or the
 * default.  Returns 0, or -1 after reporting.
 */
static int resolve(const struct params *p, const char *section,
		   const char *key, enum param_type type, int64_t *num,
		   const char **text)
{
	const struct param_spec *spec = find_spec(p, section, key);
	const struct param_value *v;
	const char *hint;

	if (!spec) {
		diag_error("internal error: no parameter '%s' in [%s]", key, section);
		return -1;
	}
	if (spec->type != type) {
		diag_error("internal error: parameter '%s' is %s, not %s", key,
			   type_noun(spec->type), type_noun(type));
		return -1;
	}
	v = params_lookup(p, section, key);
	if (v) {
		*num = v->num;
		*text = v->text;
		return 0;
	}
	spec = default_spec(p, section, key);
	if (!spec || !spec->def) {
		struct srcloc loc;

		params_section_loc(p, section, &loc);
		diag_at(DIAG_ERROR, &loc, "'%s' has no value for [%s] and no default",
			key, section);
		return -1;
	}
	if (parse_typed(type, spec->def, num, &hint)) {
		diag_error("internal error: default of '%s' for [%s] is not %s",
			   key, spec->section, type_noun(type));
		return -1;
	}
	*text = spec->def;
	return 0;
}

int params_money(const struct params *p, const char *section,
		 const char *key, int64_t *pence)
{
	const char *text;

	return resolve(p, section, key, PARAM_MONEY, pence, &text);
}

int params_rate_ppm(const struct params *p, const char *section,
		    const char *key, int64_t *ppm)
{
	const char *text;

	return resolve(p, section, key, PARAM_RATE, ppm, &text);
}

int params_decimal_micro(const struct params *p, const char *section,
			 const char *key, int64_t *micro)
{
	const char *text;

	return resolve(p, section, key, PARAM_DECIMAL, micro, &text);
}

int params_int(const struct params *p, const char *section, const char *key,
	       int64_t *out)
{
	const char *text;

	return resolve(p, section, key, PARAM_INT, out, &text);
}

int params_bool(const struct params *p, const char *section, const char *key,
		bool *out)
{
	const char *text;
	int64_t v;

	if (resolve(p, section, key, PARAM_BOOL, &v, &text))
		return -1;
	*out = v != 0;
	return 0;
}

int params_date(const struct params *p, const char *section, const char *key,
		int32_t *days)
{
	const char *text;
	int64_t v;

	if (resolve(p, section, key, PARAM_DATE, &v, &text))
		return -1;
	*days = (int32_t)v;
	return 0;
}

int params_string(const struct params *p, const char *section,
		  const char *key, const char **out)
{
	int64_t v;

	return resolve(p, section, key, PARAM_STRING, &v, out);
}

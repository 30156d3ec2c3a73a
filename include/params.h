/*
 * params.h - methodology parameters from an INI file (inih), with typed
 * getters, documented defaults and sources.
 *
 * Every parameter the tool knows is described by a struct param_spec
 * (key, type, default, unit, source).  A file is loaded against a spec
 * table: unknown sections or keys, duplicate keys, values that do not
 * parse as their type and syntax errors are all reported with
 * "path:line:col: error: ..." and make params_load() return ST_CONFIG.
 *
 * Sections are either fixed names ("run", "risk", ...) or financial
 * years written "YYYY/YY" ("2016/17"); a spec whose section is
 * PARAM_YEARLY applies to every year section.  Values given in the file
 * override the spec's default; the resolved value (and whether it came
 * from the file or the default) is what the manifest records.
 *
 * A spec whose section is a year ("2016/17") gives that year's default;
 * defaults therefore differ by year.  A key is accepted in any year
 * section when some spec for it is PARAM_YEARLY or a year, and a value
 * is resolved in this order: the file, the spec for that very year, the
 * PARAM_YEARLY spec.
 *
 * File syntax (inih, Debian build): "key = value" (or "key: value"),
 * "[section]", comments on their own line starting with ';' or '#', and
 * inline comments starting with " ;" (so a value cannot contain " ;").
 * Indentation is ignored (no continuation lines).  Lines are limited to
 * ini_max_line - 3 bytes (197 in Debian's build); a longer line is
 * reported, never truncated.  Columns in messages are 1-based bytes.
 *
 * Getters never fail silently: asking for a required parameter that is
 * missing (no value and no default) reports an error naming the file,
 * section and key and returns -1.
 */
#ifndef PCBUDGET_PARAMS_H
#define PCBUDGET_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "status.h"

#define PARAM_YEARLY "YYYY/YY"

/* How many spec tables one parameter file can be checked against. */
#define PARAMS_MAX_TABLES 4

enum param_type {
	PARAM_MONEY,	/* pounds with up to 2 decimals -> int64 pence */
	PARAM_RATE,	/* a fraction "0.0515" or a percentage "5.15%" -> int64 millionths (ppm) */
	PARAM_DECIMAL,	/* a plain decimal with up to 6 decimals -> int64 millionths */
	PARAM_INT,	/* a decimal integer -> int64 */
	PARAM_BOOL,	/* true/false, yes/no, 1/0 */
	PARAM_STRING,	/* any text */
	PARAM_DATE	/* YYYY-MM-DD -> days since 1970-01-01 */
};

struct param_spec {
	const char *section;	/* fixed name, a year "2016/17", or PARAM_YEARLY */
	const char *key;
	enum param_type type;
	const char *def;	/* default as text, NULL = none (then required) */
	const char *unit;	/* for documentation: "£ per weighted patient" */
	const char *source;	/* where the default comes from: "methodology §3 [V]" */
	const char *doc;	/* one line */
};

struct param_value {
	const struct param_spec *spec;
	char *section;		/* owned */
	char *text;		/* owned raw text */
	int64_t num;		/* parsed value for numeric/bool/date types */
	unsigned long line;	/* 0 = from the default */
	unsigned long col;	/* where the value starts on that line */
};

struct params {
	char *path;		/* owned; NULL when no file was loaded */
	const struct param_spec *specs;	/* borrowed: the table given to params_init() */
	size_t n_specs;
	const struct param_spec *tables[PARAMS_MAX_TABLES];	/* all tables, borrowed */
	size_t table_len[PARAMS_MAX_TABLES];
	size_t n_tables;
	struct param_value *values;	/* values given in the file */
	size_t n_values, alloc_values;
	char **years;		/* year sections present, in file order */
	unsigned long *year_lines;	/* line of each year's first header */
	size_t n_years, alloc_years, alloc_year_lines;
};

/* Prepares p to hold values for specs (borrowed for p's lifetime). */
void params_init(struct params *p, const struct param_spec *specs,
		 size_t n_specs);

/*
 * Adds another spec table (borrowed for p's lifetime), so that one file
 * can hold the sections of several modules: the methodology's years and
 * the risk model's [risk] sections.  Call before loading; at most
 * PARAMS_MAX_TABLES tables in all (a BUG beyond).  The first table's
 * spec wins when two tables define the same section and key.
 */
void params_add_specs(struct params *p, const struct param_spec *specs,
		      size_t n_specs);

/* Frees what p holds; the spec tables stay registered. */
void params_release(struct params *p);

/*
 * Loads path into p.  Reports every problem through diag and returns
 * ST_OK, ST_NOINPUT (cannot open) or ST_CONFIG.
 */
enum status params_load(struct params *p, const char *path);

/* Same, parsing text already in memory (for tests). */
enum status params_load_string(struct params *p, const char *path,
			       const char *text);

/* True if "YYYY/YY" names a valid financial year (e.g. 2016/17). */
bool params_is_year(const char *s);

/*
 * Typed getters.  section is a fixed name or a year "2016/17".  The value
 * comes from the file if given there, else from the spec's default.
 * Returns 0, or -1 after reporting if the key has no spec, the spec has
 * another type, or there is neither a value nor a default.
 */
int params_money(const struct params *p, const char *section,
		 const char *key, int64_t *pence);
int params_rate_ppm(const struct params *p, const char *section,
		    const char *key, int64_t *ppm);
int params_decimal_micro(const struct params *p, const char *section,
			 const char *key, int64_t *micro);
int params_int(const struct params *p, const char *section, const char *key,
	       int64_t *out);
int params_bool(const struct params *p, const char *section, const char *key,
		bool *out);
int params_date(const struct params *p, const char *section, const char *key,
		int32_t *days);
/* Borrowed string; valid while p lives. */
int params_string(const struct params *p, const char *section,
		  const char *key, const char **out);

/*
 * The value given in the file for (section, key), or NULL when the
 * default applies.  For the manifest and derivations.
 */
const struct param_value *params_lookup(const struct params *p,
					const char *section, const char *key);

/*
 * True if (section, key) resolves to a value: given in the file or by a
 * default.  Reports nothing.
 */
bool params_is_set(const struct params *p, const char *section,
		   const char *key);

/*
 * The type of key in section (a year or a fixed name), or -1 if no spec
 * makes the key valid there.  Reports nothing.
 */
int params_key_type(const struct params *p, const char *section,
		    const char *key);

/* Where the value of one (section, key) comes from, for the manifest. */
struct param_origin {
	const char *text;		/* the value as written (file or default); borrowed */
	bool from_file;			/* false: the spec's default */
	unsigned long line;		/* file line when from_file */
	const struct param_spec *spec;	/* the spec that gives the default, unit and source
					 * (for a year, that year's spec or the yearly one) */
};

/*
 * Describes what (section, key) resolves to, without reporting: the
 * file's value, else the default.  Returns true and fills *out, or false
 * when the key has neither (out->spec is then the spec that makes the
 * key valid there, or NULL, and out->text is NULL).  Borrowed pointers
 * stay valid while p lives.
 */
bool params_describe(const struct params *p, const char *section,
		     const char *key, struct param_origin *out);

/* True if the file has a [year] section. */
bool params_has_year(const struct params *p, const char *year);

/*
 * True if the spec table gives at least one default for exactly this
 * section (e.g. built-in defaults for "2017/18").
 */
bool params_has_defaults(const struct params *p, const char *section);

/*
 * Fills loc with the place to blame for a problem with section: the
 * line of its header in the file when there is one, else the file
 * itself (line 0), else no location (no file loaded).
 */
void params_section_loc(const struct params *p, const char *section,
			struct srcloc *loc);

#endif

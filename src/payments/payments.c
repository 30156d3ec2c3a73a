/*
 * payments.c - the NHS Payments to General Practice import, pure part:
 * column table -> per-file layout -> practice records with exact pence
 * per category -> CCG totals, with the control totals checked on the
 * way.  No file I/O here (payments_io.c reads and writes); diagnostics
 * go through diag with the cell's position.
 *
 * The per-cell work is one switch on a precomputed role and, for
 * amounts, money_parse(): the whole nine-year set is 3.6 million cells.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "money.h"
#include "payments.h"
#include "xalloc.h"

const char *const pay_money_names[PAY_N_MONEY] = {
	"core_contract",
	"enhanced_services",
	"qof",
	"premises",
	"discretionary",
	"out_of_scope",
	"memo_vi",
	"memo_local_es",
	"total_published",
	"deductions",
	"pcn_outside_total",
	"covid_outside_total",
};

const char *pay_contract_name(enum pay_contract c)
{
	switch (c) {
	case PAY_CONTRACT_ABSENT:
		return "";
	case PAY_GMS:
		return "GMS";
	case PAY_PMS:
		return "PMS";
	case PAY_APMS:
		return "APMS";
	case PAY_CONTRACT_UNKNOWN:
		return "UNKNOWN";
	}
	return "";
}

const char *pay_dispensing_name(enum pay_dispensing d)
{
	switch (d) {
	case PAY_DISPENSING_ABSENT:
		return "";
	case PAY_DISPENSING_YES:
		return "yes";
	case PAY_DISPENSING_NO:
		return "no";
	case PAY_DISPENSING_UNKNOWN:
		return "unknown";
	}
	return "";
}

void pay_options_init(struct pay_options *o)
{
	o->group_cat[PAY_GROUP_NONE] = PAY_OUT_OF_SCOPE;	/* unused */
	o->group_cat[PAY_GROUP_VI] = PAY_OUT_OF_SCOPE;
	o->group_cat[PAY_GROUP_LOCAL_ES] = PAY_ENHANCED_SERVICES;
	o->group_cat[PAY_GROUP_PCN_PARTICIPATION] = PAY_OUT_OF_SCOPE;
	o->group_cat[PAY_GROUP_OTHER_PAYMENTS] = PAY_OUT_OF_SCOPE;
	o->split = NULL;
	o->format_history = false;
}

const char *pay_group_name(enum pay_group g)
{
	switch (g) {
	case PAY_GROUP_NONE:
		return "none";
	case PAY_GROUP_VI:
		return "vi";
	case PAY_GROUP_LOCAL_ES:
		return "local_es";
	case PAY_GROUP_PCN_PARTICIPATION:
		return "pcn_participation";
	case PAY_GROUP_OTHER_PAYMENTS:
		return "other_payments";
	case PAY_N_GROUPS:
		break;
	}
	return "none";
}

/* ------------------------------------------------------------------ */
/* The column table                                                     */

static const struct token {
	const char *name;
	enum pay_role role;
	int target;
	enum pay_group group;
} tokens[] = {
	{ "info", PAY_ROLE_INFO, 0, PAY_GROUP_NONE },
	{ "derived", PAY_ROLE_DERIVED, 0, PAY_GROUP_NONE },
	{ "region_code", PAY_ROLE_TEXT, PAY_REGION_CODE, PAY_GROUP_NONE },
	{ "ccg_code", PAY_ROLE_TEXT, PAY_CCG_CODE, PAY_GROUP_NONE },
	{ "ccg_name", PAY_ROLE_TEXT, PAY_CCG_NAME, PAY_GROUP_NONE },
	{ "pcn_code", PAY_ROLE_TEXT, PAY_PCN_CODE, PAY_GROUP_NONE },
	{ "pcn_name", PAY_ROLE_TEXT, PAY_PCN_NAME, PAY_GROUP_NONE },
	{ "practice_code", PAY_ROLE_TEXT, PAY_PRACTICE_CODE, PAY_GROUP_NONE },
	{ "practice_name", PAY_ROLE_TEXT, PAY_PRACTICE_NAME, PAY_GROUP_NONE },
	{ "contract_type", PAY_ROLE_CONTRACT, 0, PAY_GROUP_NONE },
	{ "dispensing", PAY_ROLE_DISPENSING, 0, PAY_GROUP_NONE },
	{ "registered_patients", PAY_ROLE_REGISTERED, 0, PAY_GROUP_NONE },
	{ "weighted_patients", PAY_ROLE_WEIGHTED, 0, PAY_GROUP_NONE },
	{ "core_contract", PAY_ROLE_COMPONENT, PAY_CORE_CONTRACT, PAY_GROUP_NONE },
	{ "enhanced_services", PAY_ROLE_COMPONENT, PAY_ENHANCED_SERVICES, PAY_GROUP_NONE },
	{ "qof", PAY_ROLE_COMPONENT, PAY_QOF, PAY_GROUP_NONE },
	{ "premises", PAY_ROLE_COMPONENT, PAY_PREMISES, PAY_GROUP_NONE },
	{ "discretionary", PAY_ROLE_COMPONENT, PAY_DISCRETIONARY, PAY_GROUP_NONE },
	{ "out_of_scope", PAY_ROLE_COMPONENT, PAY_OUT_OF_SCOPE, PAY_GROUP_NONE },
	{ "vi", PAY_ROLE_COMPONENT, -1, PAY_GROUP_VI },
	{ "local_es", PAY_ROLE_COMPONENT, -1, PAY_GROUP_LOCAL_ES },
	{ "pcn_participation", PAY_ROLE_COMPONENT, -1, PAY_GROUP_PCN_PARTICIPATION },
	{ "other_payments", PAY_ROLE_COMPONENT, -1, PAY_GROUP_OTHER_PAYMENTS },
	{ "local_es_part", PAY_ROLE_LES_PART, 0, PAY_GROUP_NONE },
	{ "total", PAY_ROLE_TOTAL, 0, PAY_GROUP_NONE },
	{ "deductions", PAY_ROLE_DEDUCTIONS, 0, PAY_GROUP_NONE },
	{ "outside_total_pcn", PAY_ROLE_PCN_OUTSIDE, 0, PAY_GROUP_NONE },
	{ "outside_total_covid", PAY_ROLE_COVID_OUTSIDE, 0, PAY_GROUP_NONE },
};
#define N_TOKENS (sizeof(tokens) / sizeof(tokens[0]))

const char pay_category_tokens[] =
	"region_code ccg_code ccg_name pcn_code pcn_name practice_code "
	"practice_name contract_type dispensing registered_patients "
	"weighted_patients core_contract enhanced_services qof premises "
	"discretionary out_of_scope vi local_es pcn_participation "
	"other_payments local_es_part total deductions outside_total_pcn "
	"outside_total_covid derived info";

void pay_colmap_init(struct pay_colmap *m)
{
	memset(m, 0, sizeof(*m));
}

void pay_colmap_release(struct pay_colmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].name);
		free(m->e[i].concept);
		free(m->e[i].category);
		free(m->e[i].requires);
	}
	free(m->e);
	free(m->source);
	pay_colmap_init(m);
}

static const struct token *find_token(const char *s)
{
	for (size_t i = 0; i < N_TOKENS; i++)
		if (strcmp(tokens[i].name, s) == 0)
			return &tokens[i];
	return NULL;
}

static bool same_requires(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

enum status pay_colmap_from_table(struct pay_colmap *m,
				  const struct csv_table *t)
{
	static const char *const need[] = { "header", "concept", "category" };
	long col[4];
	enum status st = ST_OK;
	struct srcloc loc;

	m->source = xstrdup(t->path);
	for (size_t i = 0; i < 3; i++) {
		col[i] = csv_find_col(t, need[i]);
		if (col[i] < 0) {
			loc = (struct srcloc){ t->path, 1, 0 };
			diag_at(DIAG_ERROR, &loc,
				"column table has no '%s' column (expected "
				"header,concept,category[,requires])", need[i]);
			st = ST_CONFIG;
		}
	}
	col[3] = csv_find_col(t, "requires");
	if (st != ST_OK)
		goto out;

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct csv_cell *h = csv_at(t, r, (size_t)col[0]);
		const struct csv_cell *cat = csv_at(t, r, (size_t)col[2]);
		const struct token *tok = find_token(csv_text(t, cat));
		struct pay_colmap_entry e;

		if (!tok) {
			csv_loc(t, cat, &loc);
			diag_at(DIAG_ERROR, &loc,
				"unknown category '%s' (known: %s)",
				csv_text(t, cat), pay_category_tokens);
			st = ST_CONFIG;
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.name = csv_normalise_name(csv_text(t, h), h->len);
		if (!e.name[0]) {
			free(e.name);
			csv_loc(t, h, &loc);
			diag_at(DIAG_ERROR, &loc, "empty header name");
			st = ST_CONFIG;
			continue;
		}
		if (col[3] >= 0) {
			const struct csv_cell *q = csv_at(t, r, (size_t)col[3]);

			if (q->len)
				e.requires = csv_normalise_name(csv_text(t, q), q->len);
		}
		for (size_t k = 0; k < m->n; k++) {
			if (strcmp(m->e[k].name, e.name) == 0 &&
			    same_requires(m->e[k].requires, e.requires)) {
				csv_loc(t, h, &loc);
				diag_at(DIAG_ERROR, &loc,
					"'%s' is already mapped on line %lu",
					e.name, m->e[k].line);
				st = ST_CONFIG;
				break;
			}
		}
		if (st != ST_OK) {
			free(e.name);
			free(e.requires);
			continue;
		}
		e.concept = xstrdup(csv_text(t, csv_at(t, r, (size_t)col[1])));
		e.category = xstrdup(tok->name);
		e.role = tok->role;
		e.target = tok->target;
		e.group = tok->group;
		e.line = h->line;
		ALLOC_GROW(m->e, m->n + 1, m->alloc);
		m->e[m->n++] = e;
	}
out:
	if (st != ST_OK)
		pay_colmap_release(m);
	return st;
}

/* ------------------------------------------------------------------ */
/* One file's layout                                                     */

void pay_layout_init(struct pay_layout *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < PAY_N_TEXT; i++)
		l->text_col[i] = -1;
	l->total_col = l->registered_col = l->weighted_col = -1;
	l->first_les_part = -1;
}

void pay_layout_release(struct pay_layout *l)
{
	free(l->cols);
	free(l->ops);
	free(l->other_cols);
	free(l->split_class);
	pay_layout_init(l);
}

/* The table row for normalised header `name` in a file with header t. */
static const struct pay_colmap_entry *lookup(const struct pay_colmap *m,
					     const struct csv_table *t,
					     const char *name)
{
	const struct pay_colmap_entry *plain = NULL;

	for (size_t i = 0; i < m->n; i++) {
		const struct pay_colmap_entry *e = &m->e[i];

		if (strcmp(e->name, name) != 0)
			continue;
		if (!e->requires)
			plain = plain ? plain : e;
		else if (csv_find_col(t, e->requires) >= 0)
			return e;
	}
	return plain;
}

static const char *const text_names[PAY_N_TEXT] = {
	"region_code", "ccg_code", "ccg_name", "pcn_code", "pcn_name",
	"practice_code", "practice_name",
};

/* Claims a one-column role for column c; reports a second claimant. */
static int claim(const struct csv_table *t, long *slot, size_t c,
		 const char *what)
{
	if (*slot >= 0) {
		struct srcloc loc;

		csv_loc(t, csv_header(t, c), &loc);
		return diag_at(DIAG_ERROR, &loc,
			       "second %s column '%s' (the first is column %ld, '%s')",
			       what, csv_text(t, csv_header(t, c)), *slot + 1,
			       csv_text(t, csv_header(t, (size_t)*slot)));
	}
	*slot = (long)c;
	return 0;
}

enum status pay_layout_build(struct pay_layout *l, const struct csv_table *t,
			     const struct pay_colmap *m,
			     const struct pay_options *o)
{
	long contract_col = -1, dispensing_col = -1, deductions_col = -1;
	long first_les = -1;
	bool told_how = false;
	enum status st = ST_OK;
	struct srcloc loc;

	l->n_cols = t->n_cols;
	l->cols = xcalloc(t->n_cols, sizeof(*l->cols));
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct pay_colmap_entry *e = lookup(m, t, t->norm[c]);
		struct pay_col *pc = &l->cols[c];

		if (!e) {
			csv_loc(t, csv_header(t, c), &loc);
			diag_at(DIAG_ERROR, &loc, "unknown column '%s'",
				csv_text(t, csv_header(t, c)));
			if (!told_how)
				diag_at(DIAG_NOTE, &loc,
					"map it by adding a row '%s,<concept>,<category>' "
					"to a copy of the column table (pcbudget "
					"import-payments --print-columns) and passing "
					"that with --columns", t->norm[c]);
			told_how = true;
			st = ST_DATA;
			continue;
		}
		pc->role = e->role;
		pc->target = e->target;
		switch (e->role) {
		case PAY_ROLE_INFO:
		case PAY_ROLE_DERIVED:
			break;
		case PAY_ROLE_TEXT:
			if (claim(t, &l->text_col[e->target], c, text_names[e->target]))
				st = ST_DATA;
			if (e->target == PAY_PCN_CODE)
				l->has_pcn = true;
			break;
		case PAY_ROLE_CONTRACT:
			if (claim(t, &contract_col, c, "contract_type"))
				st = ST_DATA;
			break;
		case PAY_ROLE_DISPENSING:
			if (claim(t, &dispensing_col, c, "dispensing"))
				st = ST_DATA;
			break;
		case PAY_ROLE_REGISTERED:
			if (claim(t, &l->registered_col, c, "registered_patients"))
				st = ST_DATA;
			break;
		case PAY_ROLE_WEIGHTED:
			if (claim(t, &l->weighted_col, c, "weighted_patients"))
				st = ST_DATA;
			break;
		case PAY_ROLE_COMPONENT:
			if (e->group != PAY_GROUP_NONE)
				pc->target = (int)o->group_cat[e->group];
			pc->is_vi = e->group == PAY_GROUP_VI;
			pc->is_local_es = e->group == PAY_GROUP_LOCAL_ES;
			if (pc->is_vi)
				l->has[PAY_MEMO_VI] = true;
			if (pc->is_local_es) {
				l->has[PAY_MEMO_LOCAL_ES] = true;
				if (first_les < 0)
					first_les = (long)c;
			}
			l->n_components++;
			break;
		case PAY_ROLE_LES_PART:
			if (l->first_les_part < 0)
				l->first_les_part = (long)c;
			break;
		case PAY_ROLE_TOTAL:
			if (claim(t, &l->total_col, c, "total"))
				st = ST_DATA;
			l->has[PAY_TOTAL_PUBLISHED] = true;
			break;
		case PAY_ROLE_DEDUCTIONS:
			if (claim(t, &deductions_col, c, "deductions"))
				st = ST_DATA;
			l->has[PAY_DEDUCTIONS] = true;
			break;
		case PAY_ROLE_PCN_OUTSIDE:
			l->has[PAY_PCN_OUTSIDE] = true;
			break;
		case PAY_ROLE_COVID_OUTSIDE:
			l->has[PAY_COVID_OUTSIDE] = true;
			break;
		}
	}
	for (size_t i = 0; i < PAY_N_CATS; i++)
		l->has[i] = true;

	loc = (struct srcloc){ t->path, 1, 0 };
	{
		static const enum pay_text need_text[] = {
			PAY_CCG_CODE, PAY_CCG_NAME, PAY_PRACTICE_CODE,
		};

		for (size_t i = 0; i < sizeof(need_text) / sizeof(need_text[0]); i++)
			if (l->text_col[need_text[i]] < 0) {
				diag_at(DIAG_ERROR, &loc,
					"no %s column (no header maps to it in the column table)",
					text_names[need_text[i]]);
				st = ST_DATA;
			}
	}
	if (l->registered_col < 0 || l->weighted_col < 0 || l->total_col < 0) {
		diag_at(DIAG_ERROR, &loc,
			"no %s column (no header maps to it in the column table)",
			l->registered_col < 0 ? "registered_patients"
			: l->weighted_col < 0 ? "weighted_patients" : "total");
		st = ST_DATA;
	}
	if (l->first_les_part >= 0 && first_les < 0) {
		csv_loc(t, csv_header(t, (size_t)l->first_les_part), &loc);
		diag_at(DIAG_ERROR, &loc,
			"'%s' is part of the local enhanced services, but the file "
			"has no local_es column to check it against",
			csv_text(t, csv_header(t, (size_t)l->first_les_part)));
		st = ST_DATA;
	}
	if (st != ST_OK) {
		pay_layout_release(l);
		return st;
	}
	if (o->split) {
		l->n_split = o->split->n_classes;
		l->split_class = xcalloc(t->n_cols, sizeof(*l->split_class));
		for (size_t c = 0; c < t->n_cols; c++) {
			int k = -1;

			if (l->cols[c].role == PAY_ROLE_COMPONENT)
				k = o->split->classify(t->norm[c],
						       (enum pay_money)l->cols[c].target,
						       o->split->ctx);
			if (k >= (int)l->n_split)
				BUG("split class %d of %zu", k, l->n_split);
			l->split_class[c] = k;
		}
	}
	/* the row loop visits only the columns it uses, amounts apart */
	l->ops = xcalloc(t->n_cols, sizeof(*l->ops));
	l->other_cols = xcalloc(t->n_cols, sizeof(*l->other_cols));
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct pay_col *pc = &l->cols[c];
		struct pay_amount_op *op = &l->ops[l->n_ops];

		op->col = (uint32_t)c;
		op->split = l->split_class ? l->split_class[c] : -1;
		switch (pc->role) {
		case PAY_ROLE_INFO:
		case PAY_ROLE_DERIVED:
			break;
		case PAY_ROLE_TEXT:
		case PAY_ROLE_CONTRACT:
		case PAY_ROLE_DISPENSING:
		case PAY_ROLE_REGISTERED:
		case PAY_ROLE_WEIGHTED:
			l->other_cols[l->n_other_cols++] = c;
			break;
		case PAY_ROLE_COMPONENT:
			/* its category, the parts of the total, and its memo lines */
			op->slot[op->n_slots++] = (uint8_t)pc->target;
			op->in_parts = 1;
			if (pc->is_vi)
				op->slot[op->n_slots++] = PAY_MEMO_VI;
			if (pc->is_local_es)
				op->slot[op->n_slots++] = PAY_MEMO_LOCAL_ES;
			l->n_ops++;
			break;
		case PAY_ROLE_LES_PART:
			op->slot[op->n_slots++] = PAY_SLOT_LES_PARTS;
			l->n_ops++;
			break;
		case PAY_ROLE_TOTAL:
		case PAY_ROLE_DEDUCTIONS:
			op->set = 1;
			op->slot[op->n_slots++] = pc->role == PAY_ROLE_TOTAL
							  ? PAY_TOTAL_PUBLISHED
							  : PAY_DEDUCTIONS;
			l->n_ops++;
			break;
		case PAY_ROLE_PCN_OUTSIDE:
		case PAY_ROLE_COVID_OUTSIDE:
			op->slot[op->n_slots++] = pc->role == PAY_ROLE_PCN_OUTSIDE
							  ? PAY_PCN_OUTSIDE
							  : PAY_COVID_OUTSIDE;
			l->n_ops++;
			break;
		}
	}
	return ST_OK;
}

/* ------------------------------------------------------------------ */
/* Years                                                                 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int pay_year_from_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	for (size_t i = 0; i + 5 <= n; i++) {
		const char *s = base + i;
		int a, b;

		if (!(is_digit(s[0]) && is_digit(s[1]) && s[2] == '-' &&
		      is_digit(s[3]) && is_digit(s[4])))
			continue;
		if (i > 0 && is_digit(s[-1]) && !(i >= 2 && is_digit(s[-2])))
			continue;	/* "1-17": not a two-digit year */
		if (5 + i < n && is_digit(s[5]))
			continue;
		a = (s[0] - '0') * 10 + (s[1] - '0');
		b = (s[3] - '0') * 10 + (s[4] - '0');
		if ((a + 1) % 100 != b)
			continue;
		if (i >= 2 && is_digit(s[-1]) && is_digit(s[-2])) {
			/* "2016-17": the century is written */
			int century = (s[-2] - '0') * 10 + (s[-1] - '0');

			if (i >= 3 && is_digit(s[-3]))
				continue;
			return century * 100 + a;
		}
		return 2000 + a;
	}
	return -1;
}

int pay_parse_year(const char *s)
{
	int a, b;

	for (size_t i = 0; i < 7; i++)
		if (i == 4 ? s[i] != '/' : !is_digit(s[i]))
			return -1;
	if (s[7])
		return -1;
	a = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	b = (s[5] - '0') * 10 + (s[6] - '0');
	return (a + 1) % 100 == b ? a : -1;
}

void pay_year_label(int start, char *buf)
{
	int a = start % 10000, b = (start + 1) % 100;

	buf[0] = (char)('0' + a / 1000);
	buf[1] = (char)('0' + a / 100 % 10);
	buf[2] = (char)('0' + a / 10 % 10);
	buf[3] = (char)('0' + a % 10);
	buf[4] = '/';
	buf[5] = (char)('0' + b / 10);
	buf[6] = (char)('0' + b % 10);
	buf[7] = '\0';
}

void pay_year_init(struct pay_year *y)
{
	memset(y, 0, sizeof(*y));
}

void pay_year_release(struct pay_year *y)
{
	free(y->path);
	free(y->p);
	free(y->pool);
	free(y->rounding);
	free(y->ccgs);
	free(y->split);
	free(y->history_csv);
	pay_year_init(y);
}

static uint32_t pool_add(struct pay_year *y, const char *s, size_t len)
{
	uint32_t off;

	if (len == 0)
		return 0;
	if (y->pool_len + len + 1 + PAY_POOL_SLACK > y->pool_alloc) {
		size_t n = y->pool_alloc ? y->pool_alloc * 2 : 65536;

		while (n < y->pool_len + len + 1 + PAY_POOL_SLACK)
			n *= 2;
		y->pool = xrealloc(y->pool, n);
		y->pool_alloc = n;
	}
	off = (uint32_t)y->pool_len;
	memcpy(y->pool + off, s, len);
	y->pool[off + len] = '\0';
	y->pool_len += len + 1;	/* the slack is zeroed once, by pay_load_end() */
	return off;
}

/*
 * Zeroed memory for n elements of size sz, written now.  calloc() leaves
 * fresh pages unwritten; the first read of one then maps the shared
 * zero page and the first write replaces it, which in a process with
 * threads flushes every CPU's TLB (an interrupt to each).  Writing the
 * zeros up front makes each page one ordinary fault.
 */
static void *zeroed(size_t n, size_t sz)
{
	void *p = xreallocarray(NULL, n ? n : 1, sz);

	memset(p, 0, (n ? n : 1) * sz);
	return p;
}

/*
 * A set of pool strings (practice or CCG codes) with a value each:
 * open addressing, FNV-1a, sized once for the rows of a file.  Keys are
 * pool offsets, not pointers (strmap.h), because the pool moves as it
 * grows while the file is read.
 */
struct poolmap {
	const struct pay_year *y;
	uint32_t *key;		/* pool offset + 1; 0 = empty slot */
	uint32_t *val;
	size_t mask;
	size_t used;		/* keys held; at most half the slots */
};

static void poolmap_init(struct poolmap *h, const struct pay_year *y, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	h->y = y;
	h->key = zeroed(size, sizeof(*h->key));
	h->val = zeroed(size, sizeof(*h->val));
	h->mask = size - 1;
	h->used = 0;
}

static uint32_t pool_hash(const char *s, size_t len)
{
	uint32_t hash = 2166136261u;

	for (size_t k = 0; k < len; k++)
		hash = (hash ^ (unsigned char)s[k]) * 16777619u;
	return hash;
}

/* Doubles the slots (the size hint was short): rehashes every key. */
static void poolmap_grow(struct poolmap *h)
{
	struct poolmap g;

	poolmap_init(&g, h->y, h->mask + 1);
	for (size_t i = 0; i <= h->mask; i++) {
		size_t j;

		if (!h->key[i])
			continue;
		j = pool_hash(h->y->pool + h->key[i] - 1,
			      strlen(h->y->pool + h->key[i] - 1)) & g.mask;
		while (g.key[j])
			j = (j + 1) & g.mask;
		g.key[j] = h->key[i];
		g.val[j] = h->val[i];
	}
	g.used = h->used;
	free(h->key);
	free(h->val);
	*h = g;
}

static void poolmap_release(struct poolmap *h)
{
	free(h->key);
	free(h->val);
}

/* Room for one more key: at most half the slots are used. */
static void poolmap_reserve(struct poolmap *h)
{
	if (2 * (h->used + 1) > h->mask + 1)
		poolmap_grow(h);
}

/*
 * The value stored for the string s[0..len) (not necessarily in the
 * pool), or NULL; then *slot is where poolmap_add_at() would add it
 * (until the map next changes).
 */
static uint32_t *poolmap_find(struct poolmap *h, const char *s, size_t len,
			      size_t *slot)
{
	size_t i;

	for (i = pool_hash(s, len) & h->mask; h->key[i]; i = (i + 1) & h->mask) {
		const char *k = h->y->pool + h->key[i] - 1;

		if (strncmp(k, s, len) == 0 && k[len] == '\0')
			return &h->val[i];
	}
	*slot = i;
	return NULL;
}

/* Adds pool string off with value v at the slot poolmap_find() gave. */
static void poolmap_add_at(struct poolmap *h, size_t slot, uint32_t off,
			   uint32_t v)
{
	h->key[slot] = off + 1;
	h->val[slot] = v;
	h->used++;
}

/*
 * Finds the string at pool offset off; if absent, adds it with value v.
 * Returns a pointer to the stored value and sets *found.
 */
static uint32_t *poolmap_put(struct poolmap *h, uint32_t off, uint32_t v,
			    bool *found)
{
	const char *s = h->y->pool + off;
	size_t slot = 0;
	uint32_t *val;

	poolmap_reserve(h);
	val = poolmap_find(h, s, strlen(s), &slot);
	*found = val != NULL;
	if (val)
		return val;
	poolmap_add_at(h, slot, off, v);
	return &h->val[slot];
}

/* s[0..len) is word (lower case) but for the case of its ASCII letters. */
static bool equals_nocase(const char *s, size_t len, const char *word)
{
	size_t i = 0;

	for (; i < len && word[i]; i++) {
		char c = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];

		if (c != word[i])
			return false;
	}
	return i == len && word[i] == '\0';
}

/* A contract type (GMS, PMS, APMS, UNKNOWN, any case) into *out. */
static inline bool contract_word(const char *s, size_t len, unsigned char *out)
{
	if (equals_nocase(s, len, "gms"))
		*out = PAY_GMS;
	else if (equals_nocase(s, len, "pms"))
		*out = PAY_PMS;
	else if (equals_nocase(s, len, "apms"))
		*out = PAY_APMS;
	else if (equals_nocase(s, len, "unknown"))
		*out = PAY_CONTRACT_UNKNOWN;
	else
		return false;
	return true;
}

/* A dispensing flag (yes, no, unknown, any case) into *out. */
static inline bool dispensing_word(const char *s, size_t len, unsigned char *out)
{
	if (equals_nocase(s, len, "yes"))
		*out = PAY_DISPENSING_YES;
	else if (equals_nocase(s, len, "no"))
		*out = PAY_DISPENSING_NO;
	else if (equals_nocase(s, len, "unknown"))
		*out = PAY_DISPENSING_UNKNOWN;
	else
		return false;
	return true;
}

/* A practice whose parts differ from its published total. */
struct mismatch {
	size_t practice;
	uint32_t line, col;	/* of the total's cell */
	int64_t parts;
};

/* Where the fields of a line start and end (pay_load_plain()). */
struct plain_scan {
	uint32_t *starts, *ends;	/* n_cols + 16 each */
	size_t n_cols, nf;
	size_t start;			/* of the field being read */
	bool inq;			/* inside its quotes */
	bool closed;			/* its closing quote seen */
};

struct pay_loader {
	struct pay_year *y;
	const struct csv_table *t;	/* the header (rows may be streamed) */
	const struct pay_layout *l;
	enum status st;
	struct poolmap practices, ccgs;	/* ccgs: code -> group */
	struct mismatch *mm;
	size_t n_mm, alloc_mm;
	uint32_t *grp;		/* per practice: its CCG's group */
	size_t grp_alloc;
	uint32_t *grp_first;	/* per group: its first practice */
	size_t n_grps, grp_first_alloc;
	/* pay_load_plain(): what to do with each column (enum plain_act) */
	unsigned char *act;
	uint32_t *arg;		/* its op, text field or nothing */
	struct plain_scan scan;
};

/* What pay_load_plain() does with a column. */
enum plain_act {
	PLAIN_SKIP,
	PLAIN_AMOUNT,		/* arg: index into l->ops */
	PLAIN_TEXT,		/* arg: enum pay_text */
	PLAIN_CONTRACT,
	PLAIN_DISPENSING,
	PLAIN_REGISTERED,
	PLAIN_WEIGHTED
};

/* Reports "column 'H': 'value' <what><extra>" at the cell. */
static void cell_error(struct pay_loader *ld, const struct csv_cell *cell,
		       const char *what, const char *extra)
{
	const char *value = csv_text(ld->t, cell);
	struct srcloc loc;
	char q[128];
	const char *header;

	csv_loc(ld->t, cell, &loc);
	header = csv_text(ld->t, csv_header(ld->t, (size_t)(cell - ld->t->cells) %
					      ld->t->n_cols));
	diag_quote(q, sizeof(q), value, strlen(value));
	diag_at(DIAG_ERROR, &loc, "column '%s': '%s' %s%s", header, q, what, extra);
	ld->st = ST_DATA;
}

/* Parses an amount cell into *out; reports a bad one at the cell. */
static bool amount(struct pay_loader *ld, const struct csv_cell *cell,
		   int64_t *out)
{
	const char *s = csv_text(ld->t, cell);
	enum num_err e;

	e = cell->off + MONEY_PARSE_PAD <= ld->t->readable
				 ? money_parse_padded(s, cell->len, NUM_ROUND_REJECT, out)
				 : money_parse(s, cell->len, NUM_ROUND_REJECT, out);
	if (e == NUM_OK)
		return true;
	cell_error(ld, cell, "is not an amount", num_reason(e));
	return false;
}

static bool list_size(struct pay_loader *ld, const struct csv_cell *cell,
		      int64_t *out)
{
	const char *s = csv_text(ld->t, cell);
	enum num_err e;

	e = cell->off + MONEY_PARSE_PAD <= ld->t->readable
		    ? fixed9_parse_padded(s, cell->len, NUM_ROUND_REJECT, out)
		    : fixed_parse(s, cell->len, PAY_LIST_DECIMALS, NUM_ROUND_REJECT, out);

	if (e != NUM_OK) {
		cell_error(ld, cell, "is not a number of patients", num_reason(e));
		return false;
	}
	if (*out < 0) {
		cell_error(ld, cell, "is negative", "");
		return false;
	}
	return true;
}

static bool add(int64_t *acc, int64_t v)
{
	return !__builtin_add_overflow(*acc, v, acc);
}

/*
 * Parses row r into p; returns false if anything in it was bad.  The
 * hot loop of the import: amounts are most of the cells and nearly half
 * of them are "0", which adds nothing and is skipped first.
 */
static bool load_row(struct pay_loader *ld, const struct csv_cell *row,
		     struct pay_practice *p, int64_t *les_parts)
{
	const struct csv_table *t = ld->t;
	const struct pay_layout *l = ld->l;
	struct pay_year *y = ld->y;
	bool ok = true, overflow = false, pence = false;
	/* the parts of the total in a register: most cells add to them */
	int64_t v, parts = 0, sum[PAY_N_SLOTS] = { 0 };
	int64_t *split = y->split ? y->split + (size_t)p->split_row * y->n_split : NULL;
	const struct csv_cell *over_cell = NULL;	/* where a sum first overflowed */

	for (size_t j = 0; j < l->n_ops; j++) {
		const struct pay_amount_op *op = &l->ops[j];
		const struct csv_cell *cell = row + op->col;

		if (cell->len == 1 && t->text[cell->off] == '0')
			continue;
		if (!amount(ld, cell, &v)) {
			ok = false;
			continue;
		}
		pence |= v % 100 != 0;
		if (op->set) {
			sum[op->slot[0]] = v;
			continue;
		}
		if (op->in_parts)
			overflow |= !add(&parts, v);
		switch (op->n_slots) {
		case 3:
			overflow |= !add(&sum[op->slot[2]], v);
			/* fall through */
		case 2:
			overflow |= !add(&sum[op->slot[1]], v);
			/* fall through */
		default:
			overflow |= !add(&sum[op->slot[0]], v);
		}
		if (split && op->split >= 0)
			overflow |= !add(&split[op->split], v);
		if (overflow && !over_cell)
			over_cell = cell;
	}
	memcpy(p->m, sum, sizeof(p->m));
	if (pence)
		y->whole_pounds = false;
	*les_parts = sum[PAY_SLOT_LES_PARTS];
	if (!overflow && !add(&y->parts_sum, parts)) {
		struct srcloc loc;

		csv_loc(t, row, &loc);
		diag_at(DIAG_ERROR, &loc, "the amounts of the file up to this row are too large "
			"to add up (over £92,233,720,368,547,758.07)");
		ld->st = ST_DATA;
		ok = false;
	}
	for (size_t j = 0; j < l->n_other_cols; j++) {
		size_t c = l->other_cols[j];
		const struct csv_cell *cell = row + c;
		const struct pay_col *pc = &l->cols[c];
		const char *s = csv_text(t, cell);

		switch (pc->role) {
		case PAY_ROLE_TEXT:
			p->text[pc->target] = pool_add(y, s, cell->len);
			break;
		case PAY_ROLE_CONTRACT:
			if (!contract_word(s, cell->len, &p->contract)) {
				cell_error(ld, cell, "is not a contract type",
					   " (expected GMS, PMS, APMS or UNKNOWN)");
				ok = false;
			}
			break;
		case PAY_ROLE_DISPENSING:
			if (!dispensing_word(s, cell->len, &p->dispensing)) {
				cell_error(ld, cell, "is not yes, no or unknown", "");
				ok = false;
			}
			break;
		case PAY_ROLE_REGISTERED:
			ok &= list_size(ld, cell, &p->registered);
			break;
		case PAY_ROLE_WEIGHTED:
			ok &= list_size(ld, cell, &p->weighted);
			break;
		case PAY_ROLE_INFO:
		case PAY_ROLE_DERIVED:
		case PAY_ROLE_COMPONENT:
		case PAY_ROLE_LES_PART:
		case PAY_ROLE_TOTAL:
		case PAY_ROLE_DEDUCTIONS:
		case PAY_ROLE_PCN_OUTSIDE:
		case PAY_ROLE_COVID_OUTSIDE:
			break;
		}
	}
	if (overflow) {
		cell_error(ld, over_cell, "makes the amounts on this row too large to add up",
			   " (over £92,233,720,368,547,758.07)");
		ok = false;
	}
	return ok;
}

/* Checks that a practice's code and CCG code are there. */
static bool check_codes(struct pay_loader *ld, const struct csv_cell *row,
			const struct pay_practice *p)
{
	static const enum pay_text need[] = { PAY_PRACTICE_CODE, PAY_CCG_CODE };
	bool ok = true;

	for (size_t i = 0; i < 2; i++) {
		if (p->text[need[i]] == 0) {
			const struct csv_cell *cell =
				row + ld->l->text_col[need[i]];
			struct srcloc loc;

			csv_loc(ld->t, cell, &loc);
			diag_at(DIAG_ERROR, &loc, "column '%s': empty %s",
				csv_text(ld->t, csv_header(ld->t, (size_t)ld->l->text_col[need[i]])),
				need[i] == PAY_PRACTICE_CODE ? "practice code" : "CCG code");
			ld->st = ST_DATA;
			ok = false;
		}
	}
	return ok;
}

/*
 * A sort key: two strings and the index of what they belong to, with
 * the first 8 bytes of each packed big-endian so that most comparisons
 * are of integers (codes are 3 to 6 characters).
 */
struct sort_key {
	uint64_t pa, pb;
	const char *a, *b;
	size_t idx;
};

static uint64_t prefix8(const char *s)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < 8 && s[i]; i++)
		v = v << 8 | (unsigned char)s[i];
	return i ? v << (8 * (8 - i)) : 0;	/* a shift by 64 is undefined */
}

static struct sort_key make_key(const char *a, const char *b, size_t idx)
{
	return (struct sort_key){ prefix8(a), prefix8(b), a, b, idx };
}

/* Orders as strcmp(a) then strcmp(b) would. */
static int by_key(const void *x, const void *z)
{
	const struct sort_key *p = x, *q = z;
	int c;

	if (p->pa != q->pa)
		return p->pa < q->pa ? -1 : 1;
	/* equal prefixes: the strings differ only if both go on */
	if ((p->pa & 0xff) && (c = strcmp(p->a + 8, q->a + 8)) != 0)
		return c;
	if (p->pb != q->pb)
		return p->pb < q->pb ? -1 : 1;
	return (p->pb & 0xff) ? strcmp(p->b + 8, q->b + 8) : 0;
}

/*
 * Sorts n elements of size sz at base by the keys (filled by the caller,
 * idx = element index), keeping the order stable in effect because no
 * two keys are equal (or their elements are interchangeable).
 */
static void sort_by_keys(void *base, size_t n, size_t sz, struct sort_key *k)
{
	char *tmp;

	if (n < 2)
		return;	/* also keeps NULL away from qsort and memcpy */
	qsort(k, n, sizeof(*k), by_key);
	tmp = xreallocarray(NULL, n ? n : 1, sz);
	for (size_t i = 0; i < n; i++)
		memcpy(tmp + i * sz, (char *)base + k[i].idx * sz, sz);
	memcpy(base, tmp, n * sz);
	free(tmp);
}

/*
 * Sorts y's practices by CCG code, then practice code.  grp[i] is the
 * group (CCG) of practice i and first[g] the first practice of group g:
 * the groups are put in code order and the practices dealt out to them
 * in file order (a counting sort), which is already practice code order
 * in the published files; a group that is not gets sorted on its own.
 */
static void sort_practices(struct pay_year *y, const uint32_t *grp,
			   const uint32_t *first, size_t n_grps)
{
	struct sort_key *k = xreallocarray(NULL, (n_grps > y->n ? n_grps : y->n) + 1,
					   sizeof(*k));
	size_t *at = xcalloc(n_grps + 1, sizeof(*at));
	uint32_t *rank = xreallocarray(NULL, n_grps + 1, sizeof(*rank));
	size_t *order = xreallocarray(NULL, y->n + 1, sizeof(*order));
	struct pay_practice tmp;

	if (y->n < 2)
		goto out;
	for (size_t g = 0; g < n_grps; g++)
		k[g] = make_key(pay_text(y, &y->p[first[g]], PAY_CCG_CODE), "", g);
	qsort(k, n_grps, sizeof(*k), by_key);
	for (size_t r = 0; r < n_grps; r++)
		rank[k[r].idx] = (uint32_t)r;
	for (size_t i = 0; i < y->n; i++)
		at[rank[grp[i]] + 1]++;
	for (size_t r = 0; r < n_grps; r++)
		at[r + 1] += at[r];
	for (size_t i = 0; i < y->n; i++)
		order[at[rank[grp[i]]]++] = i;
	/* at[r] is now the end of group r */
	for (size_t r = 0, lo = 0; r < n_grps; lo = at[r++]) {
		bool sorted = true;

		for (size_t i = lo + 1; i < at[r] && sorted; i++)
			sorted = strcmp(pay_text(y, &y->p[order[i - 1]], PAY_PRACTICE_CODE),
					pay_text(y, &y->p[order[i]], PAY_PRACTICE_CODE)) < 0;
		if (sorted)
			continue;
		for (size_t i = lo; i < at[r]; i++)
			k[i - lo] = make_key(pay_text(y, &y->p[order[i]], PAY_PRACTICE_CODE),
					     "", order[i]);
		qsort(k, at[r] - lo, sizeof(*k), by_key);
		for (size_t i = lo; i < at[r]; i++)
			order[i] = k[i - lo].idx;
	}
	/*
	 * Practice i goes to where order says, in place, one cycle of the
	 * permutation at a time: a copy of the array would be a megabyte
	 * of fresh pages per year, and their faults cost more than the sort.
	 */
	for (size_t i = 0; i < y->n; i++) {
		size_t j = i;

		if (order[i] == i)
			continue;
		tmp = y->p[i];
		for (;;) {
			size_t from = order[j];

			order[j] = j;	/* placed */
			if (from == i) {
				y->p[j] = tmp;
				break;
			}
			y->p[j] = y->p[from];
			j = from;
		}
	}
out:
	free(k);
	free(at);
	free(rank);
	free(order);
}

/*
 * Settles the practices whose parts differ from their total: errors in
 * a file with pence; in a whole-pound file, kept per CCG when within
 * the rounding of the amounts involved (each cell, the total included,
 * is off by at most 50p).
 */
static void settle_mismatches(struct pay_loader *ld, struct mismatch *mm,
			      size_t n_mm)
{
	struct pay_year *y = ld->y;
	const struct csv_table *t = ld->t;
	int64_t bound = 50 * ((int64_t)ld->l->n_components + 1);
	struct poolmap ccgs;

	poolmap_init(&ccgs, y, n_mm);
	for (size_t i = 0; i < n_mm; i++) {
		const struct pay_practice *p = &y->p[mm[i].practice];
		int64_t total = p->m[PAY_TOTAL_PUBLISHED];
		int64_t diff = mm[i].parts - total;
		bool found;
		uint32_t *slot;

		if (!y->whole_pounds || diff > bound || diff < -bound) {
			struct srcloc loc;
			char a[MONEY_BUFSZ], b[MONEY_BUFSZ], d[MONEY_BUFSZ];

			loc = (struct srcloc){ t->path, mm[i].line, mm[i].col };
			diag_at(DIAG_ERROR, &loc,
				"practice '%s': the payments add up to %s but '%s' "
				"is %s (difference %s%s)",
				pay_text(y, p, PAY_PRACTICE_CODE),
				money_format(mm[i].parts, a),
				csv_text(t, csv_header(t, (size_t)ld->l->total_col)),
				money_format(total, b), money_format(diff, d),
				y->whole_pounds ? ", more than whole-pound rounding explains" : "");
			ld->st = ST_DATA;
			continue;
		}
		slot = poolmap_put(&ccgs, p->text[PAY_CCG_CODE],
				  (uint32_t)y->n_rounding, &found);
		if (!found) {
			y->rounding = xreallocarray(y->rounding, y->n_rounding + 1,
						    sizeof(*y->rounding));
			y->rounding[y->n_rounding++] = (struct pay_rounding){
				p->text[PAY_CCG_CODE], 0, 0 };
		}
		y->rounding[*slot].practices++;
		y->rounding[*slot].diff += diff;
	}
	poolmap_release(&ccgs);
	{
		struct sort_key *k = xreallocarray(NULL, y->n_rounding + 1, sizeof(*k));

		for (size_t i = 0; i < y->n_rounding; i++)
			k[i] = make_key(y->pool + y->rounding[i].ccg, "", i);
		sort_by_keys(y->rounding, y->n_rounding, sizeof(*y->rounding), k);
		free(k);
	}
}

struct pay_loader *pay_load_begin(struct pay_year *y,
				  const struct csv_table *t,
				  const struct pay_layout *l, int start,
				  size_t max_rows)
{
	struct pay_loader *ld = xcalloc(1, sizeof(*ld));

	ld->y = y;
	ld->t = t;
	ld->l = l;
	ld->st = ST_OK;
	y->path = xstrdup(t->path);
	y->start = start;
	pay_year_label(start, y->label);
	memcpy(y->has, l->has, sizeof(y->has));
	y->has_pcn = l->has_pcn;
	y->whole_pounds = true;
	y->alloc = max_rows ? max_rows : 1;
	/* not zeroed: each row writes its whole record (the pages once) */
	y->p = xreallocarray(NULL, y->alloc, sizeof(*y->p));
	if (l->n_split) {
		y->n_split = l->n_split;
		y->split = zeroed(y->alloc * l->n_split, sizeof(*y->split));
	}
	/*
	 * Room for 256 bytes of text a row (up to 64 MiB; it grows past
	 * that), about twice what the published rows hold: the pool is not
	 * copied as it grows (the copies faulted in fresh pages), and the
	 * pages it does not use are never touched.
	 */
	y->pool_alloc = y->alloc < 256 ? 65536
			: y->alloc < ((size_t)64 << 20) / 256 ? y->alloc * 256
							      : (size_t)64 << 20;
	y->pool = xmalloc(y->pool_alloc);
	y->pool[0] = '\0';	/* "" at offset 0; the slack is zeroed at the end */
	y->pool_len = 1;
	ld->grp_alloc = y->alloc;
	ld->grp = xreallocarray(NULL, ld->grp_alloc, sizeof(*ld->grp));
	poolmap_init(&ld->practices, y, max_rows);
	poolmap_init(&ld->ccgs, y, max_rows);
	ld->act = xcalloc(t->n_cols ? t->n_cols : 1, sizeof(*ld->act));
	ld->arg = xcalloc(t->n_cols ? t->n_cols : 1, sizeof(*ld->arg));
	ld->scan.n_cols = t->n_cols;
	ld->scan.starts = xcalloc(t->n_cols + 16, sizeof(*ld->scan.starts));
	ld->scan.ends = xcalloc(t->n_cols + 16, sizeof(*ld->scan.ends));
	for (size_t j = 0; j < l->n_ops; j++) {
		ld->act[l->ops[j].col] = PLAIN_AMOUNT;
		ld->arg[l->ops[j].col] = (uint32_t)j;
	}
	for (size_t j = 0; j < l->n_other_cols; j++) {
		size_t c = l->other_cols[j];

		switch (l->cols[c].role) {
		case PAY_ROLE_TEXT:
			ld->act[c] = PLAIN_TEXT;
			ld->arg[c] = (uint32_t)l->cols[c].target;
			break;
		case PAY_ROLE_CONTRACT:
			ld->act[c] = PLAIN_CONTRACT;
			break;
		case PAY_ROLE_DISPENSING:
			ld->act[c] = PLAIN_DISPENSING;
			break;
		case PAY_ROLE_REGISTERED:
			ld->act[c] = PLAIN_REGISTERED;
			break;
		case PAY_ROLE_WEIGHTED:
			ld->act[c] = PLAIN_WEIGHTED;
			break;
		case PAY_ROLE_INFO:
		case PAY_ROLE_DERIVED:
		case PAY_ROLE_COMPONENT:
		case PAY_ROLE_LES_PART:
		case PAY_ROLE_TOTAL:
		case PAY_ROLE_DEDUCTIONS:
		case PAY_ROLE_PCN_OUTSIDE:
		case PAY_ROLE_COVID_OUTSIDE:
			BUG("column %zu in other_cols with role %d", c, (int)l->cols[c].role);
		}
	}
	return ld;
}

/* Room for one more practice (max_rows was only a hint). */
static void reserve_practice(struct pay_year *y)
{
	size_t old = y->alloc;

	if (y->n < old)
		return;
	y->alloc = old * 2;
	y->p = xreallocarray(y->p, y->alloc, sizeof(*y->p));
	if (y->split) {
		y->split = xreallocarray(y->split, y->alloc * y->n_split,
					 sizeof(*y->split));
		memset(y->split + old * y->n_split, 0,
		       (y->alloc - old) * y->n_split * sizeof(*y->split));
	}
}

bool pay_load_row(struct pay_loader *ld, const struct csv_cell *row)
{
	struct pay_year *y = ld->y;
	const struct csv_table *t = ld->t;
	const struct pay_layout *l = ld->l;
	struct pay_practice *p;
	int64_t les_parts, parts = 0;
	bool found;
	uint32_t *first, gid;

	reserve_practice(y);
	p = &y->p[y->n];
	memset(p, 0, sizeof(*p));
	p->line = row[0].line;
	p->split_row = (uint32_t)y->n;
	/* '&', not '&&': both run, so both report */
	if (!((int)load_row(ld, row, p, &les_parts) &
	      (int)check_codes(ld, row, p))) {
		memset(p, 0, sizeof(*p));
		if (y->split)
			memset(y->split + y->n * y->n_split, 0,
			       y->n_split * sizeof(*y->split));
		return !diag_limit_reached();
	}

	first = poolmap_put(&ld->practices, p->text[PAY_PRACTICE_CODE],
			    p->line, &found);
	if (found) {
		struct srcloc loc;

		csv_loc(t, row + l->text_col[PAY_PRACTICE_CODE], &loc);
		diag_at(DIAG_ERROR, &loc,
			"practice '%s' is listed twice (first on line %u)",
			pay_text(y, p, PAY_PRACTICE_CODE), *first);
		ld->st = ST_DATA;
	}
	first = poolmap_put(&ld->ccgs, p->text[PAY_CCG_CODE],
			    (uint32_t)ld->n_grps, &found);
	gid = *first;
	if (!found) {
		ALLOC_GROW(ld->grp_first, ld->n_grps + 1, ld->grp_first_alloc);
		ld->grp_first[ld->n_grps++] = (uint32_t)y->n;
	} else {
		const struct pay_practice *fp = &y->p[ld->grp_first[gid]];

		if (strcmp(pay_text(y, p, PAY_CCG_NAME),
			   pay_text(y, fp, PAY_CCG_NAME)) != 0) {
			struct srcloc loc;

			csv_loc(t, row + l->text_col[PAY_CCG_NAME], &loc);
			diag_at(DIAG_ERROR, &loc,
				"CCG '%s' is named '%s' here but '%s' on line %u",
				pay_text(y, p, PAY_CCG_CODE), pay_text(y, p, PAY_CCG_NAME),
				pay_text(y, fp, PAY_CCG_NAME), fp->line);
			ld->st = ST_DATA;
		} else {
			/* one copy of a CCG's code and name: compared by offset */
			p->text[PAY_CCG_CODE] = fp->text[PAY_CCG_CODE];
			p->text[PAY_CCG_NAME] = fp->text[PAY_CCG_NAME];
		}
	}
	ALLOC_GROW(ld->grp, y->n + 1, ld->grp_alloc);
	ld->grp[y->n] = gid;
	if (l->first_les_part >= 0 && les_parts != p->m[PAY_MEMO_LOCAL_ES]) {
		struct srcloc loc;
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ], d[MONEY_BUFSZ];

		csv_loc(t, row + l->first_les_part, &loc);
		diag_at(DIAG_ERROR, &loc,
			"practice '%s': the parts of the local enhanced services "
			"add up to %s but their total is %s (difference %s)",
			pay_text(y, p, PAY_PRACTICE_CODE), money_format(les_parts, a),
			money_format(p->m[PAY_MEMO_LOCAL_ES], b),
			money_format(les_parts - p->m[PAY_MEMO_LOCAL_ES], d));
		ld->st = ST_DATA;
	}
	for (size_t k = 0; k < PAY_N_CATS; k++)
		parts += p->m[k];	/* each cell was added without overflow */
	if (parts != p->m[PAY_TOTAL_PUBLISHED]) {
		const struct csv_cell *c = row + l->total_col;

		ALLOC_GROW(ld->mm, ld->n_mm + 1, ld->alloc_mm);
		ld->mm[ld->n_mm++] = (struct mismatch){ y->n, c->line, c->col, parts };
	}
	y->n++;
	return !diag_limit_reached();
}

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * A line's commas and quotes in order, from a chunk that has quotes or
 * starts inside a quoted field (plain_fields()): a quote may open a
 * field only at its start, and must close it right before a comma or
 * the end of the line; commas inside count for nothing.  Returns false
 * at anything else (a quote inside a field, a doubled quote).
 */
static bool plain_events(const char *line, size_t len, size_t k,
			 unsigned commas, unsigned quotes, struct plain_scan *sc)
{
	unsigned ev = commas | quotes;

	for (; ev; ev &= ev - 1) {
		unsigned b = (unsigned)__builtin_ctz(ev);
		size_t pos = k + b;

		if (sc->inq) {
			if (!(quotes >> b & 1))
				continue;	/* a comma in the quotes */
			if (pos + 1 < len && line[pos + 1] != ',')
				return false;	/* doubled, or more after it */
			sc->ends[sc->nf] = (uint32_t)pos;
			sc->inq = false;
			sc->closed = true;
		} else if (quotes >> b & 1) {
			if (pos != sc->start || sc->closed)
				return false;	/* a quote inside a field */
			sc->starts[sc->nf] = (uint32_t)pos + 1;
			sc->inq = true;
		} else {
			if (!sc->closed) {
				sc->starts[sc->nf] = (uint32_t)sc->start;
				sc->ends[sc->nf] = (uint32_t)pos;
			}
			sc->closed = false;
			if (++sc->nf >= sc->n_cols)
				return false;	/* too many fields */
			sc->start = pos + 1;
		}
	}
	return true;
}

/*
 * One chunk of plain_fields(): the 16 bytes at line + k, of which the
 * bits of keep are the line's.  Returns false where plain_fields() does.
 */
__attribute__((always_inline))
static inline bool plain_chunk(const char *line, size_t len, size_t k,
			       unsigned keep, struct plain_scan *sc,
			       size_t *nf_io, size_t *start_io, bool *quoted)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(line + k));
	unsigned bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
		_mm_cmpeq_epi8(v, _mm_setzero_si128())));
	unsigned commas = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	unsigned quotes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
	size_t nf = *nf_io, start = *start_io;

	bad |= (unsigned)_mm_movemask_epi8(v);	/* non-ASCII */
	if ((bad & keep) != 0)
		return false;
	commas &= keep;
	quotes &= keep;
	if (quotes || *quoted) {
		sc->nf = nf;
		sc->start = start;
		if (!plain_events(line, len, k, commas, quotes, sc))
			return false;
		*nf_io = sc->nf;
		*start_io = sc->start;
		*quoted = sc->inq || sc->closed;
		return true;
	}
	/* the usual chunk: commas only, fields unquoted */
	for (; commas; commas &= commas - 1) {
		size_t pos = k + (unsigned)__builtin_ctz(commas);

		sc->starts[nf] = (uint32_t)start;
		sc->ends[nf++] = (uint32_t)pos;
		start = pos + 1;
	}
	*nf_io = nf;
	*start_io = start;
	return nf < sc->n_cols;	/* else too many fields (16 slots to spare) */
}

/*
 * Phase 1 of pay_load_plain(): where each of the line's fields starts
 * and ends (the text between its quotes, if quoted) into sc; false if
 * the line has a CR, NUL or non-ASCII byte, a quote that does not wrap
 * a whole field, or not exactly n_cols fields.  16 bytes at a time; the
 * bytes read past len are the caller's padding and are masked off.
 */
static bool plain_fields(const char *line, size_t len, struct plain_scan *sc)
{
	size_t nf = 0, start = 0, k = 0;
	bool quoted = false;	/* in a quoted field, or just after one */

	sc->inq = sc->closed = false;
	for (; k + 16 <= len; k += 16)
		if (!plain_chunk(line, len, k, 0xFFFFu, sc, &nf, &start, &quoted))
			return false;
	if (k < len &&
	    !plain_chunk(line, len, k, (1u << (len - k)) - 1, sc, &nf, &start, &quoted))
		return false;
	if (sc->inq)
		return false;	/* goes on to the next line */
	if (!sc->closed) {
		sc->starts[nf] = (uint32_t)start;
		sc->ends[nf] = (uint32_t)len;
	}
	return ++nf == sc->n_cols;
}

int pay_load_plain(struct pay_loader *ld, const char *line, size_t len,
		   unsigned long lineno)
{
	const struct pay_layout *l = ld->l;
	struct pay_year *y = ld->y;
	struct pay_practice p;
	int64_t v, parts = 0, cats = 0, parts_sum, sum[PAY_N_SLOTS] = { 0 };
	bool overflow = false, pence = false;
	uint32_t *g, gid;
	size_t pslot = 0, gslot = 0;
	const char *code;

	if (y->split || ld->st != ST_OK || lineno > UINT32_MAX || len >= UINT32_MAX)
		return 0;
	if (!plain_fields(line, len, &ld->scan))
		return 0;
	memset(&p, 0, sizeof(p));
	/* the amounts first, as load_row() takes them */
	for (size_t j = 0; j < l->n_ops; j++) {
		const struct pay_amount_op *op = &l->ops[j];
		size_t c = op->col, at = ld->scan.starts[c];
		size_t n = ld->scan.ends[c] - at;
		const char *f = line + at;

		if (n == 1 && f[0] == '0')
			continue;	/* nearly half of all amounts */
		if (money_parse_padded(f, n, NUM_ROUND_REJECT, &v) != NUM_OK)
			return 0;
		pence |= v % 100 != 0;
		if (op->set) {
			sum[op->slot[0]] = v;
			continue;
		}
		/*
		 * load_row()'s sums, written out again: an inline function
		 * shared by the two loops made this one 5.6 M instructions
		 * (1%) dearer over the nine files (callgrind).
		 */
		if (op->in_parts)
			overflow |= !add(&parts, v);
		switch (op->n_slots) {
		case 3:
			overflow |= !add(&sum[op->slot[2]], v);
			/* fall through */
		case 2:
			overflow |= !add(&sum[op->slot[1]], v);
			/* fall through */
		default:
			overflow |= !add(&sum[op->slot[0]], v);
		}
	}
	for (size_t j = 0; j < l->n_other_cols; j++) {
		size_t c = l->other_cols[j], at = ld->scan.starts[c];
		size_t n = ld->scan.ends[c] - at;
		const char *f = line + at;

		switch ((enum plain_act)ld->act[c]) {
		case PLAIN_SKIP:
		case PLAIN_AMOUNT:
			break;
		case PLAIN_TEXT:
			p.text[ld->arg[c]] = pool_add(y, f, n);
			break;
		case PLAIN_CONTRACT:
			if (!contract_word(f, n, &p.contract))
				return 0;
			break;
		case PLAIN_DISPENSING:
			if (!dispensing_word(f, n, &p.dispensing))
				return 0;
			break;
		case PLAIN_REGISTERED:
		case PLAIN_WEIGHTED: {
			int64_t *out = ld->act[c] == PLAIN_REGISTERED ? &p.registered
								      : &p.weighted;

			if (fixed9_parse_padded(f, n, NUM_ROUND_REJECT, out) != NUM_OK ||
			    *out < 0)
				return 0;
			break;
		}
		}
	}
	/* what pay_load_row() would report, it is left to report */
	memcpy(p.m, sum, sizeof(p.m));
	if (overflow || __builtin_add_overflow(y->parts_sum, parts, &parts_sum) ||
	    !p.text[PAY_PRACTICE_CODE] || !p.text[PAY_CCG_CODE] ||
	    (l->first_les_part >= 0 && sum[PAY_SLOT_LES_PARTS] != p.m[PAY_MEMO_LOCAL_ES]))
		return 0;
	code = y->pool + p.text[PAY_PRACTICE_CODE];
	poolmap_reserve(&ld->practices);
	if (poolmap_find(&ld->practices, code, strlen(code), &pslot))
		return 0;	/* listed twice */
	code = y->pool + p.text[PAY_CCG_CODE];
	poolmap_reserve(&ld->ccgs);
	g = poolmap_find(&ld->ccgs, code, strlen(code), &gslot);
	if (g) {
		const struct pay_practice *fp = &y->p[ld->grp_first[*g]];

		if (strcmp(pay_text(y, &p, PAY_CCG_NAME), pay_text(y, fp, PAY_CCG_NAME)) != 0)
			return 0;	/* a second name */
		p.text[PAY_CCG_CODE] = fp->text[PAY_CCG_CODE];
		p.text[PAY_CCG_NAME] = fp->text[PAY_CCG_NAME];
		gid = *g;
	} else {
		gid = (uint32_t)ld->n_grps;
	}

	/* the row is good: keep it */
	reserve_practice(y);
	p.line = (uint32_t)lineno;
	p.split_row = (uint32_t)y->n;
	poolmap_add_at(&ld->practices, pslot, p.text[PAY_PRACTICE_CODE], p.line);
	if (!g) {
		poolmap_add_at(&ld->ccgs, gslot, p.text[PAY_CCG_CODE], gid);
		ALLOC_GROW(ld->grp_first, ld->n_grps + 1, ld->grp_first_alloc);
		ld->grp_first[ld->n_grps++] = (uint32_t)y->n;
	}
	ALLOC_GROW(ld->grp, y->n + 1, ld->grp_alloc);
	ld->grp[y->n] = gid;
	y->parts_sum = parts_sum;
	if (pence)
		y->whole_pounds = false;
	for (size_t k = 0; k < PAY_N_CATS; k++)
		cats += p.m[k];	/* each cell was added without overflow */
	if (cats != p.m[PAY_TOTAL_PUBLISHED]) {
		size_t tc = (size_t)l->total_col;
		/* the total's column: where its field starts, at its quote if quoted */
		uint32_t at = ld->scan.starts[tc];
		uint32_t col = at + 1 - (at > 0 && line[at - 1] == '"');

		ALLOC_GROW(ld->mm, ld->n_mm + 1, ld->alloc_mm);
		ld->mm[ld->n_mm++] = (struct mismatch){ y->n, p.line, col, cats };
	}
	y->p[y->n++] = p;
	return 1;
}
#else
int pay_load_plain(struct pay_loader *ld, const char *line, size_t len,
		   unsigned long lineno)
{
	(void)ld, (void)line, (void)len, (void)lineno;
	return 0;
}
#endif

enum status pay_load_end(struct pay_loader *ld, enum status read_st)
{
	struct pay_year *y = ld->y;
	enum status st;

	/* a failed read may have released the table the messages need */
	if (ld->n_mm && read_st == ST_OK)
		settle_mismatches(ld, ld->mm, ld->n_mm);
	free(ld->mm);
	free(ld->act);
	free(ld->arg);
	free(ld->scan.starts);
	free(ld->scan.ends);
	poolmap_release(&ld->practices);
	poolmap_release(&ld->ccgs);
	st = status_worst(read_st, ld->st);
	if (st == ST_OK && diag_limit_reached())
		st = ST_DATA;
	if (st != ST_OK) {
		free(ld->grp);
		free(ld->grp_first);
		free(ld);
		pay_year_release(y);
		return st;
	}
	memset(y->pool + y->pool_len, 0, PAY_POOL_SLACK);	/* pool_add() left room */
	sort_practices(y, ld->grp, ld->grp_first, ld->n_grps);
	free(ld->grp);
	free(ld->grp_first);
	free(ld);
	st = pay_year_ccgs(y, &y->ccgs, &y->n_ccgs);
	if (st != ST_OK) {
		pay_year_release(y);
		return st;
	}
	pay_national(y->ccgs, y->n_ccgs, &y->national);
	return ST_OK;
}

enum status pay_year_load(struct pay_year *y, const struct csv_table *t,
			  const struct pay_layout *l, int start)
{
	struct pay_loader *ld = pay_load_begin(y, t, l, start, t->n_rows);

	for (size_t r = 0; r < t->n_rows; r++)
		if (!pay_load_row(ld, csv_at(t, r, 0)))
			break;
	return pay_load_end(ld, ST_OK);
}

/* ------------------------------------------------------------------ */
/* CCG totals                                                            */

static bool ccg_add(struct pay_ccg *c, const struct pay_practice *p)
{
	bool ok = true;

	c->practices++;
	ok &= add(&c->registered, p->registered);
	ok &= add(&c->weighted, p->weighted);
	for (size_t k = 0; k < PAY_N_MONEY; k++)
		ok &= add(&c->m[k], p->m[k]);
	return ok;
}

static bool ccg_add_ccg(struct pay_ccg *c, const struct pay_ccg *d)
{
	bool ok = true;

	c->practices += d->practices;
	ok &= add(&c->registered, d->registered);
	ok &= add(&c->weighted, d->weighted);
	for (size_t k = 0; k < PAY_N_MONEY; k++)
		ok &= add(&c->m[k], d->m[k]);
	return ok;
}

enum status pay_year_ccgs(const struct pay_year *y, struct pay_ccg **out,
			  size_t *n_out)
{
	struct pay_ccg *c = NULL, direct, via_ccgs;
	size_t n = 0, alloc = 0;
	int64_t parts = 0;
	bool ok = true;

	memset(&direct, 0, sizeof(direct));
	memset(&via_ccgs, 0, sizeof(via_ccgs));
	for (size_t i = 0; i < y->n; i++) {
		const struct pay_practice *p = &y->p[i];
		const char *code = pay_text(y, p, PAY_CCG_CODE);

		if (n == 0 || (c[n - 1].code != code && strcmp(c[n - 1].code, code) != 0)) {
			ALLOC_GROW(c, n + 1, alloc);
			memset(&c[n], 0, sizeof(c[n]));
			c[n].code = code;
			c[n].name = pay_text(y, p, PAY_CCG_NAME);
			n++;
		}
		ok &= ccg_add(&c[n - 1], p);
		ok &= ccg_add(&direct, p);
	}
	for (size_t i = 0; i < n; i++) {
		int64_t sum = 0;

		ok &= ccg_add_ccg(&via_ccgs, &c[i]);
		for (size_t k = 0; k < PAY_N_CATS; k++)
			ok &= add(&sum, c[i].m[k]);
		ok &= add(&parts, sum);
	}
	if (!ok) {
		diag_at(DIAG_ERROR, &(struct srcloc){ y->path, 0, 0 },
			"the amounts are too large to add up");
		free(c);
		return ST_DATA;
	}
	/* the same money counted two ways, and against the cells as read */
	if (parts != y->parts_sum || direct.practices != via_ccgs.practices ||
	    direct.registered != via_ccgs.registered ||
	    direct.weighted != via_ccgs.weighted ||
	    memcmp(direct.m, via_ccgs.m, sizeof(direct.m)) != 0) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		diag_at(DIAG_ERROR, &(struct srcloc){ y->path, 0, 0 },
			"internal error: CCG totals do not reconcile (categories "
			"%s, cells read %s)", money_format(parts, a),
			money_format(y->parts_sum, b));
		free(c);
		return ST_INTERNAL;
	}
	*out = c;
	*n_out = n;
	return ST_OK;
}

void pay_year_drop_practices(struct pay_year *y)
{
	size_t need = 1 + PAY_POOL_SLACK, len = 1, r = 0;
	char *pool;

	for (size_t i = 0; i < y->n_ccgs; i++)
		need += strlen(y->ccgs[i].code) + strlen(y->ccgs[i].name) + 2;
	pool = xmalloc(need);
	pool[0] = '\0';
	/* both in CCG code order: a rounding entry names a CCG by its code */
	for (size_t i = 0; i < y->n_ccgs; i++) {
		struct pay_ccg *c = &y->ccgs[i];
		uint32_t old = (uint32_t)(c->code - y->pool);
		size_t nc = strlen(c->code) + 1, nn = strlen(c->name) + 1;

		for (; r < y->n_rounding && y->rounding[r].ccg == old; r++)
			y->rounding[r].ccg = (uint32_t)len;
		memcpy(pool + len, c->code, nc);
		memcpy(pool + len + nc, c->name, nn);
		c->code = pool + len;
		c->name = pool + len + nc;
		len += nc + nn;
	}
	if (r != y->n_rounding)
		BUG("pay_year_drop_practices: %zu of %zu rounding entries match a CCG",
		    r, y->n_rounding);
	memset(pool + len, 0, PAY_POOL_SLACK);
	free(y->pool);
	y->pool = pool;
	y->pool_len = len;
	y->pool_alloc = need;
	free(y->p);
	free(y->split);
	y->p = NULL;
	y->split = NULL;
	y->alloc = 0;
}

void pay_national(const struct pay_ccg *ccgs, size_t n, struct pay_ccg *nat)
{
	memset(nat, 0, sizeof(*nat));
	nat->code = "ENGLAND";
	nat->name = "England";
	for (size_t i = 0; i < n; i++)
		ccg_add_ccg(nat, &ccgs[i]);
}

/*
 * bt_payments.c - the backtest's panel from imported payments years (see
 * bt_payments.h).
 *
 * Part of the risk stage, fed by the payments importer: one bt_year per
 * pay_year, one bt_practice per pay_practice, the five delegated
 * categories copied as they are (pence), codes borrowed from the year's
 * string pool.
 */
#include <stdlib.h>
#include <string.h>

#include "bt_payments.h"
#include "diag.h"
#include "xalloc.h"

/* enum bt_category and the importer's first amounts must agree. */
_Static_assert(BT_N_CATEGORIES == PAY_N_BUDGET, "five delegated categories");
_Static_assert((int)BT_CORE_CONTRACT == (int)PAY_CORE_CONTRACT &&
	       (int)BT_ENHANCED_SERVICES == (int)PAY_ENHANCED_SERVICES &&
	       (int)BT_QOF == (int)PAY_QOF &&
	       (int)BT_PREMISES == (int)PAY_PREMISES &&
	       (int)BT_DISCRETIONARY == (int)PAY_DISCRETIONARY,
	       "the categories in the same order");

void bt_payments_init(struct bt_payments *bp)
{
	memset(bp, 0, sizeof(*bp));
}

void bt_payments_release(struct bt_payments *bp)
{
	free(bp->years);
	free(bp->practices);
	bt_payments_init(bp);
}

/* "2016/17" for a start year (buf of 8 bytes or more). */
static const char *label(int start, char buf[8])
{
	pay_year_label(start, buf);
	return buf;
}

enum status bt_payments_build(struct bt_payments *bp,
			      const struct pay_year *years, size_t n)
{
	size_t total = 0, at = 0;
	bool gap = false;

	for (size_t i = 1; i < n; i++) {
		if (years[i].start <= years[i - 1].start)
			BUG("payments years not sorted (%d after %d)",
			    years[i].start, years[i - 1].start);
		for (int y = years[i - 1].start + 1; y < years[i].start; y++) {
			char b[8];

			diag_error("the payments files skip %s: '%s' is followed "
				   "by '%s'", label(y, b), years[i - 1].path,
				   years[i].path);
			gap = true;
		}
	}
	if (gap)
		return ST_DATA;

	for (size_t i = 0; i < n; i++)
		total += years[i].n;
	bp->years = xcalloc(n ? n : 1, sizeof(*bp->years));
	bp->practices = xcalloc(total ? total : 1, sizeof(*bp->practices));
	for (size_t i = 0; i < n; i++) {
		const struct pay_year *y = &years[i];
		struct bt_year *by = &bp->years[i];

		by->start_year = y->start;
		by->practices = &bp->practices[at];
		by->n_practices = y->n;
		for (size_t j = 0; j < y->n; j++) {
			const struct pay_practice *p = &y->p[j];
			struct bt_practice *q = &bp->practices[at++];

			q->code = pay_text(y, p, PAY_PRACTICE_CODE);
			q->ccg = pay_text(y, p, PAY_CCG_CODE);
			for (int k = 0; k < BT_N_CATEGORIES; k++)
				q->pence[k] = p->m[k];
		}
	}
	bp->panel.years = bp->years;
	bp->panel.n_years = n;
	return ST_OK;
}

enum status bt_payments_check_range(const struct bt_payments *bp, int first,
				    int last)
{
	const struct bt_panel *p = &bp->panel;
	char a[8], b[8], c[8];
	int lo, hi;

	if (p->n_years < 3) {
		diag_error("the backtest needs payments for at least three "
			   "consecutive years (two to learn from, one to test), "
			   "but %zu %s given", p->n_years,
			   p->n_years == 1 ? "year was" : "years were");
		return ST_DATA;
	}
	lo = p->years[0].start_year + 2;
	hi = p->years[p->n_years - 1].start_year;
	for (int i = 0; i < 2; i++) {
		int y = i ? last : first;

		if (y < lo) {
			diag_error("target year %s needs payments for the two years "
				   "before it; the files start with %s, so the first "
				   "target year can be %s", label(y, a),
				   label(p->years[0].start_year, b), label(lo, c));
			return ST_DATA;
		}
		if (y > hi) {
			diag_error("target year %s has no payments file; the files "
				   "end with %s", label(y, a), label(hi, b));
			return ST_DATA;
		}
	}
	if (first > last) {
		diag_error("the first target year %s comes after the last, %s",
			   label(first, a), label(last, b));
		return ST_DATA;
	}
	return ST_OK;
}

/* ---- the payments-only budget, by target-year CCG ---------------------- */

bool bt_payments_can_budget(const struct pb_params *p, int year)
{
	const struct pb_year_params *now = pb_year(p, year), *before = pb_year(p, year - 1);

	return now && before && now->allocation && before->allocation;
}

static const struct pay_year *find_year(const struct pay_year *years, size_t n,
					int start)
{
	for (size_t i = 0; i < n; i++)
		if (years[i].start == start)
			return &years[i];
	return NULL;
}

struct pkey {
	const char *a, *b;	/* CCG code, practice code (or practice code, "") */
	size_t idx;
};

static int cmp_pkey(const void *x, const void *y)
{
	const struct pkey *p = x, *q = y;
	int c = strcmp(p->a, q->a);

	return c ? c : strcmp(p->b, q->b);
}

static int cmp_ccg_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pay_ccg *)elem)->code);
}

static int cmp_pkey_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pkey *)elem)->a);
}

/* Appends s to the pool (pool_alloc leaves room); returns its offset. */
static uint32_t pool_add(struct pay_year *y, const char *s)
{
	size_t len = strlen(s), at = y->pool_len;

	if (y->pool_len + len + 1 + PAY_POOL_SLACK > y->pool_alloc)
		BUG("backtest pool too small");
	memcpy(y->pool + at, s, len + 1);
	y->pool_len += len + 1;
	return (uint32_t)at;
}

/*
 * *rel = base with every practice under its CCG (code and name) of
 * target, or BT_CLOSED_CCG when target does not list it; practices
 * sorted again by CCG and code, CCG totals summed again (pay_year_ccgs).
 * rel borrows base's path and split; release with relabel_release().
 */
static enum status relabel(struct pay_year *rel, const struct pay_year *base,
			   const struct pay_year *target)
{
	struct pkey *in_target = xcalloc(target->n ? target->n : 1, sizeof(*in_target));
	struct pkey *order = xcalloc(base->n ? base->n : 1, sizeof(*order));
	uint32_t *code_at = xcalloc(target->n_ccgs + 1, sizeof(*code_at));
	uint32_t *name_at = xcalloc(target->n_ccgs + 1, sizeof(*name_at));
	struct pay_practice *p;
	size_t need = base->pool_len + PAY_POOL_SLACK + 2 * (sizeof(BT_CLOSED_CCG) + 1);
	enum status st;

	for (size_t i = 0; i < target->n_ccgs; i++)
		need += strlen(target->ccgs[i].code) + strlen(target->ccgs[i].name) + 2;
	*rel = *base;
	rel->rounding = NULL;	/* per CCG of base: meaningless here */
	rel->n_rounding = 0;
	rel->pool_alloc = need;
	rel->pool = xcalloc(need, 1);
	memcpy(rel->pool, base->pool, base->pool_len);
	if (need > UINT32_MAX)
		BUG("string pool beyond 4 GB");
	for (size_t i = 0; i < target->n_ccgs; i++) {
		code_at[i] = pool_add(rel, target->ccgs[i].code);
		name_at[i] = pool_add(rel, target->ccgs[i].name);
	}
	code_at[target->n_ccgs] = pool_add(rel, BT_CLOSED_CCG);
	name_at[target->n_ccgs] = pool_add(rel, BT_CLOSED_CCG);

	for (size_t j = 0; j < target->n; j++)
		in_target[j] = (struct pkey){
			pay_text(target, &target->p[j], PAY_PRACTICE_CODE), "", j };
	qsort(in_target, target->n, sizeof(*in_target), cmp_pkey);

	p = xcalloc(base->n ? base->n : 1, sizeof(*p));
	for (size_t j = 0; j < base->n; j++) {
		const struct pay_practice *bp = &base->p[j];
		const struct pkey *t = bsearch(pay_text(base, bp, PAY_PRACTICE_CODE),
					       in_target, target->n, sizeof(*in_target),
					       cmp_pkey_code);
		size_t c = target->n_ccgs;

		if (t) {
			const struct pay_ccg *tc = bsearch(
				pay_text(target, &target->p[t->idx], PAY_CCG_CODE),
				target->ccgs, target->n_ccgs, sizeof(*target->ccgs),
				cmp_ccg_code);

			if (!tc)
				BUG("a practice's CCG is not among its year's CCGs");
			c = (size_t)(tc - target->ccgs);
		}
		p[j] = *bp;
		p[j].text[PAY_CCG_CODE] = code_at[c];
		p[j].text[PAY_CCG_NAME] = name_at[c];
		order[j] = (struct pkey){ rel->pool + code_at[c],
					  pay_text(base, bp, PAY_PRACTICE_CODE), j };
	}
	qsort(order, base->n, sizeof(*order), cmp_pkey);
	rel->p = xcalloc(base->n ? base->n : 1, sizeof(*rel->p));
	rel->n = rel->alloc = base->n;
	for (size_t k = 0; k < base->n; k++)
		rel->p[k] = p[order[k].idx];
	rel->ccgs = NULL;
	rel->n_ccgs = 0;
	st = pay_year_ccgs(rel, &rel->ccgs, &rel->n_ccgs);
	if (st == ST_OK)
		pay_national(rel->ccgs, rel->n_ccgs, &rel->national);
	free(p);
	free(order);
	free(in_target);
	free(code_at);
	free(name_at);
	return st;
}

static void relabel_release(struct pay_year *rel)
{
	free(rel->p);
	free(rel->pool);
	free(rel->ccgs);
	memset(rel, 0, sizeof(*rel));
}

static int cmp_pb_ccg(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pb_ccg *)elem)->code);
}

enum status bt_payments_budget(const struct pay_year *years, size_t n,
			       int year, const struct pb_params *p,
			       struct bt_row *rows, size_t n_rows)
{
	const struct pay_year *base = find_year(years, n, year - 1);
	const struct pay_year *before = find_year(years, n, year - 2);
	const struct pay_year *target = find_year(years, n, year);
	struct pay_year in[2], rel;
	struct pb_result res;
	size_t k = 0;
	enum status st;

	if (!base || !target)
		BUG("bt_payments_budget() without the years %d and %d", year - 1, year);
	pay_year_init(&rel);
	pb_result_init(&res);
	st = relabel(&rel, base, target);
	if (st != ST_OK)
		goto out;
	if (before)
		in[k++] = *before;	/* a shallow copy: pb_build() only reads */
	in[k++] = rel;
	st = pb_build(&res, in, k, year, p);
	if (st != ST_OK)
		goto out;
	for (size_t i = 0; i < n_rows; i++) {
		const struct pb_ccg *c;

		if (rows[i].target_year != year)
			continue;
		c = bsearch(rows[i].ccg, res.ccgs, res.n, sizeof(*res.ccgs), cmp_pb_ccg);
		rows[i].has_budget = c != NULL;
		rows[i].budget = c ? c->budget_total : 0;
	}
out:
	pb_result_release(&res);
	relabel_release(&rel);
	return st;
}

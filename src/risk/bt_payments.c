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

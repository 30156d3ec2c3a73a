/*
 * bt_payments.h - the backtest's panel built from imported NHS payments
 * years.
 *
 * Where it sits: between the payments importer (payments.h: one struct
 * pay_year per published file) and the backtest core (backtest.h: a
 * struct bt_panel of consecutive years, each practice with its CCG of
 * that year and its pence in the five delegated categories).  The
 * categories are the importer's first PAY_N_BUDGET amounts, in the same
 * order as enum bt_category; a practice's CCG is the one its row carries
 * in that year's file.  Pure: no I/O; problems are reported through diag.
 *
 * Ownership: a struct bt_payments owns its year and practice arrays and
 * borrows every string (practice and CCG codes) from the pay_years it
 * was built from, which must outlive it.
 */
#ifndef PCBUDGET_BT_PAYMENTS_H
#define PCBUDGET_BT_PAYMENTS_H

#include <stddef.h>

#include "backtest.h"
#include "payments.h"
#include "pbudget.h"
#include "status.h"

struct bt_payments {
	struct bt_panel panel;		/* points into years */
	struct bt_year *years;		/* owned, n_years */
	struct bt_practice *practices;	/* owned, every year's, one block */
};

void bt_payments_init(struct bt_payments *bp);
void bt_payments_release(struct bt_payments *bp);

/*
 * Builds bp (initialised, empty) from years[0..n), sorted by start year
 * as pay_read_years() leaves them.  The years must follow each other
 * without a gap: each missing year is reported, naming the files on
 * either side ("the payments files skip 2016/17: '15-16.csv' is
 * followed by '17-18.csv'").  Returns ST_OK, or ST_DATA (bp released).
 */
enum status bt_payments_build(struct bt_payments *bp,
			      const struct pay_year *years, size_t n);

/*
 * Checks that target years first..last (start years) can be backtested
 * on bp's panel: first <= last, and every target year has at least two
 * earlier years in the panel (first >= the panel's first year + 2) and
 * is in it (last <= its last year).  Reports what is wrong, with years
 * written 2016/17, and returns ST_DATA; ST_OK otherwise.
 */
enum status bt_payments_check_range(const struct bt_payments *bp, int first,
				    int last);

/* The code under which practices of year Y-1 gone by year Y are budgeted. */
#define BT_CLOSED_CCG "(closed)"

/*
 * True if the payments-only budget (pbudget.h) has the rates to budget
 * target year `year` under p: the year and the one before are in
 * p->years with their allocations (pb_build()'s own condition).
 */
bool bt_payments_can_budget(const struct pb_params *p, int year);

/*
 * The payments-only budget for target year `year`, per CCG of that
 * year: pb_build() on the payments of years year - 1 (and year - 2 for
 * growth, when given), every practice of year - 1 attributed to its CCG
 * of `year` (so the budget covers the same practices as the naive
 * forecast; a practice gone by `year` is budgeted under BT_CLOSED_CCG
 * and left out, a practice new in `year` has no budget).  Year `year`'s
 * file gives only that attribution; no amount of it is used.
 *
 * years[0..n) are sorted by year and read with pb_split(); they must
 * include year - 1 and `year`.  Sets budget and has_budget on every row
 * of rows[0..n_rows) whose target year is `year` and whose CCG has
 * practices in year - 1.  Returns ST_OK, or the status of pb_build()
 * after it reported (ST_CONFIG: no rates for the year).
 */
enum status bt_payments_budget(const struct pay_year *years, size_t n,
			       int year, const struct pb_params *p,
			       struct bt_row *rows, size_t n_rows);

#endif

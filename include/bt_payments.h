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

#endif

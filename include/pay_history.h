/*
 * pay_history.h - a CCG's payment history for due diligence: its last
 * N years by budget category, year-on-year change, amounts per
 * registered and per weighted patient, and England beside it.
 *
 * Where it sits: after the payments import (payments.h); pure
 * computation, the command "pcbudget history" prints and writes it.
 * CCGs merge over the years (211 codes in 2014/15, 106 in 2021/22), so
 * practices are attributed to a CCG by the code they carry in the
 * latest of the chosen years in which they appear: a practice that
 * belongs to the CCG now counts in every earlier year too, under
 * whatever code it had then (practice codes persist).
 */
#ifndef PCBUDGET_PAY_HISTORY_H
#define PCBUDGET_PAY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "payments.h"
#include "status.h"

/* The lines of a history, in order: the money of enum pay_money first. */
enum pay_hist_line {
	PAY_HIST_CORE_CONTRACT,
	PAY_HIST_ENHANCED_SERVICES,
	PAY_HIST_QOF,
	PAY_HIST_PREMISES,
	PAY_HIST_DISCRETIONARY,
	PAY_HIST_BUDGET,		/* the five above */
	PAY_HIST_OUT_OF_SCOPE,
	PAY_HIST_TOTAL_PUBLISHED,
	PAY_HIST_MEMO_VI,
	PAY_HIST_MEMO_LOCAL_ES,
	PAY_HIST_N_LINES
};

/* "core_contract", ..., "budget_total", ... (static strings). */
extern const char *const pay_hist_line_names[PAY_HIST_N_LINES];

struct pay_hist_side {
	size_t practices;
	int64_t registered, weighted;	/* 10^-9 patients */
	int64_t amount[PAY_HIST_N_LINES];	/* pence */
};

struct pay_hist_year {
	int start;
	char label[8];
	struct pay_hist_side ccg, national;
};

struct pay_history {
	char *ccg_code;		/* owned */
	char *ccg_name;		/* owned: the name in the latest year */
	int attribution_year;	/* start of the year that attributes practices */
	size_t n;
	struct pay_hist_year *years;	/* oldest first */
};

void pay_history_init(struct pay_history *h);
void pay_history_release(struct pay_history *h);

/*
 * Builds the history of CCG `ccg` over the last n_last of years[0..n)
 * (sorted by year, as pay_read_years() leaves them) into h
 * (initialised, empty).  Returns ST_OK, or ST_DATA after reporting
 * "no practice belongs to CCG 'X' in 2016/17" when the CCG has no
 * practice in the latest chosen year.
 */
enum status pay_history_build(struct pay_history *h,
			      const struct pay_year *years, size_t n,
			      const char *ccg, size_t n_last);

/*
 * Change from prev to cur in tenths of a percent, rounded half away from
 * zero (1234 = +123.4%).  Returns -1 (nothing written) when prev is 0.
 */
int pay_change_permille(int64_t prev, int64_t cur, int64_t *tenths);

/*
 * Pence per patient: amount / list (list in 10^-9 patients), rounded
 * half away from zero.  Returns -1 when the list is 0.
 */
int pay_per_patient(int64_t amount, int64_t list, int64_t *pence);

#endif

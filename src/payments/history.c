/*
 * history.c - a CCG's payment history beside England's, for "pcbudget
 * history": the practices are attributed once (by their code in the
 * latest chosen year they appear in) and summed year by year.  Pure:
 * the command prints and writes.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pay_history.h"
#include "strmap.h"
#include "xalloc.h"

__extension__ typedef __int128 i128;

const char *const pay_hist_line_names[PAY_HIST_N_LINES] = {
	"core_contract",
	"enhanced_services",
	"qof",
	"premises",
	"discretionary",
	"budget_total",
	"out_of_scope",
	"total_published",
	"memo_vi",
	"memo_local_es",
};

void pay_history_init(struct pay_history *h)
{
	memset(h, 0, sizeof(*h));
}

void pay_history_release(struct pay_history *h)
{
	free(h->ccg_code);
	free(h->ccg_name);
	free(h->years);
	pay_history_init(h);
}

int pay_change_permille(int64_t prev, int64_t cur, int64_t *tenths)
{
	i128 num, q;
	int64_t den = prev < 0 ? -prev : prev;

	if (prev == 0)
		return -1;
	/* (cur - prev) / |prev| * 1000, half away from zero */
	num = ((i128)cur - prev) * 1000;
	q = (num < 0 ? -num : num) * 2 + den;
	q /= 2 * (i128)den;
	*tenths = (int64_t)(num < 0 ? -q : q);
	return 0;
}

int pay_per_patient(int64_t amount, int64_t list, int64_t *pence)
{
	i128 num = (i128)amount * 1000000000, q;

	if (list <= 0)
		return -1;
	q = ((num < 0 ? -num : num) * 2 + list) / (2 * (i128)list);
	*pence = (int64_t)(num < 0 ? -q : q);
	return 0;
}

/* The amounts of one practice, by history line. */
static void add_practice(struct pay_hist_side *s, const struct pay_practice *p)
{
	static const enum pay_money from[PAY_HIST_N_LINES] = {
		[PAY_HIST_CORE_CONTRACT] = PAY_CORE_CONTRACT,
		[PAY_HIST_ENHANCED_SERVICES] = PAY_ENHANCED_SERVICES,
		[PAY_HIST_QOF] = PAY_QOF,
		[PAY_HIST_PREMISES] = PAY_PREMISES,
		[PAY_HIST_DISCRETIONARY] = PAY_DISCRETIONARY,
		[PAY_HIST_OUT_OF_SCOPE] = PAY_OUT_OF_SCOPE,
		[PAY_HIST_TOTAL_PUBLISHED] = PAY_TOTAL_PUBLISHED,
		[PAY_HIST_MEMO_VI] = PAY_MEMO_VI,
		[PAY_HIST_MEMO_LOCAL_ES] = PAY_MEMO_LOCAL_ES,
	};

	/*
	 * A year's sums were checked for overflow when it was loaded, and a
	 * CCG's practices are a subset of it, so these cannot overflow.
	 */
	s->practices++;
	s->registered += p->registered;
	s->weighted += p->weighted;
	for (size_t k = 0; k < PAY_HIST_N_LINES; k++) {
		if (k == PAY_HIST_BUDGET)
			continue;
		s->amount[k] += p->m[from[k]];
	}
	for (size_t k = 0; k < PAY_N_BUDGET; k++)
		s->amount[PAY_HIST_BUDGET] += p->m[k];
}

enum status pay_history_build(struct pay_history *h,
			      const struct pay_year *years, size_t n,
			      const char *ccg, size_t n_last)
{
	size_t first = n > n_last ? n - n_last : 0, total = 0;
	const struct pay_year *latest;
	struct strmap seen;	/* practice code -> 1 if it belongs to the CCG */
	bool found = false;

	if (n == 0 || n_last == 0)
		BUG("pay_history_build() with no years");
	latest = &years[n - 1];
	for (size_t i = 0; i < latest->n_ccgs; i++) {
		if (strcmp(latest->ccgs[i].code, ccg) == 0) {
			h->ccg_name = xstrdup(latest->ccgs[i].name);
			found = true;
		}
	}
	if (!found) {
		diag_error("no practice belongs to CCG '%s' in %s ('%s')", ccg,
			   latest->label, latest->path);
		return ST_DATA;
	}
	h->ccg_code = xstrdup(ccg);
	h->attribution_year = latest->start;
	h->n = n - first;
	h->years = xcalloc(h->n, sizeof(*h->years));

	for (size_t i = first; i < n; i++)
		total += years[i].n;
	strmap_init(&seen, total);

	/* latest first, so a practice is attributed by its latest code */
	for (size_t i = n; i-- > first;) {
		const struct pay_year *y = &years[i];
		struct pay_hist_year *hy = &h->years[i - first];

		hy->start = y->start;
		memcpy(hy->label, y->label, sizeof(hy->label));
		for (size_t j = 0; j < y->n; j++) {
			const struct pay_practice *p = &y->p[j];
			bool in = strcmp(pay_text(y, p, PAY_CCG_CODE), ccg) == 0, known;
			size_t *belongs = strmap_put(&seen, pay_text(y, p, PAY_PRACTICE_CODE),
						     in, &known);

			if (*belongs)
				add_practice(&hy->ccg, p);
			add_practice(&hy->national, p);
		}
	}
	strmap_release(&seen);
	return ST_OK;
}

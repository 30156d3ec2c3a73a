/*
 * rr_internal.h - what the files of the run report (runreport.h) share
 * and nobody else needs: the table builders of each step.
 */
#ifndef PCBUDGET_RR_INTERNAL_H
#define PCBUDGET_RR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dates.h"
#include "runreport.h"

/* rr_review.c: the history review (step 1); each fills its table(s) in t. */
void rr_build_history(const struct runreport *rr, struct rr_tables *t);	/* also t->series */
void rr_build_categories(const struct runreport *rr, struct rr_tables *t);
void rr_build_practices(const struct runreport *rr, struct rr_tables *t);	/* and outliers */
void rr_build_contracts(const struct runreport *rr, struct rr_tables *t);
void rr_build_parameters(const struct runreport *rr, struct rr_tables *t);

/* rr_risk.c: projections and trend check (step 2), the risk tables (step 3), the summary. */
void rr_build_projections(const struct runreport *rr, struct rr_tables *t);
enum status rr_build_risk(const struct runreport *rr, struct rr_tables *t);
void rr_build_summary(const struct runreport *rr, struct rr_tables *t);

/* "2017/18". */
char *rr_fy(int year, char buf[DATE_BUFSZ]);

#endif

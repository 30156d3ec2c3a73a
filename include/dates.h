/*
 * dates.h - calendar dates and NHS financial years, exactly.
 *
 * A utility under the parsers (params, dataset) and the methodology:
 * dates are int32 days since 1970-01-01 in the proleptic Gregorian
 * calendar, so differences are plain subtraction.  A financial year is
 * named by the calendar year it starts in: 2017 is "2017/18", which runs
 * from 1 April 2017 to 31 March 2018 inclusive.  Nothing here does I/O
 * or allocates.
 */
#ifndef PCBUDGET_DATES_H
#define PCBUDGET_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Big enough for "YYYY-MM-DD" and "YYYY/YY" with a sign and a NUL. */
#define DATE_BUFSZ 16

/*
 * Days since 1970-01-01 of the date y-m-d.  The caller guarantees a
 * valid date (date_valid()); years 1..9999.
 */
int32_t date_from_ymd(int y, int m, int d);

/* Splits days since 1970-01-01 into year, month (1-12) and day (1-31). */
void date_to_ymd(int32_t days, int *y, int *m, int *d);

/* True if y-m-d is a real calendar date with 1 <= y <= 9999. */
bool date_valid(int y, int m, int d);

/*
 * Parses s[0..len) as exactly "YYYY-MM-DD" (a real date, no blanks).
 * Returns true and sets *days, or false (*days untouched).
 */
bool date_parse(const char *s, size_t len, int32_t *days);

/* Formats days as "YYYY-MM-DD" into buf; returns buf. */
char *date_format(int32_t days, char buf[DATE_BUFSZ]);

/*
 * Parses s[0..len) as a financial year "YYYY/YY" where YY is the last
 * two digits of YYYY + 1 ("2016/17").  Returns true and sets *year to
 * the starting calendar year, or false.
 */
bool fy_parse(const char *s, size_t len, int *year);

/* Formats the financial year starting in `year` as "2017/18". */
char *fy_format(int year, char buf[DATE_BUFSZ]);

/* First day (1 April) and last day (31 March) of a financial year. */
int32_t fy_start(int year);
int32_t fy_end(int year);

/* Number of days in a financial year: 365 or 366. */
int fy_days(int year);

/* The financial year a date falls in. */
int fy_of_date(int32_t days);

#endif

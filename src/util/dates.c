/*
 * dates.c - civil dates as day numbers and NHS financial years.
 *
 * A utility used by the parameter and dataset parsers and by the
 * methodology.  The day-number conversion is the well-known era-based
 * algorithm for the proleptic Gregorian calendar (400-year eras of
 * 146097 days), written out here with integer arithmetic only.
 */
#include <stdio.h>

#include "dates.h"

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= month_days(y, m);
}

int32_t date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* [0, 399] */
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool date_parse(const char *s, size_t len, int32_t *days)
{
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (!date_valid(y, m, d))
		return false;
	*days = date_from_ymd(y, m, d);
	return true;
}

char *date_format(int32_t days, char buf[DATE_BUFSZ])
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	snprintf(buf, DATE_BUFSZ, "%04d-%02d-%02d", y, m, d);
	return buf;
}

bool fy_parse(const char *s, size_t len, int *year)
{
	int y, yy;

	if (len != 7 || s[4] != '/')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &yy))
		return false;
	if (y < 1 || y > 9998 || yy != (y + 1) % 100)
		return false;
	*year = y;
	return true;
}

char *fy_format(int year, char buf[DATE_BUFSZ])
{
	snprintf(buf, DATE_BUFSZ, "%04d/%02d", year, (year + 1) % 100);
	return buf;
}

int32_t fy_start(int year)
{
	return date_from_ymd(year, 4, 1);
}

int32_t fy_end(int year)
{
	return date_from_ymd(year + 1, 3, 31);
}

int fy_days(int year)
{
	return (int)(fy_end(year) - fy_start(year) + 1);
}

int fy_of_date(int32_t days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	return m >= 4 ? y : y - 1;
}

/*
 * report_csv.c - one report table as an RFC 4180 CSV file.
 *
 * Part of the report folder (report.h).  The header line holds the
 * column names, each row one line, CRLF line ends, UTF-8 without a byte
 * order mark (so pandas, R and csvkit read the header as written).
 * Numbers are written plainly ("-1234.56", "5209.497299") and never
 * neutralised, so they stay numbers in a spreadsheet; text that came
 * from the input and starts with = + - @ tab or CR gets a leading
 * apostrophe so a spreadsheet shows it instead of running it.
 */
#include "outfile.h"
#include "report.h"

enum status report_csv_write(const char *path, const struct rtable *t)
{
	struct outfile of;
	char buf[RTABLE_BUFSZ];
	enum status st = outfile_open(&of, path);

	if (st != ST_OK)
		return st;
	for (size_t c = 0; c < t->n_cols; c++) {
		if (c)
			outfile_write(&of, ",", 1);
		outfile_csv_field(&of, t->cols[c].name, false);
	}
	outfile_write(&of, "\r\n", 2);
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			const struct rcell *cell = rtable_cell(t, r, c);

			if (c)
				outfile_write(&of, ",", 1);
			outfile_csv_field(&of, rtable_format(t, r, c, RFMT_PLAIN,
							     buf),
					  cell->is_set && cell->neutralise);
		}
		outfile_write(&of, "\r\n", 2);
	}
	return outfile_close(&of);
}

/*
 * xlsx_lib.h - libxlsxwriter, loaded when the first workbook is written.
 *
 * libxlsxwriter brings libcrypto, libminizip and libz with it; loading
 * them costs every start of the program about 1 ms warm and 2 ms cold,
 * while only `run` writes a workbook.  So the library is opened with
 * dlopen() on first use and its functions are called through this
 * table.  Types and constants still come from <xlsxwriter.h>.  The file
 * opened is $PCBUDGET_XLSXWRITER if set (a path or a library name),
 * else the SONAME of the library the build found.
 */
#ifndef PCBUDGET_XLSX_LIB_H
#define PCBUDGET_XLSX_LIB_H

#include <xlsxwriter.h>

/*
 * One pointer per function used, of the type the library's header
 * declares (so a changed signature fails to compile here).
 */
#define XLSX_FUNCTIONS(X) \
	X(workbook_new_opt) \
	X(workbook_set_properties) \
	X(workbook_add_format) \
	X(workbook_add_worksheet) \
	X(workbook_close) \
	X(format_set_bold) \
	X(format_set_text_wrap) \
	X(format_set_align) \
	X(format_set_bg_color) \
	X(format_set_bottom) \
	X(format_set_num_format) \
	X(worksheet_write_string) \
	X(worksheet_write_number) \
	X(worksheet_write_blank) \
	X(worksheet_set_column) \
	X(worksheet_freeze_panes) \
	X(worksheet_autofilter) \
	X(worksheet_set_landscape) \
	X(worksheet_set_paper) \
	X(worksheet_fit_to_pages) \
	X(worksheet_repeat_rows) \
	X(lxw_strerror)

struct xlsx_api {
#define XLSX_POINTER(name) __typeof__(name) *name;
	XLSX_FUNCTIONS(XLSX_POINTER)
#undef XLSX_POINTER
};

/*
 * The library's functions, loaded on the first call (thread-safe).
 * Returns NULL, after reporting through diag which library could not be
 * loaded and why, if it is missing or lacks one of the functions; every
 * later call returns the same.
 */
const struct xlsx_api *xlsx_api(void);

#endif

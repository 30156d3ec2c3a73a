/*
 * xlsx_lib.c - opens libxlsxwriter on first use (see xlsx_lib.h).
 */
#include <pthread.h>

#include "diag.h"
#include "lazylib.h"
#include "xlsx_lib.h"

/* The library's file name, as found by the build (Makefile). */
#ifndef XLSXWRITER_SONAME
#define XLSXWRITER_SONAME "libxlsxwriter.so.4"
#endif

static struct xlsx_api api;
static const struct xlsx_api *loaded;
static char why[512];	/* the failure, said again on every call */

static void load(void)
{
#define XLSX_SYM(name) { #name, &api.name, sizeof(api.name) },
	static const struct lazylib_sym syms[] = { XLSX_FUNCTIONS(XLSX_SYM) };
#undef XLSX_SYM

	if (lazylib_load(XLSXWRITER_SONAME, "PCBUDGET_XLSXWRITER", syms,
			 sizeof(syms) / sizeof(syms[0]), why, sizeof(why)) == 0)
		loaded = &api;
}

const struct xlsx_api *xlsx_api(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, load);
	if (!loaded)
		diag_error("cannot load the Excel writer library: %s "
			   "(install libxlsxwriter: make deps)", why);
	return loaded;
}

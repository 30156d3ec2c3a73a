/*
 * xlsx_lib.c - opens libxlsxwriter on first use (see xlsx_lib.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xlsx_lib.h"

/* The library's file name, as found by the build (Makefile). */
#ifndef XLSXWRITER_SONAME
#define XLSXWRITER_SONAME "libxlsxwriter.so.4"
#endif

static struct xlsx_api api;
static const struct xlsx_api *loaded;
static char why[512];	/* the failure, said again on every call */

/*
 * dlsym() gives a void *; C has no conversion to a function pointer,
 * so the bytes are copied (POSIX guarantees they are the same size).
 */
static int resolve(void *lib, const char *name, void *slot, size_t size)
{
	void *p = dlsym(lib, name);

	if (!p)
		return -1;
	if (size != sizeof(p))
		return -1;
	memcpy(slot, &p, size);
	return 0;
}

static void load(void)
{
	const char *name = getenv("PCBUDGET_XLSXWRITER");
	void *lib;
	const char *missing = NULL;

	if (!name || !*name)
		name = XLSXWRITER_SONAME;
	lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *e = dlerror();

		snprintf(why, sizeof(why), "%s", e ? e : name);
		return;
	}
#define XLSX_RESOLVE(name) \
	if (!missing && resolve(lib, #name, &api.name, sizeof(api.name)) != 0) \
		missing = #name;
	XLSX_FUNCTIONS(XLSX_RESOLVE)
#undef XLSX_RESOLVE
	if (missing) {
		snprintf(why, sizeof(why), "%s has no %s()", name, missing);
		dlclose(lib);
		return;
	}
	/* kept open for the life of the process */
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

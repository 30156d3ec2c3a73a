/*
 * sqlite_lib.c - opens SQLite on first use (see sqlite_lib.h).
 */
#include <pthread.h>

#include "lazylib.h"
#include "sqlite_lib.h"

/* The library's file name, as found by the build (Makefile). */
#ifndef SQLITE_SONAME
#define SQLITE_SONAME "libsqlite3.so.0"
#endif

static struct sqlite_api api;
static const struct sqlite_api *loaded;
static char reason[512];

static void load(void)
{
#define SQLITE_SYM(name) { #name, &api.name, sizeof(api.name) },
	static const struct lazylib_sym syms[] = { SQLITE_FUNCTIONS(SQLITE_SYM) };
#undef SQLITE_SYM

	if (lazylib_load(SQLITE_SONAME, "PCBUDGET_SQLITE", syms,
			 sizeof(syms) / sizeof(syms[0]), reason, sizeof(reason)) == 0)
		loaded = &api;
}

const struct sqlite_api *sqlite_api(const char **why)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, load);
	*why = reason;
	return loaded;
}

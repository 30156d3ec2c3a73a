/*
 * sqlite_lib.h - SQLite, loaded when the run ledger is first opened.
 *
 * Only the ledger (run reports and `pcbudget ledger`) uses SQLite, and
 * loading the library costs every start of the program about 0.5 ms
 * with cold caches.  So it is opened with dlopen() on first use
 * (lazylib.h) and its functions are called through this table.  Types
 * and constants still come from <sqlite3.h>.  The file opened is
 * $PCBUDGET_SQLITE if set (a path or a library name), else the SONAME of
 * the library the build found.
 */
#ifndef PCBUDGET_SQLITE_LIB_H
#define PCBUDGET_SQLITE_LIB_H

#include <sqlite3.h>

/* One pointer per function used, of the type <sqlite3.h> declares. */
#define SQLITE_FUNCTIONS(X) \
	X(sqlite3_open_v2) \
	X(sqlite3_close) \
	X(sqlite3_busy_timeout) \
	X(sqlite3_exec) \
	X(sqlite3_errmsg) \
	X(sqlite3_prepare_v2) \
	X(sqlite3_step) \
	X(sqlite3_reset) \
	X(sqlite3_finalize) \
	X(sqlite3_bind_text) \
	X(sqlite3_bind_int64) \
	X(sqlite3_column_type) \
	X(sqlite3_column_int) \
	X(sqlite3_column_int64) \
	X(sqlite3_column_text) \
	X(sqlite3_last_insert_rowid)

struct sqlite_api {
#define SQLITE_POINTER(name) __typeof__(name) *name;
	SQLITE_FUNCTIONS(SQLITE_POINTER)
#undef SQLITE_POINTER
};

/*
 * The library's functions, loaded on the first call (thread-safe).
 * Returns NULL if it is missing or lacks a function, with the reason in
 * *why (a static string, also set on success to ""); every later call
 * returns the same.  Reports nothing: the ledger decides whether that is
 * a warning or an error.
 */
const struct sqlite_api *sqlite_api(const char **why);

#endif

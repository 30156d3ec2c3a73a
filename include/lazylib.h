/*
 * lazylib.h - a shared library opened when it is first needed.
 *
 * Some libraries are heavy to load (libxlsxwriter brings libcrypto) and
 * only some commands use them; loading them at start-up would cost every
 * command.  A module that wraps one (xlsx_lib.h, sqlite_lib.h) lists the
 * functions it uses, with pointer types taken from the library's own
 * header, and fills them here on first use.
 */
#ifndef PCBUDGET_LAZYLIB_H
#define PCBUDGET_LAZYLIB_H

#include <stddef.h>

/* One function to find: its name and where its address goes. */
struct lazylib_sym {
	const char *name;
	void *slot;		/* a function pointer variable */
	size_t size;		/* sizeof it */
};

/*
 * Opens the library named by the environment variable env if it is set
 * and not empty (a path or a file name), else soname, and stores the
 * address of every function of syms[0..n) in its slot.  Returns 0, or -1
 * with the reason (dlerror(), or which function is missing) in why
 * (whysz bytes) and the library closed again.  Not thread-safe: callers
 * run it once, under pthread_once().
 */
int lazylib_load(const char *soname, const char *env,
		 const struct lazylib_sym *syms, size_t n, char *why,
		 size_t whysz);

#endif

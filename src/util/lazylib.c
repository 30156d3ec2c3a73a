/*
 * lazylib.c - dlopen() and dlsym() for lazylib.h.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lazylib.h"

int lazylib_load(const char *soname, const char *env,
		 const struct lazylib_sym *syms, size_t n, char *why,
		 size_t whysz)
{
	const char *name = env ? getenv(env) : NULL;
	void *lib;

	if (!name || !*name)
		name = soname;
	lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *e = dlerror();

		snprintf(why, whysz, "%s", e ? e : name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(lib, syms[i].name);

		/*
		 * C has no conversion from void * to a function pointer, so
		 * the bytes are copied; POSIX makes the two the same size.
		 */
		if (!p || syms[i].size != sizeof(p)) {
			snprintf(why, whysz, "%s has no %s()", name, syms[i].name);
			dlclose(lib);
			return -1;
		}
		memcpy(syms[i].slot, &p, sizeof(p));
	}
	return 0;	/* kept open for the life of the process */
}

/*
 * xalloc.h - allocation that never returns NULL.
 *
 * On failure these print "pcbudget: error: out of memory" and exit with
 * EX_OSERR (71); this is the only exit() outside main().  Sizes that are
 * products go through xreallocarray(), which checks for overflow.
 * Everything returned is released with free().
 */
#ifndef PCBUDGET_XALLOC_H
#define PCBUDGET_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copies len bytes of s and adds a NUL. */
char *xmemdupz(const void *s, size_t len);
/* Like asprintf(); never fails. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *arr (of *alloc elements of size sz) to hold at least need elements. */
#define ALLOC_GROW(arr, need, alloc)                                          \
	do {                                                                  \
		if ((need) > (alloc)) {                                       \
			size_t ag_n_ = (alloc) < 16 ? 16 : (alloc) * 2;       \
			if (ag_n_ < (need))                                   \
				ag_n_ = (need);                               \
			(arr) = xreallocarray((arr), ag_n_, sizeof(*(arr)));  \
			(alloc) = ag_n_;                                      \
		}                                                             \
	} while (0)

#endif

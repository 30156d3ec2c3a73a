/*
 * strmap.h - a map from strings to indices, for joining records by code
 * (practice codes across years, CCG codes).
 *
 * Open addressing with FNV-1a, sized once for the number of keys the
 * caller expects (it grows if more come).  Keys are borrowed: they must
 * outlive the map.  Not thread-safe; one map per thread.
 */
#ifndef PCBUDGET_STRMAP_H
#define PCBUDGET_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
	const char **key;
	size_t *val;
	size_t n, mask;
};

/* Prepares m for about n keys. */
void strmap_init(struct strmap *m, size_t n);
void strmap_release(struct strmap *m);

/*
 * Finds key; if absent adds it with value val.  Returns a pointer to the
 * stored value (valid until the next insertion) and sets *found.
 */
size_t *strmap_put(struct strmap *m, const char *key, size_t val, bool *found);

/* The value of key, or NULL. */
const size_t *strmap_get(const struct strmap *m, const char *key);

#endif

/*
 * strmap.c - string -> index map (open addressing, FNV-1a, borrowed keys).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xalloc.h"

static size_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void strmap_init(struct strmap *m, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	m->key = xcalloc(size, sizeof(*m->key));
	m->val = xcalloc(size, sizeof(*m->val));
	m->n = 0;
	m->mask = size - 1;
}

void strmap_release(struct strmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

static size_t slot(const struct strmap *m, const char *key)
{
	size_t i = hash(key) & m->mask;

	while (m->key[i] && strcmp(m->key[i], key) != 0)
		i = (i + 1) & m->mask;
	return i;
}

static void grow(struct strmap *m)
{
	struct strmap bigger;

	strmap_init(&bigger, 2 * (m->mask + 1));
	for (size_t i = 0; i <= m->mask; i++) {
		if (m->key[i]) {
			size_t j = slot(&bigger, m->key[i]);

			bigger.key[j] = m->key[i];
			bigger.val[j] = m->val[i];
			bigger.n++;
		}
	}
	strmap_release(m);
	*m = bigger;
}

size_t *strmap_put(struct strmap *m, const char *key, size_t val, bool *found)
{
	size_t i;

	if (2 * (m->n + 1) > m->mask + 1)
		grow(m);
	i = slot(m, key);
	*found = m->key[i] != NULL;
	if (!*found) {
		m->key[i] = key;
		m->val[i] = val;
		m->n++;
	}
	return &m->val[i];
}

const size_t *strmap_get(const struct strmap *m, const char *key)
{
	size_t i = slot(m, key);

	return m->key[i] ? &m->val[i] : NULL;
}

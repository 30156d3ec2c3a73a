/*
 * sbuf.c - growable text buffer used by the report renderers.
 *
 * A utility with no knowledge of the pipeline: the SVG, HTML and
 * Markdown writers build their output here before writing it through an
 * outfile, so a renderer never has to handle an I/O error mid-way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

static char empty_buf[1];

void sbuf_init(struct sbuf *sb)
{
	sb->buf = empty_buf;
	sb->len = 0;
	sb->alloc = 0;
}

void sbuf_release(struct sbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sbuf_init(sb);
}

static void grow(struct sbuf *sb, size_t extra)
{
	size_t need;

	if (__builtin_add_overflow(sb->len, extra, &need) ||
	    __builtin_add_overflow(need, 1, &need))
		need = SIZE_MAX;	/* xrealloc then reports out of memory */
	if (need <= sb->alloc)
		return;
	if (sb->alloc == 0) {
		size_t n = need < 64 ? 64 : need;

		sb->buf = xmalloc(n);
		sb->buf[0] = '\0';
		sb->alloc = n;
		return;
	}
	size_t n = sb->alloc * 2 > need ? sb->alloc * 2 : need;

	sb->buf = xrealloc(sb->buf, n);
	sb->alloc = n;
}

void sbuf_add(struct sbuf *sb, const void *s, size_t len)
{
	if (!len)
		return;
	grow(sb, len);
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sbuf_add_xml(struct sbuf *sb, const char *s)
{
	const char *run;

	if (!s)
		return;
	run = s;
	for (; *s; s++) {
		const char *rep;
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7F)
				rep = "\xEF\xBF\xBD";	/* U+FFFD */
			else
				continue;
			break;
		}
		sbuf_add(sb, run, (size_t)(s - run));
		sbuf_puts(sb, rep);
		run = s + 1;
	}
	sbuf_add(sb, run, (size_t)(s - run));
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	if (sb->alloc == 0)
		p = xstrdup("");
	else
		p = sb->buf;
	sbuf_init(sb);
	return p;
}

const char *strlist_keep(struct strlist *l, char *s)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = s;
	return s;
}

const char *strlist_keepf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	struct sbuf sb;

	sbuf_init(&sb);
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strlist_keep(l, sbuf_detach(&sb, NULL));
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/*
 * sbuf.h - a growable NUL-terminated text buffer for the report writers.
 *
 * The report renderers (svg.c, report_html.c, report_md.c) build their
 * text in memory and hand it to an outfile in one piece.  An sbuf never
 * fails: allocation goes through xalloc, which exits on out-of-memory.
 * buf is always NUL-terminated once sbuf_init() has run.
 */
#ifndef PCBUDGET_SBUF_H
#define PCBUDGET_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *buf;		/* owned; "" after init */
	size_t len;		/* bytes before the NUL */
	size_t alloc;		/* bytes allocated (0 = buf points to a static "") */
};

/* Makes sb an empty buffer (no allocation yet). */
void sbuf_init(struct sbuf *sb);

/* Frees what sb holds and leaves it empty and usable. */
void sbuf_release(struct sbuf *sb);

/* Appends len bytes of s. */
void sbuf_add(struct sbuf *sb, const void *s, size_t len);

/* Appends the string s. */
void sbuf_puts(struct sbuf *sb, const char *s);

/* Appends one byte. */
void sbuf_addch(struct sbuf *sb, char c);

/* Appends printf-formatted text (C locale: we never call setlocale). */
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Appends s with the five XML/HTML special characters escaped (& < > "
 * ') so the result is safe both as element text and inside a quoted
 * attribute.  C0 control bytes other than tab, LF and CR (which XML
 * forbids) become U+FFFD.  s may be NULL (appends nothing).
 */
void sbuf_add_xml(struct sbuf *sb, const char *s);

/*
 * Gives the buffer to the caller (release with free()) and leaves sb
 * empty.  Never returns NULL.
 */
char *sbuf_detach(struct sbuf *sb, size_t *len);

/*
 * A list of strings that lives as long as its owner: strlist_keep() takes
 * ownership of s (from sbuf_detach() or xstrdup()) and returns it;
 * strlist_keepf() formats a new one.  strlist_release() frees them all.
 */
struct strlist {
	char **v;
	size_t n, alloc;
};

const char *strlist_keep(struct strlist *l, char *s);
const char *strlist_keepf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strlist_release(struct strlist *l);

#endif

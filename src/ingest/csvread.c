/*
 * csvread.c - the first pipeline stage: bytes -> a table of cells, each
 * with the line and column where it starts.
 *
 * libcsv tracks no positions, so we feed it in chunks that end at the
 * next byte that can change its state (comma, quote, CR, LF).  A field
 * callback can then only fire on the last byte of a chunk, which tells
 * us exactly where the next field begins.  The scan between those bytes
 * also checks for NUL bytes, invalid UTF-8, runaway fields and blank
 * lines, none of which libcsv reports.
 */
#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "csvread.h"
#include "xalloc.h"

struct reader {
	struct csv_table *t;
	const char *buf;
	size_t len;
	size_t max_field;
	/* position of the byte being fed */
	size_t line_start;
	unsigned long line;
	/* start of the current field */
	bool at_field_start;
	size_t field_off;
	unsigned long field_line, field_col;
	/* the record being built */
	size_t row_fields;
	size_t row_first_cell;
	size_t chunk_end;	/* offset just past the chunk being parsed */
	size_t n_records;	/* records completed, header included */
	bool failed;
	/* streaming (csv_stream_mem()): rows go to the sink, not the table */
	const struct csv_sink *sink;
	size_t header_text_len;	/* text of the header: kept */
	enum status sink_st;	/* what a sink callback stopped with */
};

enum {
	SP_NONE = 0,
	SP_BREAK = 1,	/* byte that can end a field or change quoting */
	SP_NUL = 2,
	SP_HIGH = 3	/* non-ASCII: validate UTF-8 */
};

#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
#define HIGH_BYTES(v) X16(v), X16(v), X16(v), X16(v), X16(v), X16(v), X16(v), X16(v)

/* Byte classes of the slow path's scan (constant: safe from any thread). */
static const unsigned char special[256] = {
	[0] = SP_NUL, ['\n'] = SP_BREAK, ['\r'] = SP_BREAK, ['"'] = SP_BREAK,
	[','] = SP_BREAK, [0x80] = HIGH_BYTES(SP_HIGH),
};
/* Bytes that end an unquoted field on the fast path, or make it give up. */
static const unsigned char field_stop[256] = {
	[0] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
	[0x80] = HIGH_BYTES(1),
};
/* The same inside quotes, where a comma is data. */
static const unsigned char quoted_stop[256] = {
	[0] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [0x80] = HIGH_BYTES(1),
};

void csv_table_init(struct csv_table *t)
{
	memset(t, 0, sizeof(*t));
}

void csv_table_release(struct csv_table *t)
{
	if (t->norm)
		for (size_t i = 0; i < t->n_cols; i++)
			free(t->norm[i]);
	free(t->norm);
	free(t->cells);
	free(t->text);
	free(t->path);
	csv_table_init(t);
}

void csv_loc(const struct csv_table *t, const struct csv_cell *cell,
	     struct srcloc *loc)
{
	loc->path = t->path;
	loc->line = cell->line;
	loc->col = cell->col;
}

static int error_at(struct reader *r, size_t off, unsigned long line,
		    size_t line_start, const char *msg)
{
	struct srcloc loc = { r->t->path, line, (unsigned long)(off - line_start + 1) };

	r->failed = true;
	return diag_at(DIAG_ERROR, &loc, "%s", msg);
}

static int field_too_long(struct reader *r)
{
	struct srcloc loc = { r->t->path, r->field_line, r->field_col };

	r->failed = true;
	return diag_at(DIAG_ERROR, &loc, "field is longer than %zu bytes",
		       r->max_field);
}

static void add_field(struct reader *r, const char *s, size_t len)
{
	struct csv_table *t = r->t;
	struct csv_cell *c;
	size_t need;

	if (r->failed)
		return;
	if (len > r->max_field) {
		field_too_long(r);
		return;
	}
	need = t->text_len + len + 1;
	if (need > t->text_alloc) {
		size_t n = t->text_alloc ? t->text_alloc * 2 : 65536;

		while (n < need)
			n *= 2;
		t->text = xrealloc(t->text, n);
		t->text_alloc = n;
	}
	ALLOC_GROW(t->cells, r->row_first_cell + r->row_fields + 1, t->alloc_cells);
	c = &t->cells[r->row_first_cell + r->row_fields];
	c->off = (uint32_t)t->text_len;
	c->len = (uint32_t)len;
	c->line = (uint32_t)r->field_line;
	c->col = (uint32_t)r->field_col;
	if (len)
		memcpy(t->text + t->text_len, s, len);
	t->text[t->text_len + len] = '\0';
	t->text_len += len + 1;
	r->row_fields++;
	r->at_field_start = true;
}

static void on_field(void *s, size_t len, void *data)
{
	add_field(data, s, len);
}

/* Offset (in the current line) of the byte that ended the record. */
static void record_end_loc(struct reader *r, struct srcloc *loc)
{
	size_t end = r->chunk_end ? r->chunk_end - 1 : 0;

	if (end >= r->len)
		end = r->len;
	loc->path = r->t->path;
	loc->line = r->line;
	loc->col = (unsigned long)(end - r->line_start + 1);
}

/* Lines after the chunk being parsed, plus one: a bound on the rows left. */
static size_t lines_left(const struct reader *r)
{
	const char *p = r->buf + (r->chunk_end < r->len ? r->chunk_end : r->len);
	const char *end = r->buf + r->len;
	size_t lines = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	return lines;
}

/*
 * Once the header is known, sizes the cell array for the lines left
 * (never more cells than input bytes), so that it is not copied over and
 * over as it grows.
 */
static void reserve_cells(struct reader *r)
{
	size_t lines = lines_left(r), need;

	need = (lines + 1) * r->t->n_cols;
	if (need / r->t->n_cols != lines + 1 || need > r->len + r->t->n_cols + 1)
		need = r->len + r->t->n_cols + 1;
	ALLOC_GROW(r->t->cells, need, r->t->alloc_cells);
}

/*
 * Normalises the header names into t->norm and reports an empty or
 * duplicate name at its cell.  Returns ST_OK or ST_DATA.
 */
static enum status check_header(struct csv_table *t)
{
	enum status st = ST_OK;

	t->norm = xcalloc(t->n_cols, sizeof(*t->norm));
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct csv_cell *h = csv_header(t, c);
		struct srcloc loc;

		t->norm[c] = csv_normalise_name(csv_text(t, h), h->len);
		csv_loc(t, h, &loc);
		if (!t->norm[c][0]) {
			diag_at(DIAG_ERROR, &loc, "column %zu has an empty name", c + 1);
			st = ST_DATA;
			continue;
		}
		for (size_t d = 0; d < c; d++) {
			if (t->norm[d] && strcmp(t->norm[d], t->norm[c]) == 0) {
				diag_at(DIAG_ERROR, &loc,
					"duplicate column '%s' (also column %zu)",
					csv_text(t, h), d + 1);
				st = ST_DATA;
				break;
			}
		}
	}
	return st;
}

/* The header is complete: check it and hand it to the sink. */
static void stream_header(struct reader *r)
{
	struct csv_table *t = r->t;
	enum status st = check_header(t);

	if (st == ST_OK)
		st = r->sink->header(r->sink->ctx, t, lines_left(r));
	if (st != ST_OK) {
		r->sink_st = st;
		r->failed = true;
	}
	r->header_text_len = t->text_len;
	/* room for the header and one row, which every row reuses */
	ALLOC_GROW(t->cells, 2 * t->n_cols, t->alloc_cells);
}

/* A complete row is in the table after the header: hand it over, forget it. */
static void stream_row(struct reader *r)
{
	struct csv_table *t = r->t;

	if (t->text_len + CSV_STREAM_PAD > t->text_alloc) {
		t->text_alloc = t->text_len + CSV_STREAM_PAD;
		t->text = xrealloc(t->text, t->text_alloc);
	}
	memset(t->text + t->text_len, 0, CSV_STREAM_PAD);
	t->readable = t->text_len + CSV_STREAM_PAD;
	if (r->sink->row(r->sink->ctx, t, t->cells + t->n_cols) != 0) {
		r->sink_st = ST_DATA;
		r->failed = true;
	}
	r->row_first_cell = t->n_cols;
	t->text_len = r->header_text_len;
}

static void on_record(int term, void *data)
{
	struct reader *r = data;
	struct csv_table *t = r->t;

	(void)term;
	if (r->failed)
		return;
	if (r->n_records == 0) {
		t->n_cols = r->row_fields;
		if (r->sink) {
			r->row_first_cell = t->n_cols;
			r->n_records++;
			r->row_fields = 0;
			r->at_field_start = true;
			stream_header(r);
			return;
		}
		reserve_cells(r);
	} else if (r->row_fields != t->n_cols) {
		struct srcloc loc;

		if (r->row_fields > t->n_cols) {
			const struct csv_cell *extra = &t->cells[r->row_first_cell + t->n_cols];

			loc.path = t->path;
			loc.line = extra->line;
			loc.col = extra->col;
		} else {
			record_end_loc(r, &loc);
		}
		diag_at(DIAG_ERROR, &loc, "row has %zu field%s, the header has %zu",
			r->row_fields, r->row_fields == 1 ? "" : "s", t->n_cols);
		/* drop the ragged row but keep checking the rest of the file */
		r->row_fields = 0;
		r->at_field_start = true;
		if (r->sink)
			t->text_len = r->header_text_len;
		if (diag_limit_reached())
			r->failed = true;
		return;
	}
	r->row_first_cell += r->row_fields;
	if (r->n_records > 0)
		t->n_rows++;
	r->n_records++;
	r->row_fields = 0;
	r->at_field_start = true;
	if (r->sink)
		stream_row(r);
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t k;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Spaces are data: nothing is trimmed, so " 12.50" is refused later. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void start_field_if_needed(struct reader *r, size_t off)
{
	char c = r->buf[off];

	if (!r->at_field_start)
		return;
	/*
	 * A line end starts a field only after a comma on the same record
	 * ("a,\n" has an empty last field); otherwise it ends the record.
	 */
	if ((c == '\r' || c == '\n') && r->row_fields == 0)
		return;
	r->at_field_start = false;
	r->field_off = off;
	r->field_line = r->line;
	r->field_col = (unsigned long)(off - r->line_start + 1);
}

static bool fast_path = true;

void csv_set_fast_path(bool enabled)
{
	fast_path = enabled;
}

enum split { SPLIT_DONE, SPLIT_BAD, SPLIT_QUOTED };

#if defined(__SSE2__)
#include <emmintrin.h>

/* Bytes the 16-byte scan may read past a line's LF. */
#define SPLIT_SLACK 16

/* Bit i set where byte i of the 16 at p is c. */
static inline unsigned eq_mask(__m128i v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

/*
 * Splits the copied line text[0..len) (LF or CR at text[len]) at its
 * commas, 16 bytes at a time: SSE2 compares give bit masks of commas
 * and quotes, and each comma bit closes a field.  A CR, NUL or
 * non-ASCII byte anywhere makes the line unfit (SPLIT_BAD: the slow
 * path takes it).  A quote that opens a field is followed to its
 * closing quote (memchr), which must be followed by a comma or the end
 * of the line, and the scan resumes after it; any other quote (inside
 * a field, doubled, or unclosed on this line) gives SPLIT_QUOTED, for
 * the caller's byte loop.  A branch per byte, or per field, cost more
 * than all the rest of the fast path.
 */
static enum split split_plain(struct reader *r, unsigned char *text,
			      size_t len, size_t base, uint32_t col0,
			      size_t *n_fields, size_t *too_long)
{
	const __m128i cr = _mm_set1_epi8('\r'), zero = _mm_setzero_si128();
	struct csv_table *t = r->t;
	size_t nf = 0, start = 0, k;
	struct csv_cell *c;
	bool last_quoted = false;

	memset(text + len + 1, 0, SPLIT_SLACK);	/* defined bytes to read */
	for (k = 0; k < len; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + k));
		unsigned bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				       _mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, zero)));

		bad |= (unsigned)_mm_movemask_epi8(v);
		/* the line end and the slack after it are not the line's */
		if (bad && (len - k >= 16 || (bad & ((1u << (len - k)) - 1))))
			return SPLIT_BAD;
	}
	/* every byte may end a field: at most len + 1 of them */
	ALLOC_GROW(t->cells, r->row_first_cell + len + 1, t->alloc_cells);
	c = t->cells + r->row_first_cell;
	/*
	 * No mask for the end of the line: the bytes after it (CR or LF,
	 * then the zeros of the slack) are neither commas nor quotes.
	 */
	for (k = 0; k < len;) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + k));
		unsigned commas = eq_mask(v, ','), quotes = eq_mask(v, '"');
		bool resume = false;

		if (start > k) {	/* after a quoted field: start - k < 16 */
			unsigned keep = ~((1u << (start - k)) - 1);

			commas &= keep;
			quotes &= keep;
		}
		while (commas | quotes) {
			unsigned b = (unsigned)__builtin_ctz(commas | quotes);
			size_t end = k + b;

			if (quotes & (1u << b)) {
				const unsigned char *q;

				if (end != start)
					return SPLIT_QUOTED;	/* quote inside a field */
				q = memchr(text + end + 1, '"', len - end - 1);
				if (!q)
					return SPLIT_QUOTED;	/* closes on a later line */
				end = (size_t)(q - text);
				if (end + 1 != len && text[end + 1] != ',')
					return SPLIT_QUOTED;	/* doubled, or junk after it */
				c[nf].off = (uint32_t)(base + start + 1);
				c[nf].len = (uint32_t)(end - start - 1);
				c[nf].line = (uint32_t)r->line;
				c[nf].col = col0 + (uint32_t)start;
				nf++;
				text[end] = '\0';
				if (end + 1 == len) {
					last_quoted = true;
					start = len;
					break;
				}
				text[end + 1] = '\0';
				start = end + 2;
				resume = true;
				break;
			}
			commas &= commas - 1;
			c[nf].off = (uint32_t)(base + start);
			c[nf].len = (uint32_t)(end - start);
			c[nf].line = (uint32_t)r->line;
			c[nf].col = col0 + (uint32_t)start;
			nf++;
			text[end] = '\0';
			start = end + 1;
		}
		if (last_quoted)
			break;
		/* after a quoted field, go on from the chunk holding start */
		k = resume ? start & ~(size_t)15 : k + 16;
	}
	if (!last_quoted) {
		c[nf].off = (uint32_t)(base + start);
		c[nf].len = (uint32_t)(len - start);
		c[nf].line = (uint32_t)r->line;
		c[nf].col = col0 + (uint32_t)start;
		nf++;
	}
	text[len] = '\0';	/* over the CR or LF */
	if (len > r->max_field) {	/* else no field can be too long */
		for (size_t f = 0; f < nf; f++) {
			if (c[f].len > r->max_field) {
				*too_long = f;
				break;
			}
		}
	}
	*n_fields = nf;
	return SPLIT_DONE;
}
#else
#define SPLIT_SLACK 0

/* Without SSE2 every line takes the byte loop of fast_record(). */
static enum split split_plain(struct reader *r, unsigned char *text,
			      size_t len, size_t base, uint32_t col0,
			      size_t *n_fields, size_t *too_long)
{
	(void)r, (void)text, (void)len, (void)base, (void)col0;
	(void)n_fields, (void)too_long;
	return SPLIT_QUOTED;
}
#endif

/*
 * The fast path for a record that fills one physical line (ended by LF
 * or CRLF), holds no other CR, no NUL or non-ASCII byte, and whose
 * quotes only wrap whole fields without doubled quotes inside.  libcsv
 * would just split such a line at its unquoted commas and strip the
 * quotes, so we do that ourselves and libcsv never sees the line (it
 * stays between records).  The line is copied into the text buffer
 * first and scanned there: the comma or closing quote after each field
 * becomes its NUL, and the line's LF stops every scan (no bounds checks).
 *
 * Returns the offset just past the line end, or 0 if the line does not
 * qualify; then nothing is kept and the slow path takes the line.  An
 * empty line and a last line without LF never qualify.
 */
static size_t fast_record(struct reader *r, size_t i)
{
	const char *lf = memchr(r->buf + i, '\n', r->len - i);
	struct csv_table *t = r->t;
	size_t end, next, n, base, nf = 0, too_long = SIZE_MAX;
	unsigned char *text, *k;
	uint32_t col0 = (uint32_t)(i - r->line_start + 1);

	if (!lf)
		return 0;
	next = (size_t)(lf - r->buf) + 1;
	end = next - 1;
	if (end > i && r->buf[end - 1] == '\r')
		end--;
	if (end == i)
		return 0;
	if (r->sink && r->sink->plain && r->n_records > 0 &&
	    end - i <= r->max_field && next + CSV_STREAM_PAD <= r->len &&
	    r->sink->plain(r->sink->ctx, t, r->buf + i, end - i, r->line)) {
		/* taken whole: a row as on_record() would count it */
		t->n_rows++;
		r->n_records++;
		if (next == end + 2)
			t->had_crlf = true;
		r->line++;
		r->line_start = next;
		return next;
	}
	n = next - i;	/* the line with its LF, the scans' sentinel */
	if (t->text_len + n + SPLIT_SLACK > t->text_alloc) {
		size_t a = t->text_alloc ? t->text_alloc : 65536;

		while (a < t->text_len + n + SPLIT_SLACK)
			a *= 2;
		t->text = xrealloc(t->text, a);
		t->text_alloc = a;
	}
	base = t->text_len;
	text = (unsigned char *)t->text + base;
	memcpy(text, r->buf + i, n);

	switch (split_plain(r, text, end - i, base, col0, &nf, &too_long)) {
	case SPLIT_DONE:
		goto done;
	case SPLIT_BAD:
		return 0;
	case SPLIT_QUOTED:
		/* the split may have put NULs in already: start again */
		memcpy(text, r->buf + i, n);
		break;
	}
	k = text;
	for (;;) {
		unsigned char *first = k, *start = k;
		struct csv_cell *c;

		if (*k == '"') {
			start = ++k;
			while (!quoted_stop[*k])
				k++;
			if (*k != '"')
				return 0;
			*k++ = '\0';	/* the closing quote */
			if (*k != ',' && k != text + (end - i))
				return 0;	/* junk after the quote */
		} else {
			while (!field_stop[*k])
				k++;
		}
		ALLOC_GROW(t->cells, r->row_first_cell + nf + 1, t->alloc_cells);
		c = &t->cells[r->row_first_cell + nf++];
		c->off = (uint32_t)(base + (size_t)(start - text));
		c->len = (uint32_t)(k - start - (start != first));
		c->line = (uint32_t)r->line;
		c->col = col0 + (uint32_t)(first - text);
		if (c->len > r->max_field && too_long == SIZE_MAX)
			too_long = nf - 1;
		if (*k == ',') {
			*k++ = '\0';
			continue;
		}
		if (k != text + (end - i))
			return 0;	/* a quote, CR, NUL or non-ASCII byte */
		*k = '\0';
		break;
	}
done:
	t->text_len += n;
	if (too_long != SIZE_MAX) {
		r->field_line = r->line;
		r->field_col = t->cells[r->row_first_cell + too_long].col;
		field_too_long(r);
		return next;
	}
	r->row_fields = nf;
	r->chunk_end = end + 1;	/* the byte that ended the record */
	on_record(0, r);
	if (next == end + 2)
		t->had_crlf = true;
	r->line++;
	r->line_start = next;
	return next;
}

static enum status parse(struct reader *r, struct csv_parser *p, size_t start)
{
	const unsigned char *b = (const unsigned char *)r->buf;
	size_t i = start;

	while (i < r->len && !r->failed) {
		size_t j = i, done, n;

		if (fast_path && i == r->line_start && r->at_field_start &&
		    r->row_fields == 0) {
			size_t next = fast_record(r, i);

			if (next) {
				i = next;
				continue;
			}
		}
		start_field_if_needed(r, i);
		/* scan to the next byte that matters */
		for (;;) {
			while (j < r->len && !special[b[j]])
				j++;
			if (j == r->len || special[b[j]] == SP_BREAK)
				break;
			if (special[b[j]] == SP_NUL)
				return error_at(r, j, r->line, r->line_start,
						"NUL byte in the data"), ST_DATA;
			{
				size_t k = utf8_len(b + j, r->len - j);

				if (!k)
					return error_at(r, j, r->line, r->line_start,
							"invalid UTF-8 byte sequence"), ST_DATA;
				j += k;
			}
		}
		n = (j < r->len ? j + 1 : r->len) - i;
		if (!r->at_field_start && j - r->field_off > 2 * r->max_field + 2)
			return field_too_long(r), ST_DATA;

		/* a line holding nothing (or only CR) is a blank line */
		if (j < r->len && (b[j] == '\n' || (b[j] == '\r' && (j + 1 == r->len || b[j + 1] != '\n')))) {
			bool empty = j == r->line_start ||
				     (j == r->line_start + 1 && b[r->line_start] == '\r');

			if (empty && r->at_field_start && r->row_fields == 0)
				return error_at(r, r->line_start, r->line, r->line_start,
						"blank line"), ST_DATA;
		} else if (j < r->len && b[j] == '\r' && j == r->line_start &&
			   r->at_field_start && r->row_fields == 0) {
			return error_at(r, j, r->line, r->line_start, "blank line"), ST_DATA;
		}

		r->chunk_end = i + n;
		done = csv_parse(p, b + i, n, on_field, on_record, r);
		if (r->failed)
			return ST_DATA;
		if (done != n) {
			size_t bad = i + done;
			int err = csv_error(p);

			if (err == CSV_EPARSE)
				error_at(r, bad, r->line, r->line_start,
					 b[bad] == '"' ? "quote inside an unquoted field"
						       : "unexpected character after a closing quote");
			else
				error_at(r, bad, r->line, r->line_start, csv_strerror(err));
			return ST_DATA;
		}
		/* advance the line counter over the chunk's last byte */
		if (j < r->len) {
			if (b[j] == '\n' || (b[j] == '\r' && (j + 1 == r->len || b[j + 1] != '\n'))) {
				r->line++;
				r->line_start = j + 1;
			}
			if (b[j] == '\r' && j + 1 < r->len && b[j + 1] == '\n')
				r->t->had_crlf = true;
		}
		i += n;
	}
	return r->failed ? ST_DATA : ST_OK;
}

/*
 * A file is read through a private read-only mapping (no copy of its
 * bytes).  If it shrinks meanwhile (truncated by another program), a
 * read past its new end raises SIGBUS; the handler takes this thread
 * back to read_file(), which reports an I/O error, if the address is in
 * the mapping this thread is reading, and otherwise lets the signal
 * kill the process as it would have.
 */
static _Thread_local struct {
	const char *lo, *hi;		/* the mapping being read */
	sigjmp_buf *jb;			/* where to go on SIGBUS in it */
	struct csv_parser parser;	/* read_mem()'s, to free then */
	bool parser_live;
} mapped;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *a = si->si_addr;

	(void)uc;
	if (mapped.jb && a >= mapped.lo && a < mapped.hi)
		siglongjmp(*mapped.jb, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL);
}

/*
 * Parses len bytes of buf (see csv_read_mem()), into t or, with a sink,
 * row by row.  in_mapping: buf is the mapping of read_mapped(), so the
 * libcsv parser is kept where a SIGBUS cannot lose it.
 */
static enum status read_mem(struct csv_table *t, const char *path,
			    const char *buf, size_t len,
			    const struct csv_opts *opts,
			    const struct csv_sink *sink, bool in_mapping)
{
	struct csv_opts defaults = { 0, false };
	struct reader r;
	struct csv_parser local;
	struct csv_parser *p = in_mapping ? &mapped.parser : &local;
	size_t start = 0;
	enum status st;
	unsigned long errors_before = diag_error_count();

	if (!opts)
		opts = &defaults;
	memset(&r, 0, sizeof(r));
	r.t = t;
	r.buf = buf;
	r.len = len;
	r.max_field = opts->max_field ? opts->max_field : CSV_DEFAULT_MAX_FIELD;
	r.line = 1;
	r.at_field_start = true;
	r.sink = sink;
	r.sink_st = ST_OK;
	t->path = xstrdup(path);
	/*
	 * Field text never needs more than the input plus a final NUL; a
	 * stream holds the header and one row, and grows for a long one.
	 */
	t->text_alloc = len + 2 + SPLIT_SLACK + 1;
	if (sink && t->text_alloc > 65536)
		t->text_alloc = 65536;
	t->text = xmalloc(t->text_alloc);

	if (len >= UINT32_MAX) {
		diag_at(DIAG_ERROR, &(struct srcloc){ t->path, 0, 0 },
			"file is too large (4 GiB or more)");
		csv_table_release(t);
		return ST_DATA;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		t->had_bom = true;
		start = r.line_start = 3;
	}
	if (len >= 2 && (memcmp(buf, "\xff\xfe", 2) == 0 || memcmp(buf, "\xfe\xff", 2) == 0)) {
		/* Excel's "Unicode Text" and some exports: say so, not "invalid UTF-8" */
		diag_at(DIAG_ERROR, &(struct srcloc){ t->path, 1, 1 },
			"file is UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8");
		csv_table_release(t);
		return ST_DATA;
	}
	if (start == len) {
		diag_at(DIAG_ERROR, &(struct srcloc){ t->path, 1, 1 }, "file is empty");
		csv_table_release(t);
		return ST_DATA;
	}
	t->final_newline = buf[len - 1] == '\n' || buf[len - 1] == '\r';

	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		csv_table_release(t);
		return ST_INTERNAL;
	}
	mapped.parser_live = in_mapping;
	csv_set_space_func(p, no_space);
	st = parse(&r, p, start);
	if (st == ST_OK) {
		r.chunk_end = len + 1;
		/* "a,b,": the empty last field starts at the end of input */
		if (r.at_field_start && r.row_fields > 0) {
			r.field_off = len;
			r.field_line = r.line;
			r.field_col = (unsigned long)(len - r.line_start + 1);
		}
		if (csv_fini(p, on_field, on_record, &r) != 0) {
			struct srcloc loc = { t->path, r.field_line, r.field_col };

			diag_at(DIAG_ERROR, &loc, "unterminated quoted field");
			st = ST_DATA;
		} else if (r.failed) {
			st = ST_DATA;
		}
	}
	if (in_mapping)
		mapped.parser_live = false;
	csv_free(p);
	if (r.sink_st != ST_OK)
		st = r.sink_st;	/* the header or a row stopped the stream */
	if (st == ST_OK && diag_error_count() != errors_before)
		st = ST_DATA;	/* ragged rows were reported */

	if (st == ST_OK && t->n_rows == 0 && !opts->allow_empty_body) {
		struct srcloc loc = { t->path, r.line, (unsigned long)(len - r.line_start + 1) };

		diag_at(DIAG_ERROR, &loc, "no data rows after the header");
		st = ST_DATA;
	}
	if (st == ST_OK && !sink)
		st = check_header(t);	/* a stream checked it before any row */
	t->readable = t->text_len;
	if (st != ST_OK)
		csv_table_release(t);
	return st;
}

enum status csv_read_mem(struct csv_table *t, const char *path,
			 const char *buf, size_t len,
			 const struct csv_opts *opts)
{
	return read_mem(t, path, buf, len, opts, NULL, false);
}

enum status csv_stream_mem(struct csv_table *t, const char *path,
			   const char *buf, size_t len,
			   const struct csv_opts *opts,
			   const struct csv_sink *sink)
{
	return read_mem(t, path, buf, len, opts, sink, false);
}

/*
 * read_mem() over the len bytes of the regular file open on fd, mapped
 * (see `mapped` above).  Returns ST_INTERNAL, having done nothing, if
 * the file cannot be mapped, for the caller to read it instead.
 */
static enum status read_mapped(struct csv_table *t, const char *path, int fd,
			       size_t len, const struct csv_opts *opts,
			       const struct csv_sink *sink)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	sigjmp_buf jb;
	volatile enum status st = ST_INTERNAL;

	if (m == MAP_FAILED)
		return ST_INTERNAL;
	(void)madvise(m, len, MADV_WILLNEED);	/* read ahead if it is not cached */
	pthread_once(&once, install_sigbus);
	if (sigsetjmp(jb, 1) == 0) {
		mapped.lo = m;
		mapped.hi = m + len;
		mapped.jb = &jb;
		st = read_mem(t, path, m, len, opts, sink, true);
	} else {
		/* SIGBUS: the file is shorter than when it was mapped */
		if (mapped.parser_live)
			csv_free(&mapped.parser);
		mapped.parser_live = false;
		csv_table_release(t);
		diag_error("cannot read '%s': it shrank while being read "
			   "(changed by another program?)", path);
		st = ST_IO;
	}
	mapped.jb = NULL;
	munmap(m, len);
	return st;
}

static enum status read_file(struct csv_table *t, const char *path,
			     const struct csv_opts *opts,
			     const struct csv_sink *sink)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, alloc = 0;
	enum status st;

	if (!f) {
		diag_error("cannot open '%s': %s", path, strerror(errno));
		return ST_NOINPUT;
	}
	{
		struct stat sb;

		/* fopen() opens a directory for reading; fread() then fails */
		if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			fclose(f);
			diag_error("cannot open '%s': %s", path, strerror(EISDIR));
			return ST_NOINPUT;
		}
		/* a regular file is mapped, not copied */
		if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_size > 0 && (uintmax_t)sb.st_size < UINT32_MAX) {
			st = read_mapped(t, path, fileno(f), (size_t)sb.st_size,
					 opts, sink);
			if (st != ST_INTERNAL) {
				fclose(f);
				return st;
			}
			/* no mapping to be had: read it */
			alloc = (size_t)sb.st_size + 65536;
			buf = xmalloc(alloc);
		}
	}
	for (;;) {
		size_t got;

		if (alloc - len < 65536) {
			alloc = alloc ? alloc * 2 : 1 << 20;
			buf = xrealloc(buf, alloc);
		}
		got = fread(buf + len, 1, alloc - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		diag_error("cannot read '%s': %s", path, strerror(e));
		return ST_IO;
	}
	fclose(f);
	st = read_mem(t, path, buf, len, opts, sink, false);
	free(buf);
	return st;
}

enum status csv_read_file(struct csv_table *t, const char *path,
			  const struct csv_opts *opts)
{
	return read_file(t, path, opts, NULL);
}

enum status csv_stream_file(struct csv_table *t, const char *path,
			    const struct csv_opts *opts,
			    const struct csv_sink *sink)
{
	return read_file(t, path, opts, sink);
}

char *csv_normalise_name(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t j = 0;
	bool pending_space = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.' || c == '_' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			pending_space = j > 0;
			continue;
		}
		if (pending_space) {
			out[j++] = ' ';
			pending_space = false;
		}
		out[j++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[j] = '\0';
	return out;
}

long csv_find_col(const struct csv_table *t, const char *norm_name)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (t->norm && strcmp(t->norm[c], norm_name) == 0)
			return (long)c;
	return -1;
}

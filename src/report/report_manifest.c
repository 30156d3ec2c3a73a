/*
 * report_manifest.c - manifest.json: what produced this report folder.
 *
 * Part of the report folder (report.h) and written last, because it
 * lists the SHA-256 (nettle) of every other file in the folder together
 * with the inputs' hashes, the command line, the start and end times,
 * the seed and generator, every resolved parameter with its origin, and
 * the row counts and money control totals of every table.  With it a
 * reviewer can check that a board paper's numbers came from these
 * inputs and these parameters.  Money is written as integer pence
 * (jansson's json_int_t is 64-bit), never as a floating-point number.
 * The manifest cannot contain its own hash, and says so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "outfile.h"
#include "report.h"
#include "sbuf.h"
#include "xalloc.h"

#define MANIFEST_NAME "manifest.json"

enum status report_sha256_file(const char *path, char hex[65],
			       uint64_t *bytes)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	unsigned char *buf;
	ssize_t n;
	uint64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		diag_error("cannot read '%s': %s", path, strerror(errno));
		return ST_NOINPUT;
	}
	buf = xmalloc(1 << 16);
	sha256_init(&ctx);
	while ((n = read(fd, buf, 1 << 16)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			diag_error("cannot read '%s': %s", path, strerror(errno));
			free(buf);
			close(fd);
			return ST_NOINPUT;
		}
		sha256_update(&ctx, (size_t)n, buf);
		total += (uint64_t)n;
	}
	free(buf);
	close(fd);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		static const char hx[] = "0123456789abcdef";

		hex[2 * i] = hx[digest[i] >> 4];
		hex[2 * i + 1] = hx[digest[i] & 15];
	}
	hex[64] = '\0';
	if (bytes)
		*bytes = total;
	return ST_OK;
}

char *report_iso8601(int64_t t, char buf[32])
{
	int64_t days = t / 86400, secs = t % 86400;
	char date[16];

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (days > INT32_MAX || days < INT32_MIN)
		days = days > 0 ? INT32_MAX : INT32_MIN;
	snprintf(buf, 32, "%sT%02d:%02d:%02dZ",
		 rtable_date_format((int32_t)days, date), (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}

/* ------------------------------------------------------------------ */
/* building the JSON                                                    */

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

/*
 * A JSON string for s.  JSON needs UTF-8; a path or argument that is not
 * valid UTF-8 has each bad byte shown as U+FFFD rather than being lost.
 */
static json_t *jstr(const char *s)
{
	struct sbuf sb;
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	sbuf_init(&sb);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			sbuf_add(&sb, p, n);
			p += n;
		} else {
			sbuf_puts(&sb, "\xEF\xBF\xBD");
			p++;
		}
	}
	j = json_string(sb.buf);
	sbuf_release(&sb);
	return j ? j : json_null();
}

/* json_object_set_new() that remembers a failure (out of memory). */
static void jset(json_t *obj, const char *key, json_t *val, bool *ok)
{
	if (!val || json_object_set_new(obj, key, val) != 0)
		*ok = false;
}

static void jpush(json_t *arr, json_t *val, bool *ok)
{
	if (!val || json_array_append_new(arr, val) != 0)
		*ok = false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular, non-hidden files in dir except the manifest, sorted. */
static enum status list_outputs(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t alloc = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		diag_error("cannot read '%s': %s", dir, strerror(errno));
		return ST_IO;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, MANIFEST_NAME))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			ALLOC_GROW(*names, *n + 1, alloc);
			(*names)[(*n)++] = xstrdup(de->d_name);
		}
		free(p);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return ST_OK;
}

static json_t *file_entry(const char *shown, const char *path,
			  enum status *st, bool *ok)
{
	char hex[65];
	uint64_t bytes = 0;
	json_t *o = json_object();

	*st = report_sha256_file(path, hex, &bytes);
	if (*st != ST_OK) {
		json_decref(o);
		return NULL;
	}
	jset(o, "path", jstr(shown), ok);
	jset(o, "bytes", json_integer((json_int_t)bytes), ok);
	jset(o, "sha256", json_string(hex), ok);
	return o;
}

static json_t *tables_json(const struct report_manifest *m, enum status *st,
			   bool *ok)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < m->n_tables; i++) {
		const struct rtable *t = m->tables[i];
		json_t *o = json_object(), *tot = json_object();

		jset(o, "name", jstr(t->name), ok);
		{
			char *file = xasprintf("%s.csv", t->name);

			jset(o, "csv", jstr(file), ok);
			free(file);
		}
		jset(o, "title", jstr(t->title), ok);
		jset(o, "rows", json_integer((json_int_t)t->n_rows), ok);
		jset(o, "columns", json_integer((json_int_t)t->n_cols), ok);
		for (size_t c = 0; c < t->n_cols; c++) {
			int64_t sum;

			if (t->cols[c].type != RCOL_MONEY)
				continue;
			if (rtable_money_total(t, c, &sum) != 0) {
				diag_error("money total of column '%s' in table "
					   "'%s' overflows", t->cols[c].name,
					   t->name);
				*st = ST_INTERNAL;
				json_decref(tot);
				json_decref(o);
				json_decref(arr);
				return NULL;
			}
			jset(tot, t->cols[c].name, json_integer(sum), ok);
		}
		jset(o, "money_totals_pence", tot, ok);
		jpush(arr, o, ok);
	}
	return arr;
}

enum status report_manifest_write(const char *dir,
				  const struct report_manifest *m)
{
	json_t *root = json_object(), *arr, *o;
	char **outs = NULL;
	size_t n_outs = 0;
	char when[32];
	char *text = NULL, *path = NULL;
	enum status st = ST_OK;
	bool ok = true;
	struct outfile of;
	int64_t finished = m->finished ? m->finished : (int64_t)time(NULL);

	jset(root, "tool", json_string("pcbudget"), &ok);
	jset(root, "version", jstr(m->tool_version), &ok);
	arr = json_array();
	for (int i = 0; i < m->argc; i++)
		jpush(arr, jstr(m->argv[i]), &ok);
	jset(root, "command_line", arr, &ok);
	jset(root, "started", json_string(report_iso8601(m->started, when)), &ok);
	jset(root, "finished", json_string(report_iso8601(finished, when)), &ok);
	o = json_object();
	for (size_t i = 0; i < m->n_info; i++)
		jset(o, m->info[i].key, jstr(m->info[i].value), &ok);
	jset(root, "run", o, &ok);
	if (m->has_seed) {
		o = json_object();
		if (m->seed <= INT64_MAX)
			jset(o, "seed", json_integer((json_int_t)m->seed), &ok);
		else {
			char s[32];

			snprintf(s, sizeof(s), "%llu", (unsigned long long)m->seed);
			jset(o, "seed", json_string(s), &ok);
		}
		jset(o, "generator", jstr(m->generator), &ok);
		jset(root, "random", o, &ok);
	} else {
		jset(root, "random", json_null(), &ok);
	}
	arr = json_array();
	for (size_t i = 0; i < m->n_params; i++) {
		const struct report_param *p = &m->params[i];

		o = json_object();
		jset(o, "section", jstr(p->section), &ok);
		jset(o, "key", jstr(p->key), &ok);
		jset(o, "value", jstr(p->value), &ok);
		jset(o, "origin", jstr(p->origin), &ok);
		if (p->source)
			jset(o, "source", jstr(p->source), &ok);
		jpush(arr, o, &ok);
	}
	jset(root, "parameters", arr, &ok);

	arr = json_array();
	for (size_t i = 0; i < m->n_inputs && st == ST_OK; i++) {
		const struct report_input *in = &m->inputs[i];
		json_t *tot;

		o = file_entry(in->path, in->path, &st, &ok);
		if (!o)
			break;
		jset(o, "role", jstr(in->role), &ok);
		jset(o, "rows", in->rows >= 0 ? json_integer(in->rows) :
		     json_null(), &ok);
		tot = json_object();
		for (size_t k = 0; k < in->n_totals; k++)
			jset(tot, in->totals[k].name,
			     json_integer(in->totals[k].pence), &ok);
		jset(o, "control_totals_pence", tot, &ok);
		jpush(arr, o, &ok);
	}
	jset(root, "inputs", arr, &ok);
	if (st != ST_OK)
		goto out;

	st = list_outputs(dir, &outs, &n_outs);
	if (st != ST_OK)
		goto out;
	arr = json_array();
	for (size_t i = 0; i < n_outs && st == ST_OK; i++) {
		char *p = xasprintf("%s/%s", dir, outs[i]);

		o = file_entry(outs[i], p, &st, &ok);
		free(p);
		if (o)
			jpush(arr, o, &ok);
	}
	jset(root, "outputs", arr, &ok);
	if (st == ST_NOINPUT)
		st = ST_IO;	/* one of our own files vanished */
	if (st != ST_OK)
		goto out;

	o = tables_json(m, &st, &ok);
	if (!o)
		goto out;
	jset(root, "tables", o, &ok);
	jset(root, "hash_algorithm", json_string("sha256"), &ok);
	jset(root, "money_unit", json_string("integer pence"), &ok);
	jset(root, "note", json_string(
		"manifest.json is not listed under outputs: a file cannot "
		"contain its own SHA-256 hash. Check it against a hash kept "
		"elsewhere (e.g. in the board paper) if it must be verified."),
	     &ok);
	if (!ok) {
		diag_error("cannot build the manifest: out of memory");
		st = ST_INTERNAL;
		goto out;
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!text) {
		diag_error("cannot build the manifest: out of memory");
		st = ST_INTERNAL;
		goto out;
	}
	path = xasprintf("%s/%s", dir, MANIFEST_NAME);
	st = outfile_open(&of, path);
	if (st == ST_OK) {
		outfile_puts(&of, text);
		outfile_puts(&of, "\n");
		st = outfile_close(&of);
	}
out:
	for (size_t i = 0; i < n_outs; i++)
		free(outs[i]);
	free(outs);
	free(text);
	free(path);
	json_decref(root);
	return st;
}

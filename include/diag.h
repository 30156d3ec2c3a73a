/*
 * diag.h - diagnostics: every message the user sees about their data.
 *
 * Messages follow the GNU compiler form editors can jump to:
 *     path:line:col: error: column 'Global Sum': '12x4.50' is not an amount
 * Line and column are 1-based; columns count bytes (exact for ASCII).
 * Without a location the form is "pcbudget: error: ...".
 *
 * The module counts errors, stops printing after a cap (--max-errors),
 * can be silenced for notes and warnings (quiet mode), and writes to a
 * stream that tests can redirect.  State is process-global and meant to
 * be used from the main thread only.
 */
#ifndef PCBUDGET_DIAG_H
#define PCBUDGET_DIAG_H

#include <stdbool.h>
#include <stdio.h>

struct srcloc {
	const char *path;	/* borrowed; NULL = no location */
	unsigned long line;	/* 1-based; 0 = unknown (then col is ignored) */
	unsigned long col;	/* 1-based byte column; 0 = unknown */
};

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

/* Sends all later messages to f (NULL = stderr).  f is borrowed. */
void diag_set_stream(FILE *f);

/* Quiet mode: notes and warnings are not printed (nor formatted); errors are. */
void diag_set_quiet(bool quiet);
bool diag_is_quiet(void);

/*
 * Prints at most max errors (0 = no cap).  The first error past the cap
 * prints "pcbudget: error: too many errors (N), stopping" once; later
 * ones are only counted.
 */
void diag_set_max_errors(unsigned long max);

/*
 * Prints "loc: level: message\n" (or "pcbudget: level: message\n" when
 * loc or loc->path is NULL) and counts it.  Always returns -1 so callers
 * can write `return diag_at(...)`.
 */
int diag_at(enum diag_level level, const struct srcloc *loc,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Shorthands for diag_at(DIAG_ERROR, NULL, ...) and friends; return -1. */
int diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int diag_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Progress for operators.  When the stream is a terminal: "pcbudget:
 * <msg>" lines; otherwise log lines stamped in UTC,
 * "2026-11-23T02:00:00Z pcbudget: info: <msg>", for overnight logs.
 * Nothing in quiet mode.
 */
void diag_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Replaces time() for the log stamps (tests); NULL restores time(). */
void diag_set_clock(long long (*now)(void));

/* Number of errors reported (printed or not) since the last reset. */
unsigned long diag_error_count(void);

/* True once the error cap has been passed: callers may stop early. */
bool diag_limit_reached(void);

/*
 * Deferred diagnostics, for work on another thread.  After
 * diag_defer_begin(), this thread's messages are kept in memory instead
 * of being printed or counted globally; on this thread
 * diag_error_count() and diag_limit_reached() count them alone.
 * diag_defer_end() stops deferring and returns what was kept (NULL if
 * not deferring); diag_replay() then prints and counts it on the
 * calling thread, in order, with the cap and quiet mode applied, exactly
 * as if it had been reported there, and frees it.  The settings (cap,
 * quiet, stream) must not change while any thread defers.
 */
struct diag_deferred;
void diag_defer_begin(void);
struct diag_deferred *diag_defer_end(void);
void diag_replay(struct diag_deferred *d);

/*
 * Frees what was kept without printing or counting it: for work whose
 * result is thrown away (a writer whose output a failed read cancels).
 */
void diag_discard(struct diag_deferred *d);

/* Zeroes the counters (not the settings).  For tests and for main(). */
void diag_reset(void);

/*
 * Copies at most max bytes of s (len bytes) into out (size outsz) for
 * quoting in a message: control bytes and NUL become \xNN, a longer
 * value is cut with "...".  Returns out.
 */
char *diag_quote(char *out, size_t outsz, const char *s, size_t len);

/* Prints "BUG: file:line: msg" to stderr and aborts. */
#define BUG(...) diag_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void diag_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

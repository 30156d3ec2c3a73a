/*
 * workers.h - run independent jobs on all cores.
 *
 * A plain pthreads pool for coarse jobs (one input file, one year of a
 * report): jobs are handed out in index order from a shared counter to
 * the calling thread and up to threads-1 helpers, which exit when the
 * jobs run out (nothing spins afterwards, unlike an OpenMP team, which
 * matters on a machine shared with other work).  Jobs must not share
 * mutable state; diagnostics from a job go through diag_defer_*().
 */
#ifndef PCBUDGET_WORKERS_H
#define PCBUDGET_WORKERS_H

#include <stddef.h>

/*
 * Sets how many threads workers_run() may use: 0 = one per online CPU
 * (the default), 1 = run everything on the calling thread.
 */
void workers_set_threads(unsigned n);

/* The number of threads workers_run() would use for many jobs. */
unsigned workers_threads(void);

/*
 * Calls job(ctx, i) once for every i in [0, n), spread over the
 * threads, and returns when all calls have returned.  If a helper
 * thread cannot be started the calling thread does its share.
 */
void workers_run(size_t n, void (*job)(void *ctx, size_t i), void *ctx);

#endif

/*
 * workers.c - a minimal job pool on pthreads: an atomic counter hands
 * out job indices; the caller works too and joins the helpers.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "workers.h"

static unsigned configured;	/* 0 = one per online CPU */

void workers_set_threads(unsigned n)
{
	configured = n;
}

unsigned workers_threads(void)
{
	long online;

	if (configured)
		return configured;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 && online < 256 ? (unsigned)online : 1;
}

struct pool {
	atomic_size_t next;
	size_t n;
	void (*job)(void *ctx, size_t i);
	void *ctx;
};

static void *work(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);

		if (i >= p->n)
			break;
		p->job(p->ctx, i);
	}
	return NULL;
}

void workers_run(size_t n, void (*job)(void *ctx, size_t i), void *ctx)
{
	struct pool p;
	pthread_t th[63];
	size_t helpers = workers_threads() - 1, started = 0;

	atomic_init(&p.next, 0);
	p.n = n;
	p.job = job;
	p.ctx = ctx;
	if (helpers > n - (n > 0))
		helpers = n ? n - 1 : 0;
	if (helpers > sizeof(th) / sizeof(th[0]))
		helpers = sizeof(th) / sizeof(th[0]);
	for (; started < helpers; started++)
		if (pthread_create(&th[started], NULL, work, &p) != 0)
			break;
	work(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/*
 * runlock.c - an exclusive flock() beside the report folder, held for
 * the whole time a run writes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "diag.h"
#include "runlock.h"
#include "xalloc.h"

static char *lock_path(const char *dir)
{
	size_t len = strlen(dir);
	const char *slash;
	char *trimmed, *p;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	trimmed = xmemdupz(dir, len);
	slash = strrchr(trimmed, '/');
	if (slash)
		p = xasprintf("%.*s/.%s.lock", (int)(slash - trimmed), trimmed, slash + 1);
	else
		p = xasprintf(".%s.lock", trimmed);
	free(trimmed);
	return p;
}

enum status runlock_acquire(struct runlock *lk, const char *dir, bool wait)
{
	lk->path = lock_path(dir);
	lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lk->fd < 0) {
		diag_error("cannot create lock file '%s': %s", lk->path, strerror(errno));
		runlock_release(lk);
		return ST_NOOUTPUT;
	}
	while (flock(lk->fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			diag_error("another run is writing '%s' (lock '%s'); try again later "
				   "or use --wait", dir, lk->path);
			runlock_release(lk);
			return ST_LOCKED;
		}
		diag_error("cannot lock '%s': %s", lk->path, strerror(errno));
		runlock_release(lk);
		return ST_NOOUTPUT;
	}
	return ST_OK;
}

void runlock_release(struct runlock *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);	/* closing drops the flock */
	lk->fd = -1;
	free(lk->path);
	lk->path = NULL;
}

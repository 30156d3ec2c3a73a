/*
 * reportdir.c - publishing the report folder atomically.
 *
 * The very end of a run: report_folder_write() writes every file into
 * the temporary folder made here and calls reportdir_publish(), which
 * swaps it with the previous report in one renameat2(RENAME_EXCHANGE)
 * (or, where the file system cannot, renames the old folder aside
 * first).  Failure at any point removes the temporary folder and leaves
 * the previous report as it was.  Deleting uses openat()/unlinkat() and
 * never follows a symbolic link, so it can only remove what we made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "diag.h"
#include "reportdir.h"
#include "xalloc.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static bool exchange_enabled = true;

void reportdir_set_exchange(bool enabled)
{
	exchange_enabled = enabled;
}

/* renameat2() through syscall(): glibc 2.28+ has a wrapper, but only
 * under _GNU_SOURCE.  Returns -1 with errno ENOSYS where there is none. */
static int rename2(const char *from, const char *to, unsigned flags)
{
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
#else
	(void)from;
	(void)to;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/* ------------------------------------------------------------------ */
/* removing and syncing trees                                          */

static int remove_at(int dirfd, const char *name, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0, saved = 0;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	if (depth > 32) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (remove_at(fd, de->d_name, depth + 1) != 0 && !saved) {
			saved = errno;
			rc = -1;
		}
	}
	closedir(d);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 &&
	    errno != ENOENT)
		return -1;
	errno = saved;
	return rc;
}

int reportdir_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path, 0);
}

static int fsync_path(const char *path, bool is_dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	/* some file systems cannot sync a directory: nothing to do there */
	if (rc != 0 && (saved == EINVAL || saved == ENOTSUP))
		rc = 0;
	errno = saved;
	return rc;
}

/* fsyncs every regular file in dir, then dir itself. */
static int sync_folder(const char *dir, char **failed)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		*failed = xstrdup(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    fsync_path(p, false) != 0) {
			int e = errno;

			closedir(d);
			*failed = p;
			errno = e;
			return -1;
		}
		free(p);
	}
	closedir(d);
	if (fsync_path(dir, true) != 0) {
		*failed = xstrdup(dir);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* paths                                                                */

/* Splits path (no trailing slash) into parent and last component. */
static void split(const char *path, char **parent, char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*parent = xstrdup(".");
		*name = xstrdup(path);
	} else if (slash == path) {
		*parent = xstrdup("/");
		*name = xstrdup(slash + 1);
	} else {
		*parent = xmemdupz(path, (size_t)(slash - path));
		*name = xstrdup(slash + 1);
	}
}

/* mkdir -p */
static int make_parents(const char *dir)
{
	char *p = xstrdup(dir);
	struct stat sb;
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char save = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = save;
			if (!save)
				break;
		}
	}
	if (rc == 0 && stat(dir, &sb) != 0)
		rc = -1;
	if (rc == 0 && !S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		rc = -1;
	}
	free(p);
	return rc;
}

/*
 * True if dir may be replaced: it is empty, or its manifest.json says
 * it was written by pcbudget.
 */
static bool replaceable(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true, ours = false;
	char *man;
	json_t *root;

	if (!d)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	if (empty)
		return true;
	man = xasprintf("%s/manifest.json", dir);
	root = json_load_file(man, 0, NULL);
	if (root) {
		const char *tool = json_string_value(json_object_get(root, "tool"));

		ours = tool && !strcmp(tool, "pcbudget");
		json_decref(root);
	}
	free(man);
	return ours;
}

/* ------------------------------------------------------------------ */
/* stale folders                                                        */

/* If s is "<prefix><digits>", returns the number, else -1. */
static long pid_suffix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	long pid = 0;

	if (strncmp(s, prefix, n) != 0 || !s[n])
		return -1;
	for (s += n; *s; s++) {
		if (*s < '0' || *s > '9' || pid > (long)INT_MAX / 10)
			return -1;
		pid = pid * 10 + (*s - '0');
	}
	return pid;
}

static bool process_gone(long pid)
{
	return pid > 0 && pid != (long)getpid() &&
	       kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

size_t reportdir_clean_stale(const char *final)
{
	char *parent, *name, *tmp_prefix, *old_prefix;
	DIR *d;
	struct dirent *de;
	size_t handled = 0;
	struct stat sb;

	split(final, &parent, &name);
	tmp_prefix = xasprintf(".%s.tmp.", name);
	old_prefix = xasprintf(".%s.old.", name);
	d = opendir(parent);
	while (d && (de = readdir(d)) != NULL) {
		long tpid = pid_suffix(de->d_name, tmp_prefix);
		long opid = pid_suffix(de->d_name, old_prefix);
		char *p;

		if (!process_gone(tpid) && !process_gone(opid))
			continue;
		p = xasprintf("%s/%s", parent, de->d_name);
		if (opid > 0 && lstat(final, &sb) != 0 && errno == ENOENT &&
		    rename(p, final) == 0) {
			diag_note("restored '%s' from an interrupted run", final);
			handled++;
		} else if (reportdir_remove_tree(p) == 0) {
			handled++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(tmp_prefix);
	free(old_prefix);
	free(parent);
	free(name);
	return handled;
}

/* ------------------------------------------------------------------ */
/* begin, publish, abort                                                */

static enum status refuse(const char *final, const char *why)
{
	diag_error("refusing to replace '%s': %s", final, why);
	return ST_NOOUTPUT;
}

enum status reportdir_begin(struct reportdir *rd, const char *final)
{
	char *path = xstrdup(final);
	size_t len = strlen(path);
	struct stat sb;
	int rc;

	memset(rd, 0, sizeof(*rd));
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		char *real = realpath(path, NULL);

		if (real) {
			free(path);
			path = xstrdup(real);
			free(real);
		}
	}
	rd->final = path;
	split(path, &rd->parent, &rd->name);
	if (!*rd->name || !strcmp(rd->name, ".") || !strcmp(rd->name, "..") ||
	    !strcmp(rd->name, "/")) {
		diag_error("cannot use '%s' as a report folder: name a folder "
			   "to create", final);
		return ST_NOOUTPUT;
	}
	if (make_parents(rd->parent) != 0) {
		diag_error("cannot create '%s': %s", rd->parent, strerror(errno));
		return ST_NOOUTPUT;
	}
	reportdir_clean_stale(rd->final);
	if (lstat(rd->final, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return refuse(rd->final, "it is not a folder");
		if (!replaceable(rd->final))
			return refuse(rd->final, "it is not a pcbudget report "
				      "folder (no manifest.json written by "
				      "pcbudget)");
	}
	rd->tmp = xasprintf("%s/.%s.tmp.%ld", rd->parent, rd->name,
			    (long)getpid());
	rc = mkdir(rd->tmp, 0777);
	if (rc != 0 && errno == EEXIST) {
		/* left by an earlier process that had our pid */
		reportdir_remove_tree(rd->tmp);
		rc = mkdir(rd->tmp, 0777);
	}
	if (rc == 0)
		return ST_OK;
	diag_error("cannot create '%s': %s", rd->tmp, strerror(errno));
	free(rd->tmp);
	rd->tmp = NULL;
	return ST_NOOUTPUT;
}

char *reportdir_file(const struct reportdir *rd, const char *name)
{
	if (!rd->tmp)
		BUG("reportdir_file: no temporary folder");
	return xasprintf("%s/%s", rd->tmp, name);
}

void reportdir_abort(struct reportdir *rd)
{
	if (rd->tmp && !rd->published)
		reportdir_remove_tree(rd->tmp);
	free(rd->tmp);
	rd->tmp = NULL;
}

/* Moves the new folder in by renaming the old one aside first. */
static int publish_aside(struct reportdir *rd)
{
	char *old = xasprintf("%s/.%s.old.%ld", rd->parent, rd->name,
			      (long)getpid());
	int rc = -1, e;

	reportdir_remove_tree(old);
	if (rename(rd->final, old) != 0)
		goto out;
	if (rename(rd->tmp, rd->final) != 0) {
		e = errno;
		if (rename(old, rd->final) != 0)
			diag_error("the previous report is in '%s'", old);
		errno = e;
		goto out;
	}
	reportdir_remove_tree(old);
	rc = 0;
out:
	free(old);
	return rc;
}

enum status reportdir_publish(struct reportdir *rd)
{
	struct stat sb;
	char *failed = NULL;
	int rc;

	if (!rd->tmp || rd->published)
		BUG("reportdir_publish: nothing to publish");
	if (sync_folder(rd->tmp, &failed) != 0) {
		diag_error("cannot sync '%s': %s", failed, strerror(errno));
		free(failed);
		reportdir_abort(rd);
		return ST_IO;
	}
	if (lstat(rd->final, &sb) != 0) {
		rc = rename2(rd->tmp, rd->final, RENAME_NOREPLACE);
		if (rc != 0 && (errno == ENOSYS || errno == EINVAL))
			rc = rename(rd->tmp, rd->final);
		if (rc == 0)
			goto done;
		if (errno != EEXIST && errno != ENOTEMPTY)
			goto fail;
		/* another run got there first: replace it like any other */
	}
	if (lstat(rd->final, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
	    !replaceable(rd->final)) {
		reportdir_abort(rd);
		return refuse(rd->final, "it is not a pcbudget report folder");
	}
	rc = exchange_enabled ? rename2(rd->tmp, rd->final, RENAME_EXCHANGE) : -1;
	if (rc == 0) {
		/* rd->tmp now holds the previous report */
		reportdir_remove_tree(rd->tmp);
		goto done;
	}
	if (exchange_enabled && errno != ENOSYS && errno != EINVAL &&
	    errno != EOPNOTSUPP)
		goto fail;
	if (publish_aside(rd) != 0)
		goto fail;
done:
	rd->published = true;
	free(rd->tmp);
	rd->tmp = NULL;
	if (fsync_path(rd->parent, true) != 0) {
		diag_error("cannot sync '%s': %s", rd->parent, strerror(errno));
		return ST_IO;
	}
	return ST_OK;
fail:
	diag_error("cannot move the new report into '%s': %s", rd->final,
		   strerror(errno));
	reportdir_abort(rd);
	return ST_NOOUTPUT;
}

void reportdir_release(struct reportdir *rd)
{
	reportdir_abort(rd);
	free(rd->final);
	free(rd->parent);
	free(rd->name);
	memset(rd, 0, sizeof(*rd));
}

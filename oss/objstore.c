/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object management: open, precreate, orphan cleanup, destroy, getattr.
 * These are metadata operations and run synchronously in the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objpath.h"
#include "ost_int.h"

/* Orphan cleanup refuses to destroy more than this many objects (as Lustre's ofd). */
#define ORPHAN_MAX (5ULL * OSS_PRECREATE_MAX)

int oss_obj_open(void *arg, uint64_t id, bool direct)
{
	struct oss_ost *ost = arg;
	char path[OSS_OBJPATH_MAX];
	int fd;

	/* never O_CREAT: a write must not resurrect a destroyed object */
	fd = openat(ost->objfd, oss_objpath(id, path),
		    O_RDWR | O_CLOEXEC | O_NOFOLLOW | (direct ? O_DIRECT : 0));
	return fd < 0 ? -errno : fd;
}

/* Directories (relative to O/, "." = O/ itself) with new entries to fsync. */
struct dirty_dirs {
	char (*path)[OSS_OBJPATH_MAX];
	size_t n, cap;
};

static int dirty_add(struct dirty_dirs *d, const char *path)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->path[i], path) == 0)
			return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		void *p = realloc(d->path, cap * sizeof(*d->path));

		if (!p)
			return -ENOMEM;
		d->path = p;
		d->cap = cap;
	}
	strcpy(d->path[d->n++], path);
	return 0;
}

static int dirty_sync(struct oss_ost *ost, struct dirty_dirs *d)
{
	int rc = 0;

	for (size_t i = 0; i < d->n && rc == 0; i++) {
		int fd = openat(ost->objfd, d->path[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			rc = -errno;
			break;
		}
		if (fsync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	return rc;
}

/* Creates the directories of @id's leaf as needed, noting whose entries changed. */
static int make_leaf(struct oss_ost *ost, uint64_t id, struct dirty_dirs *d)
{
	char dir[OSS_OBJPATH_MAX], parent[OSS_OBJPATH_MAX] = ".";
	int rc = 0;

	for (int depth = 1; depth <= 3; depth++) {
		oss_objpath_dir(id, depth, dir);
		if (mkdirat(ost->objfd, dir, 0700) == 0) {
			rc = dirty_add(d, parent);
			if (rc < 0)
				break;
		} else if (errno != EEXIST) {
			rc = -errno;
			break;
		}
		strcpy(parent, dir);
	}
	return rc;
}

static int create_one(struct oss_ost *ost, uint64_t id, struct dirty_dirs *d)
{
	char path[OSS_OBJPATH_MAX], leaf[OSS_OBJPATH_MAX];
	int fd, rc;

	oss_objpath(id, path);
	fd = openat(ost->objfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		rc = make_leaf(ost, id, d);
		if (rc < 0)
			goto out;
		fd = openat(ost->objfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    0600);
	}
	if (fd < 0 && errno != EEXIST) {
		rc = -errno;
		goto out;
	}
	if (fd >= 0)
		close(fd);
	rc = dirty_add(d, oss_objpath_dir(id, 3, leaf));
out:
	return rc;
}

int oss_obj_precreate(struct oss_ost *ost, uint64_t first_id, uint32_t count, uint64_t *last_id)
{
	struct dirty_dirs d = {0};
	uint64_t end, id, created;
	int rc = -EINVAL;

	if (first_id == 0 || count == 0 || count > OSS_PRECREATE_MAX ||
	    first_id > UINT64_MAX - (count - 1))
		goto out;
	end = first_id + (count - 1);
	pthread_mutex_lock(&ost->mgmt_lock);
	created = ost->last_id;
	id = first_id > created ? first_id : created + 1;
	if (id > end) {
		rc = 0;
		goto done;
	}
	/* record the intent first: every object that may exist is <= LAST_ID */
	rc = oss_lastid_write(ost->rootfd, end);
	if (rc < 0) {
		oss_log(ost, "precreate: cannot record last id %" PRIu64 ": %s", end,
			strerror(-rc));
		goto unlock;
	}
	for (; id <= end; id++) {
		rc = create_one(ost, id, &d);
		if (rc < 0)
			break;
		created = id;
	}
	if (rc == 0)
		rc = dirty_sync(ost, &d);
	if (rc < 0) {
		oss_log(ost, "precreate of object 0x%" PRIx64 ": %s", id, strerror(-rc));
		/* objects above the last one created and synced must not count as existing */
		if (dirty_sync(ost, &d) < 0 || oss_lastid_write(ost->rootfd, created) < 0)
			oss_log(ost,
				"precreate: LAST_ID stays at %" PRIu64
				"; orphan cleanup will reconcile",
				end);
		__atomic_store_n(&ost->last_id, created, __ATOMIC_RELEASE);
		goto unlock;
	}
	__atomic_store_n(&ost->last_id, end, __ATOMIC_RELEASE);
done:
	*last_id = ost->last_id;
unlock:
	pthread_mutex_unlock(&ost->mgmt_lock);
	free(d.path);
out:
	return rc;
}

/* Unlinks object @id; 1 if it existed, 0 if not, or -errno. */
static int unlink_one(struct oss_ost *ost, uint64_t id)
{
	char path[OSS_OBJPATH_MAX];
	int rc = 1;

	if (unlinkat(ost->objfd, oss_objpath(id, path), 0) < 0)
		rc = errno == ENOENT ? 0 : -errno;
	/*
	 * Forget after the unlink: an open that started earlier is either in
	 * the cache now (and dropped here) or still opening (and fails -ENOENT);
	 * any later open finds no file.
	 */
	oss_fdc_forget(ost->fdc, id);
	return rc;
}

int oss_obj_destroy(struct oss_ost *ost, uint64_t id)
{
	int rc = -EINVAL;

	if (id == 0)
		goto out;
	rc = unlink_one(ost, id);
	if (rc < 0) {
		oss_log_io_error(ost, id, "destroy", rc);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int oss_obj_orphan_cleanup(struct oss_ost *ost, uint64_t last_assigned)
{
	uint64_t cur;
	int rc, n = 0;

	pthread_mutex_lock(&ost->mgmt_lock);
	cur = ost->last_id;
	if (cur > last_assigned && cur - last_assigned > ORPHAN_MAX) {
		oss_log(ost,
			"orphan cleanup: last assigned %" PRIu64 " is %" PRIu64
			" ids below last precreated; refusing to destroy that many",
			last_assigned, cur - last_assigned);
		rc = -ERANGE;
		goto unlock;
	}
	for (uint64_t id = last_assigned + 1; id <= cur && id != 0; id++) {
		rc = unlink_one(ost, id);
		if (rc < 0) {
			oss_log_io_error(ost, id, "orphan cleanup", rc);
			goto unlock;
		}
		n += rc;
	}
	if (n > 0 && syncfs(ost->rootfd) < 0) {
		rc = -errno;
		goto unlock;
	}
	if (cur != last_assigned) {
		rc = oss_lastid_write(ost->rootfd, last_assigned);
		if (rc < 0)
			goto unlock;
		if (last_assigned > cur)
			oss_log(ost,
				"orphan cleanup: last assigned %" PRIu64
				" is above last precreated %" PRIu64,
				last_assigned, cur);
		__atomic_store_n(&ost->last_id, last_assigned, __ATOMIC_RELEASE);
	}
	rc = n;
unlock:
	pthread_mutex_unlock(&ost->mgmt_lock);
	return rc;
}

int oss_obj_getattr(struct oss_ost *ost, uint64_t id, struct oss_obj_attr *out)
{
	struct oss_fdc_ent *ent;
	struct stat st;
	int fd, rc = -EINVAL;

	if (id == 0)
		goto out;
	rc = oss_fdc_get(ost->fdc, id, false, &ent, &fd);
	if (rc < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto put;
	}
	out->size = st.st_size;
	out->blocks = st.st_blocks;
	out->mtime.sec = st.st_mtim.tv_sec;
	out->mtime.nsec = st.st_mtim.tv_nsec;
put:
	oss_fdc_put(ost->fdc, ent);
out:
	return rc;
}

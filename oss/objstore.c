/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object management: open, precreate, first-write creation, orphan cleanup,
 * destroy, getattr.  These are metadata operations and run synchronously in
 * the caller.
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

static int dirty_add(struct oss_dirset *d, const char *path)
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

static int dirty_sync(struct oss_ost *ost, struct oss_dirset *d)
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
static int make_leaf(struct oss_ost *ost, uint64_t id, struct oss_dirset *d)
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

static int create_one(struct oss_ost *ost, uint64_t id, struct oss_dirset *d)
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

/* ---- the destroyed-id bitmap ------------------------------------------- */

/*
 * Bit @id of DESTROYED is set when object @id is destroyed, so that a write
 * arriving after the destroy (a client the MDS evicted, a resend) finds no
 * object instead of creating it again.  Ids above the last id need no bit:
 * they are not precreated, so nothing creates them; a precreate clears the
 * bits of the ids it hands out.  Byte id / 8, bit id % 8; the file is
 * sparse and grows with the ids in use (1 MiB per 8 million ids).
 */

/* Reads the bitmap bytes of ids [@first, @last] into @buf (zeros past EOF); mgmt_lock held. */
static int tomb_read(struct oss_ost *ost, uint64_t first, uint64_t last, uint8_t *buf)
{
	size_t len = (size_t)(last / 8 - first / 8 + 1);
	ssize_t n;

	memset(buf, 0, len);
	n = pread(ost->tombfd, buf, len, (off_t)(first / 8));
	return n < 0 ? -errno : 0;
}

static int tomb_write(struct oss_ost *ost, uint64_t first, uint64_t last, const uint8_t *buf)
{
	size_t len = (size_t)(last / 8 - first / 8 + 1);
	ssize_t n = pwrite(ost->tombfd, buf, len, (off_t)(first / 8));

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* 1 if @id is marked destroyed, 0 if not, or -errno; mgmt_lock held. */
static int tomb_test(struct oss_ost *ost, uint64_t id)
{
	uint8_t b;
	int rc = tomb_read(ost, id, id, &b);

	return rc < 0 ? rc : (b >> (id % 8)) & 1;
}

static int tomb_set(struct oss_ost *ost, uint64_t id)
{
	uint8_t b;
	int rc = tomb_read(ost, id, id, &b);

	if (rc < 0 || (b >> (id % 8)) & 1)
		return rc;
	b |= (uint8_t)(1u << (id % 8));
	return tomb_write(ost, id, id, &b);
}

/*
 * Clears the bits of ids [@first, @last] (at most OSS_PRECREATE_MAX) and
 * writes their bytes, so that the blocks a later destroy sets bits in are
 * allocated now and not on a full disk; durable if any bit was set.
 */
static int tomb_clear(struct oss_ost *ost, uint64_t first, uint64_t last)
{
	uint8_t buf[OSS_PRECREATE_MAX / 8 + 2];
	bool was_set = false;
	int rc = tomb_read(ost, first, last, buf);

	if (rc < 0)
		return rc;
	for (uint64_t id = first; id <= last; id++) {
		uint8_t *b = &buf[id / 8 - first / 8], bit = (uint8_t)(1u << (id % 8));

		if (*b & bit) {
			was_set = true;
			*b &= (uint8_t)~bit;
		}
	}
	rc = tomb_write(ost, first, last, buf);
	if (rc == 0 && was_set && fdatasync(ost->tombfd) < 0)
		rc = -errno;
	return rc;
}

/* ---- precreate, first write --------------------------------------------- */

int oss_obj_precreate(struct oss_ost *ost, uint64_t first_id, uint32_t count, uint64_t *last_id)
{
	uint64_t end, id;
	int rc = -EINVAL;

	if (first_id == 0 || count == 0 || count > OSS_PRECREATE_MAX ||
	    first_id > OSS_OBJID_MAX - (count - 1))
		goto out;
	end = first_id + (count - 1);
	pthread_mutex_lock(&ost->mgmt_lock);
	id = first_id > ost->last_id ? first_id : ost->last_id + 1;
	if (id > end) {
		rc = 0;
		goto done;
	}
	/*
	 * An object is a reservation until something is written to it: no file
	 * is created here (see docs/oss.md, "Objects are created by their first
	 * write").  The ids become usable once LAST_ID records them durably.
	 */
	rc = tomb_clear(ost, id, end);
	if (rc == 0)
		rc = oss_lastid_write(ost->rootfd, end);
	if (rc < 0) {
		oss_log(ost, "precreate: cannot record last id %" PRIu64 ": %s", end,
			strerror(-rc));
		goto unlock;
	}
	__atomic_store_n(&ost->last_id, end, __ATOMIC_RELEASE);
done:
	*last_id = ost->last_id;
unlock:
	pthread_mutex_unlock(&ost->mgmt_lock);
out:
	return rc;
}

/* 1 if @id is precreated and not destroyed, 0 if not, or -errno; mgmt_lock held. */
static int reserved_locked(struct oss_ost *ost, uint64_t id)
{
	int rc;

	if (id == 0 || id > ost->last_id)
		return 0;
	rc = tomb_test(ost, id);
	return rc < 0 ? rc : !rc;
}

int oss_obj_unwritten(struct oss_ost *ost, uint64_t id)
{
	int rc;

	/*
	 * The caller's open found no file.  If a first write creates it now,
	 * answering "empty" orders this request before that write.
	 */
	pthread_mutex_lock(&ost->mgmt_lock);
	rc = reserved_locked(ost, id);
	pthread_mutex_unlock(&ost->mgmt_lock);
	return rc == 1 ? 0 : rc == 0 ? -ENOENT : rc;
}

/* Pending directories beyond which a first write syncs them itself. */
#define NEWDIRS_MAX 64

int oss_obj_materialize(struct oss_ost *ost, uint64_t id)
{
	struct oss_dirset d = {0};
	bool flush = false;
	int rc;

	pthread_mutex_lock(&ost->mgmt_lock);
	rc = reserved_locked(ost, id);
	if (rc == 1)
		rc = create_one(ost, id, &d);
	else if (rc == 0)
		rc = -ENOENT;
	pthread_mutex_unlock(&ost->mgmt_lock);
	if (rc < 0) {
		if (rc != -ENOENT)
			oss_log_io_error(ost, id, "create", rc);
		goto out;
	}
	pthread_mutex_lock(&ost->newdir_lock);
	for (size_t i = 0; i < d.n && rc == 0; i++)
		rc = dirty_add(&ost->newdirs, d.path[i]);
	flush = ost->newdirs.n > NEWDIRS_MAX;
	pthread_mutex_unlock(&ost->newdir_lock);
	if (rc < 0)
		rc = dirty_sync(ost, &d); /* could not remember them: make them durable now */
	else if (flush)
		rc = oss_obj_sync_new_dirs(ost);
out:
	free(d.path);
	return rc;
}

size_t oss_obj_new_dirs(struct oss_ost *ost)
{
	size_t n;

	pthread_mutex_lock(&ost->newdir_lock);
	n = ost->newdirs.n;
	pthread_mutex_unlock(&ost->newdir_lock);
	return n;
}

int oss_obj_sync_new_dirs(struct oss_ost *ost)
{
	struct oss_dirset todo;
	int rc;

	/* one syncer at a time: a second one returns after the first one's fsyncs */
	pthread_mutex_lock(&ost->dirsync_lock);
	pthread_mutex_lock(&ost->newdir_lock);
	todo = ost->newdirs;
	ost->newdirs = (struct oss_dirset){0};
	pthread_mutex_unlock(&ost->newdir_lock);
	rc = dirty_sync(ost, &todo);
	if (rc < 0) {
		oss_log(ost, "fsync of object directories: %s", strerror(-rc));
		/* keep them pending for the next sync */
		pthread_mutex_lock(&ost->newdir_lock);
		for (size_t i = 0; i < todo.n; i++)
			(void)dirty_add(&ost->newdirs, todo.path[i]);
		pthread_mutex_unlock(&ost->newdir_lock);
	}
	pthread_mutex_unlock(&ost->dirsync_lock);
	free(todo.path);
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
	pthread_mutex_lock(&ost->mgmt_lock);
	/* the mark first: a first write waiting for the lock must find it */
	if (id <= ost->last_id) {
		rc = tomb_set(ost, id);
		if (rc < 0)
			oss_log(ost,
				"object 0x%" PRIx64 ": cannot mark it destroyed: %s; "
				"a late write could recreate it as an orphan",
				id, strerror(-rc));
	}
	rc = unlink_one(ost, id);
	pthread_mutex_unlock(&ost->mgmt_lock);
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
	if (rc == -ENOENT) {
		/* precreated, never written: an empty object */
		rc = oss_obj_unwritten(ost, id);
		if (rc == 0)
			*out = (struct oss_obj_attr){0};
		goto out;
	}
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

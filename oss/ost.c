/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Formatting, opening and closing an OST; target-wide queries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ost_int.h"

void oss_ost_options_init(struct oss_ost_options *o)
{
	memset(o, 0, sizeof(*o));
	o->direct = false;
	o->direct_min = OSS_DIRECT_MIN_DEFAULT;
	o->fd_cache_size = OSS_FD_CACHE_DEFAULT;
}

int oss_ost_init_tree(const char *dir)
{
	int rootfd, rc;

	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		rc = -errno;
		goto out;
	}
	if (mkdirat(rootfd, OSS_OBJ_DIR, 0700) < 0) {
		rc = -errno;
		goto close_root;
	}
	/* LAST_ID's rename + directory fsync also makes O/ durable */
	rc = oss_lastid_write(rootfd, 0);
close_root:
	close(rootfd);
out:
	return rc;
}

/*
 * Opens DIR/DESTROYED, the destroyed-id bitmap (objstore.c), creating it on
 * an OST that has none yet (formatted before it existed, or new).
 */
static int open_tombs(struct oss_ost *ost)
{
	ost->tombfd = openat(ost->rootfd, OSS_DESTROYED_FILE, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (ost->tombfd >= 0 || errno != ENOENT)
		return ost->tombfd >= 0 ? 0 : -errno;
	ost->tombfd = openat(ost->rootfd, OSS_DESTROYED_FILE,
			     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (ost->tombfd < 0)
		return -errno;
	return fsync(ost->rootfd) < 0 ? -errno : 0;
}

static void free_common(struct oss_ost *ost)
{
	free(ost->newdirs.path);
	pthread_mutex_destroy(&ost->dirsync_lock);
	pthread_mutex_destroy(&ost->newdir_lock);
	pthread_mutex_destroy(&ost->log_lock);
	pthread_mutex_destroy(&ost->mgmt_lock);
	free(ost->name);
	free(ost->dir);
	free(ost);
}

int oss_ost_open(const char *dir, const struct oss_ost_options *o, struct oss_ost **out)
{
	struct oss_ost_options defaults;
	struct oss_ost *ost;
	uint64_t last;
	int rc;

	if (!o) {
		oss_ost_options_init(&defaults);
		o = &defaults;
	}
	rc = -EINVAL;
	if (o->fd_cache_size < 1)
		goto out;
	rc = -ENOMEM;
	ost = calloc(1, sizeof(*ost));
	if (!ost)
		goto out;
	ost->rootfd = ost->objfd = ost->tombfd = -1;
	/* everything free_common() releases is initialised before the first goto */
	pthread_mutex_init(&ost->mgmt_lock, NULL);
	pthread_mutex_init(&ost->log_lock, NULL);
	pthread_mutex_init(&ost->newdir_lock, NULL);
	pthread_mutex_init(&ost->dirsync_lock, NULL);
	ost->dir = strdup(dir);
	ost->name = strdup(o->name ? o->name : dir);
	if (!ost->dir || !ost->name)
		goto free_ost;
	ost->direct = o->direct;
	ost->direct_min = o->direct_min;

	ost->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ost->rootfd < 0) {
		rc = -errno;
		goto free_ost;
	}
	if (flock(ost->rootfd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto free_ost;
	}
	ost->objfd = openat(ost->rootfd, OSS_OBJ_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ost->objfd < 0) {
		rc = -errno;
		goto free_ost;
	}
	rc = oss_lastid_read(ost->rootfd, &last);
	if (rc < 0) {
		oss_log(ost, "cannot read %s: %s", OSS_LAST_ID_FILE, strerror(-rc));
		goto free_ost;
	}
	ost->last_id = last;
	rc = open_tombs(ost);
	if (rc < 0) {
		oss_log(ost, "cannot open %s: %s", OSS_DESTROYED_FILE, strerror(-rc));
		goto free_ost;
	}
	rc = oss_fdc_create(o->fd_cache_size, oss_obj_open, ost, &ost->fdc);
	if (rc < 0)
		goto free_ost;
	*out = ost;
	goto out;
free_ost:
	if (ost->tombfd >= 0)
		close(ost->tombfd);
	if (ost->objfd >= 0)
		close(ost->objfd);
	if (ost->rootfd >= 0)
		close(ost->rootfd);
	free_common(ost);
out:
	return rc;
}

void oss_ost_close(struct oss_ost *ost)
{
	if (!ost)
		return;
	if (__atomic_load_n(&ost->inflight, __ATOMIC_ACQUIRE) != 0)
		oss_log(ost, "closed with %ld requests in flight", ost->inflight);
	oss_fdc_destroy(ost->fdc);
	/* object names created since the last sync: make them durable like the data */
	if (oss_obj_sync_new_dirs(ost) < 0)
		oss_log(ost, "closed with object directories not synced");
	close(ost->tombfd);
	close(ost->objfd);
	close(ost->rootfd); /* drops the flock */
	free_common(ost);
}

const char *oss_ost_name(const struct oss_ost *ost)
{
	return ost->name;
}

uint64_t oss_ost_last_id(struct oss_ost *ost)
{
	return __atomic_load_n(&ost->last_id, __ATOMIC_ACQUIRE);
}

size_t oss_ost_cached_fds(struct oss_ost *ost)
{
	return oss_fdc_nfds(ost->fdc);
}

int oss_ost_statfs(struct oss_ost *ost, struct proto_statfs *out)
{
	struct statvfs sv;
	int rc = 0;

	if (fstatvfs(ost->rootfd, &sv) < 0) {
		rc = -errno;
		goto out;
	}
	out->bsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
	out->namemax = sv.f_namemax;
	out->blocks = sv.f_blocks;
	out->bfree = sv.f_bfree;
	out->bavail = sv.f_bavail;
	out->files = sv.f_files;
	out->ffree = sv.f_ffree;
out:
	return rc;
}
